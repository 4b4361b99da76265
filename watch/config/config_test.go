package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseFull(t *testing.T) {
	dir := t.TempDir()
	src := `# a complete file
id = "hello-wasm"
kind = "backend"
app = "../app"

[build]
command = ["make", "-j2"]
env = { CC = "clang", CFLAGS = "-O2" }
artifact = "out/plugin.wasm"
watch = ["src/**/*.c", "Makefile"]
ignore = ["gen/**"]

[serve]
addr = "127.0.0.1:7010"

[limits]
memory = "256MiB"
timeout = "2s"
max-body = 1048576
pool = 4
handles = 1000
output-rate = 50
compile-module-bytes = "1.5 GB"
compile-functions = 100000
compile-nesting = 500
compile-br-table-targets = 65536
`
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		File: path, Dir: dir,
		ID: "hello-wasm", Kind: KindBackend, App: filepath.Join(filepath.Dir(dir), "app"),
		Build: Build{
			Command:  []string{"make", "-j2"},
			Env:      map[string]string{"CC": "clang", "CFLAGS": "-O2"},
			Artifact: filepath.Join(dir, "out", "plugin.wasm"),
			Watch:    []string{"src/**/*.c", "Makefile"},
			Ignore:   []string{"gen/**"},
		},
		Serve: Serve{Addr: "127.0.0.1:7010"},
		Limits: Limits{
			Memory: 256 << 20, Timeout: 2 * time.Second, MaxBody: 1 << 20, Pool: 4, Handles: 1000,
			OutputRate: 50, CompileModuleBytes: 1_500_000_000, CompileFunctions: 100000,
			CompileNesting: 500, CompileBrTableTargets: 65536,
		},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
}

func TestLoadMissingAndEmpty(t *testing.T) {
	dir := t.TempDir()
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.File != "" || c.Kind != KindAuto || c.Build.Command != nil {
		t.Errorf("missing file: got %+v, want defaults", c)
	}
	c, err = Parse(filepath.Join(dir, FileName), nil)
	if err != nil || c.Kind != KindAuto {
		t.Errorf("empty file: got %+v, %v", c, err)
	}
}

func TestCommandString(t *testing.T) {
	c, err := Parse("bigband.toml", []byte("[build]\ncommand = \"make && cp a b\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"sh", "-c", "make && cp a b"}; !reflect.DeepEqual(c.Build.Command, want) {
		t.Errorf("command = %q, want %q", c.Build.Command, want)
	}
}

func TestDottedAndInlineForms(t *testing.T) {
	// The same settings written three ways decode the same.
	for _, src := range []string{
		"build.env.A = \"1\"\nlimits.pool = 2\n",
		"[build.env]\nA = \"1\"\n[limits]\npool = 2\n",
		"build = { env = { A = \"1\" } }\nlimits = { pool = 2 }\n",
	} {
		c, err := Parse("bigband.toml", []byte(src))
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		if c.Build.Env["A"] != "1" || c.Limits.Pool != 2 {
			t.Errorf("%q: got env %v pool %d", src, c.Build.Env, c.Limits.Pool)
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // each error's full text, in order
	}{
		{"misspelt table", "id = \"x\"\n\n\n[buidl]\ncommand = \"make\"\n",
			[]string{`bigband.toml:4:2: unknown table [buidl]; did you mean [build]? valid: id, kind, app, [build], [serve], [limits]`}},
		{"misspelt key in table", "[build]\n  comand = \"make\"\n",
			[]string{`bigband.toml:2:3: unknown key "comand" in [build]; did you mean "command"? valid: command, env, artifact, watch, ignore`}},
		{"key in the wrong table", "command = \"make\"\n",
			[]string{`bigband.toml:1:1: unknown key "command" at the top level; it belongs in [build]. valid: id, kind, app, [build], [serve], [limits]`}},
		{"unrelated key", "[serve]\nport = 1\n",
			[]string{`bigband.toml:2:1: unknown key "port" in [serve]; valid: addr`}},
		{"bad kind", "kind = \"fronted\"\n",
			[]string{`bigband.toml:1:8: kind "fronted": valid: frontend, backend, auto`}},
		{"bad id", "id = \"My Plugin\"\n",
			[]string{`bigband.toml:1:6: plugin id "My Plugin" must start with a lowercase letter`}},
		{"wrong type", "id = 3\n",
			[]string{`bigband.toml:1:6: id: want a string, got an integer`}},
		{"bad size", "[limits]\nmemory = \"12 parsecs\"\n",
			[]string{`bigband.toml:2:10: limits.memory: "12 parsecs" is not a size: write a number with a unit (B, byte, bytes, KB, MB, GB, TB, KiB, MiB, GiB, TiB), like 256MiB`}},
		{"negative size", "[limits]\nmax-body = -1\n",
			[]string{`bigband.toml:2:12: limits.max-body: -1: want a size above zero`}},
		{"bare duration", "[limits]\ntimeout = 30\n",
			[]string{`bigband.toml:2:11: limits.timeout: want a duration string like "30s" or "500ms" (a bare number has no unit), got an integer`}},
		{"bad duration", "[limits]\ntimeout = \"soon\"\n",
			[]string{`bigband.toml:2:11: limits.timeout: "soon" is not a duration above zero; write it like "30s", "500ms" or "2m"`}},
		{"zero pool", "[limits]\npool = 0\n",
			[]string{`bigband.toml:2:8: limits.pool: 0: want an integer from 1 to 2147483647`}},
		{"float count", "[limits]\nhandles = 1.5\n",
			[]string{`bigband.toml:2:11: limits.handles: want an integer, got a float`}},
		{"glob element", "[build]\nwatch = [\"a\",\n  3]\n",
			[]string{`bigband.toml:3:3: build.watch[1]: want a string, got an integer`}},
		{"absolute glob", "[build]\nignore = [\"/tmp/*\"]\n",
			[]string{`bigband.toml:2:11: build.ignore[0]: "/tmp/*" is absolute; globs are relative to the directory of bigband.toml`}},
		{"bad glob", "[build]\nwatch = [\"[a\"]\n",
			[]string{`bigband.toml:2:10: build.watch[0]: "[a" is not a valid glob (unclosed [ ]?)`}},
		{"env value", "[build.env]\nA = 1\n",
			[]string{`bigband.toml:2:5: build.env.A: want a string, got an integer`}},
		{"empty command", "[build]\ncommand = \"  \"\n",
			[]string{`bigband.toml:2:11: command is empty: give the build command, or leave the key out to use the detected toolchain`}},
		{"bad addr", "[serve]\naddr = \"localhost\"\n",
			[]string{`bigband.toml:2:8: addr "localhost": want host:port like "127.0.0.1:7008" (port 0-65535)`}},
		{"table as value", "limits = 3\n",
			[]string{`bigband.toml:1:10: limits: want a table ([limits]), got an integer`}},
		{"syntax", "id = \n",
			[]string{`bigband.toml:1:6: unexpected character U+000A at start of value`}},
		{"duplicate", "id = \"a\"\nid = \"b\"\n",
			[]string{`bigband.toml:2:1: key id is already defined`}},
		{"several, in file order", "[limits]\npool = -1\nmemory = true\n[build]\nartefact = \"x\"\n",
			[]string{
				`bigband.toml:2:8: limits.pool: -1: want an integer from 1 to 2147483647`,
				`bigband.toml:3:10: limits.memory: want a size (bytes, or a string like "256MiB"), got a boolean`,
				`bigband.toml:5:1: unknown key "artefact" in [build]; did you mean "artifact"? valid: command, env, artifact, watch, ignore`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bigband.toml", []byte(tt.src))
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("got %v (%T), want an ErrorList", err, err)
			}
			got := strings.Split(list.Error(), "\n")
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
			var one *Error
			if !errors.As(err, &one) || one.Line == 0 {
				t.Errorf("errors.As(*Error) = %v; want the first error with a line", one)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"4096", 4096, true}, {"256MiB", 256 << 20, true}, {"256 mib", 256 << 20, true},
		{"1KB", 1000, true}, {"1.5KiB", 1536, true}, {"64kb", 64000, true}, {"1_000B", 1000, true},
		{"8TiB", 8 << 40, true},
		{"", 0, false}, {"MiB", 0, false}, {"12 parsecs", 0, false}, {"0", 0, false},
		{"0.1B", 0, false}, {"1e3", 0, false}, {"1..2KB", 0, false}, {"-1KB", 0, false},
		{"99999999999TiB", 0, false}, {"9223372036854775807", 9223372036854775807, true},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestLoadTooLarge(t *testing.T) {
	dir := t.TempDir()
	big := strings.Repeat("# padding\n", maxFileSize/10+1)
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("Load = %v, want a size error", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("id = \"x\"\n[build]\ncommand = [\"make\"]\nenv = {A=\"b\"}\n[limits]\nmemory=\"1MiB\"\ntimeout=\"1s\"\n"))
	f.Add([]byte("[buidl]\nx=1\n"))
	f.Add([]byte("a.b.c = [[1], {x = 2}]\n[[t]]\nq = 1979-05-27T07:32:00Z\n"))
	f.Add([]byte("build = { watch = [\"**/*.go\", \"[\"] }\nlimits.pool = 9999999999\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("bigband.toml", data)
		if err != nil {
			var list ErrorList
			if errors.As(err, &list) && len(list) == 0 {
				t.Fatal("empty ErrorList")
			}
			if err.Error() == "" {
				t.Fatal("empty error text")
			}
			return
		}
		switch c.Kind {
		case KindAuto, KindFrontend, KindBackend:
		default:
			t.Fatalf("kind %q accepted", c.Kind)
		}
		l := c.Limits
		if l.Memory < 0 || l.MaxBody < 0 || l.Timeout < 0 || l.Pool < 0 || l.Handles < 0 || l.CompileModuleBytes < 0 {
			t.Fatalf("negative limit accepted: %+v", l)
		}
		if c.Build.Command != nil && (len(c.Build.Command) == 0 || c.Build.Command[0] == "") {
			t.Fatalf("empty command accepted: %q", c.Build.Command)
		}
	})
}
