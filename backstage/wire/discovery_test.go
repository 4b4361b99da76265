package wire

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestReadDiscovery(t *testing.T) {
	const pkg = "@internal/plugin-hello"
	tests := []struct {
		name    string
		in      string
		covers  bool
		set     bool
		include []string
		exclude []string
	}{
		{name: "all", in: "app:\n  title: x\n  packages: all\n", covers: true, set: true},
		{name: "all, quoted, commented", in: "app:\n  packages: 'all' # everything\n", covers: true, set: true},
		{name: "document marker and CRLF", in: "---\r\napp:\r\n  packages: \"all\"\r\n", covers: true, set: true},
		{name: "no app", in: "backend:\n  baseUrl: x\n"},
		{name: "empty file", in: ""},
		{name: "app without packages", in: "app:\n  title: x\n  extensions:\n    - page:catalog:\n        config:\n          path: /\n"},
		{name: "commented out", in: "app:\n  # packages: all\n  title: x\n"},
		{name: "null", in: "app:\n  packages: ~\n"},
		{name: "empty value", in: "app:\n  packages:\n  title: x\n"},
		{name: "packages under another key", in: "app:\n  extensions:\n    packages: all\n"},
		{name: "block scalar with a look-alike", in: "app:\n  title: |\n    packages: all\n  baseUrl: x\n"},
		{name: "other top-level packages", in: "packages: all\napp:\n  title: x\n"},
		{
			name: "include block list with the package", in: "app:\n  packages:\n    include:\n      - '@backstage/plugin-catalog'\n      - \"@internal/plugin-hello\"\n",
			covers: true, set: true, include: []string{"@backstage/plugin-catalog", pkg},
		},
		{
			name: "include list at the key's indentation", in: "app:\n  packages:\n    include:\n    - '@backstage/plugin-catalog'\n    exclude: []\n",
			set: true, include: []string{"@backstage/plugin-catalog"}, exclude: []string{},
		},
		{
			name: "flow mapping", in: "app:\n  packages: {include: ['@a/b', \"@internal/plugin-hello\"]}\n",
			covers: true, set: true, include: []string{"@a/b", pkg},
		},
		{
			name: "exclude only", in: "app:\n  packages:\n    exclude: ['@a/b']\n",
			covers: true, set: true, exclude: []string{"@a/b"},
		},
		{
			name: "excluded", in: "app:\n  packages:\n    exclude: ['@internal/plugin-hello']\n",
			set: true, exclude: []string{pkg},
		},
		{
			name: "empty include", in: "app:\n  packages:\n    include: []\n",
			set: true, include: []string{},
		},
		{
			name: "hash inside quotes is no comment", in: "app:\n  title: 'a #1'\n  packages: all\n", covers: true, set: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := readDiscovery([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if d.covers(pkg) != tt.covers || d.set != tt.set || !slices.Equal(d.include, tt.include) || !slices.Equal(d.exclude, tt.exclude) {
				t.Errorf("got %+v (covers %v)", d, d.covers(pkg))
			}
			if (tt.include != nil) != d.hasInclude {
				t.Errorf("hasInclude = %v", d.hasInclude)
			}
		})
	}
}

// TestReadDiscoveryUnsure: shapes the reader does not understand are
// errors with the line, never a guess.
func TestReadDiscoveryUnsure(t *testing.T) {
	tests := []struct {
		in   string
		line int
		msg  string
	}{
		{"app:\n  packages: some\n", 2, "only 'all' or an object"},
		{"app:\n  packages: [a]\n", 2, "is a list"},
		{"app:\n  packages:\n    - a\n", 3, "list item"},
		{"app:\n  packages: *ref\n", 2, "anchors"},
		{"app: &app\n  packages: all\n", 1, "not a block mapping"},
		{"app: {packages: all}\n", 1, "not a block mapping"},
		{"app:\n  <<: *defaults\n", 2, "merge keys"},
		{"app:\n  title: x\napp:\n  packages: all\n", 3, "twice"},
		{"app:\n  packages: all\n  packages: all\n", 3, "twice"},
		{"app:\n  packages: {include: [\n    a]}\n", 2, "several lines"},
		{"app:\n  title: \"multi\n  packages: all\"\n", 2, "several lines"},
		{"app:\n    title: x\n  packages: all\n", 3, "indentation"},
		{"app:\n\tpackages: all\n", 2, "tab"},
		{"app:\n  packages: all\n---\napp:\n  packages: ~\n", 3, "more than one YAML document"},
		{"app:\n  packages:\n    include: a\n", 3, "list of package names"},
		{"app:\n  packages:\n    include:\n      - [a]\n", 4, "package name"},
		{"app:\n  packages:\n    include:\n      - a\n        b\n", 5, "list of package names"},
		{"app:\n  packages: \"\\q\"\n", 2, "escapes"},
	}
	for _, tt := range tests {
		_, err := readDiscovery([]byte(tt.in))
		var ye *yamlError
		if !errors.As(err, &ye) || ye.line != tt.line || !strings.Contains(ye.msg, tt.msg) {
			t.Errorf("%q: err = %v, want line %d: ...%s...", tt.in, err, tt.line, tt.msg)
		}
	}
}

func TestLoadDiscoveryLocalOverride(t *testing.T) {
	p := Plugin{ID: "hello", Package: "@internal/plugin-hello", Export: "helloPlugin"}
	tests := []struct {
		name, base, local string
		covers            bool
		file              string
	}{
		{name: "no local file", base: "app:\n  packages: all\n", covers: true, file: appConfig},
		{name: "local without packages", base: "app:\n  packages: all\n", local: "app:\n  title: mine\n", covers: true, file: appConfig},
		{name: "local narrows", base: "app:\n  packages: all\n", local: "app:\n  packages:\n    include: ['@a/b']\n", file: appConfigLocal},
		{name: "local turns on", base: "app:\n  title: x\n", local: "app:\n  packages: all\n", covers: true, file: appConfigLocal},
		{
			name: "objects merge, arrays replace", base: "app:\n  packages:\n    include: ['@internal/plugin-hello']\n",
			local: "app:\n  packages:\n    exclude: ['@a/b']\n", covers: true, file: appConfigLocal,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeApp(t, dir, appConfig, tt.base)
			if tt.local != "" {
				writeApp(t, dir, appConfigLocal, tt.local)
			}
			d, err := loadDiscovery(dir, p)
			if err != nil {
				t.Fatal(err)
			}
			if d.covers(p.Package) != tt.covers || (d.set && d.file != tt.file) {
				t.Errorf("got %+v", d)
			}
		})
	}

	// A refusal points into the local file and offers the App.tsx lines.
	dir := t.TempDir()
	writeApp(t, dir, appConfig, "app:\n  packages: all\n")
	writeApp(t, dir, appConfigLocal, "app:\n  packages: maybe\n")
	_, err := loadDiscovery(dir, p)
	var se *ShapeError
	if !errors.As(err, &se) || se.File != appConfigLocal || se.Line != 2 || se.ManualFile != appTSX || len(se.Manual) != 2 {
		t.Errorf("err = %#v", err)
	}
	if err := os.Remove(filepath.Join(dir, appConfig)); err != nil {
		t.Fatal(err)
	}
	if _, err := loadDiscovery(dir, p); !errors.As(err, &se) || se.File != appConfig {
		t.Errorf("missing app-config.yaml: err = %v", err)
	}
}

func FuzzReadDiscovery(f *testing.F) {
	for _, s := range []string{
		"app:\n  packages: all\n",
		"app:\n  packages:\n    include:\n      - '@a/b'\n",
		"app:\n  packages: {include: ['a', \"b\"], exclude: []}\n",
		"app:\n  title: 'it''s # not'\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := readDiscovery([]byte(in))
		var ye *yamlError
		if err != nil && !errors.As(err, &ye) {
			t.Fatalf("%q: %T %v", in, err, err)
		}
		if err == nil && d.set && !d.present {
			t.Fatalf("%q: set but not present", in)
		}
	})
}
