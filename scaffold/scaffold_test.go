package scaffold

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/examples"
)

func exampleFiles(t *testing.T, lang, kind string) []string {
	t.Helper()
	var out []string
	root := lang + "/" + kind
	err := fs.WalkDir(examples.FS, root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, strings.TrimPrefix(p, root+"/"))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestNewJS(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(kind, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "team-tools")
			res, err := New(Options{Lang: "js", Kind: kind, Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if res.ID != "team-tools" {
				t.Errorf("id %q, want the directory's name", res.ID)
			}
			if want := exampleFiles(t, "js", kind); !slices.Equal(res.Files, want) {
				t.Errorf("wrote %v, want the example's files %v", res.Files, want)
			}
			for _, f := range res.Files {
				data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
				if err != nil {
					t.Fatal(err)
				}
				for _, old := range []string{"example-js", "examples/js/" + kind} {
					if strings.Contains(string(data), old) {
						t.Errorf("%s still says %s", f, old)
					}
				}
			}
			toml, _ := os.ReadFile(filepath.Join(dir, "bigband.toml"))
			if !strings.Contains(string(toml), `id = "team-tools"`) {
				t.Errorf("bigband.toml:\n%s", toml)
			}
			readme, _ := os.ReadFile(filepath.Join(dir, "README.md"))
			if !strings.Contains(string(readme), "bigband-dev watch .") {
				t.Errorf("README's watch command not rewritten for the project:\n%s", readme)
			}
			if kind == "frontend" {
				src, _ := os.ReadFile(filepath.Join(dir, "plugin.js"))
				if !strings.Contains(string(src), "'team-tools'") {
					t.Error("the frontend still fetches from another backend id")
				}
			}
			if len(res.Next) != 2 || !strings.HasPrefix(res.Next[0], "npm install") || res.Next[1] != "bigband-dev watch "+dir {
				t.Errorf("next steps %q", res.Next)
			}
		})
	}
}

func TestNewRefuses(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "a-file")
	full := filepath.Join(tmp, "full")
	for _, p := range []string{file, filepath.Join(full, "keep.txt"), filepath.Join(full, "plugin.js")} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name string
		o    Options
		want string
	}{
		{"unknown language", Options{Lang: "cobol", Kind: "backend", Dir: filepath.Join(tmp, "x")}, `unknown language "cobol": choose one of go, c, rust, js`},
		{"unknown kind", Options{Lang: "js", Kind: "middle", Dir: filepath.Join(tmp, "x")}, `unknown plugin kind "middle": choose frontend or backend`},
		{"no dir", Options{Lang: "js", Kind: "backend"}, "no project directory"},
		{"bad dir name", Options{Lang: "js", Kind: "backend", Dir: filepath.Join(tmp, "My_Plugin")}, "give one with --id"},
		{"bad id", Options{Lang: "js", Kind: "backend", Dir: filepath.Join(tmp, "x"), ID: "a--b"}, "--id: plugin id \"a--b\" must not contain two dashes"},
		{"not a directory", Options{Lang: "js", Kind: "backend", Dir: file, ID: "x"}, "is not a directory"},
		{"not empty", Options{Lang: "js", Kind: "backend", Dir: full}, "not empty (keep.txt, plugin.js); give a new or empty directory, or --force"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(c.o)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	// Nothing was written by the refusals.
	entries, _ := os.ReadDir(full)
	if len(entries) != 2 {
		t.Errorf("the refused directory now has %d entries", len(entries))
	}
	if _, err := os.Stat(filepath.Join(tmp, "x")); err == nil {
		t.Error("a refused project directory was created")
	}

	// --force writes into it: same names overwritten, others kept.
	if _, err := New(Options{Lang: "js", Kind: "backend", Dir: full, Force: true}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(full, "keep.txt")); string(b) != "mine" {
		t.Errorf("keep.txt = %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(full, "plugin.js")); string(b) == "mine" {
		t.Error("--force kept the old plugin.js")
	}
}

func TestNewMissingExample(t *testing.T) {
	// A language whose example this build lacks says which ones it has.
	for _, lang := range langOrder {
		if slices.Contains(Langs("backend"), lang) {
			continue
		}
		_, err := New(Options{Lang: lang, Kind: "backend", Dir: filepath.Join(t.TempDir(), "p")})
		if err == nil || !strings.Contains(err.Error(), "no "+lang+" backend example") {
			t.Errorf("%s: %v", lang, err)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"plugins/hello": "plugins/hello",
		"my dir":        "'my dir'",
		"it's":          `'it'\''s'`,
		"":              "''",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestNewGo(t *testing.T) {
	if !slices.Contains(Langs("backend"), "go") {
		t.Skip("no Go example in this tree")
	}
	dir := filepath.Join(t.TempDir(), "todo")
	res, err := New(Options{Lang: "go", Kind: "backend", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"module todo\n", "require github.com/bigband-dev/bigband v0.0.0\n",
		"replace github.com/bigband-dev/bigband => ./bigband-guest\n"} {
		if !strings.Contains(string(mod), want) {
			t.Errorf("go.mod lacks %q:\n%s", want, mod)
		}
	}
	for _, f := range []string{"bigband-guest/go.mod", "bigband-guest/guest/backend/mux.go", "main.go", ".gitignore"} {
		if !slices.Contains(res.Files, f) {
			t.Errorf("Files lacks %s: %v", f, res.Files)
		}
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f))); err != nil {
			t.Error(err)
		}
	}
	readme, _ := os.ReadFile(filepath.Join(dir, "README.md"))
	if strings.Contains(string(readme), "go run ./cmd/bigband-dev") {
		t.Errorf("README runs bigband-dev from the repository:\n%s", readme)
	}
}

func TestRewrite(t *testing.T) {
	re := idPattern("c")
	for in, want := range map[string]string{
		`id = "example-c"`:            `id = "new-id"`,
		"example-c-backend":           "new-id-backend",
		"/api/example-c/items":        "/api/new-id/items",
		"example-cat and example-c2":  "example-cat and example-c2",
		"an-example-c":                "an-new-id", // a dash is a boundary, as in package names
		"getBaseUrl('example-c');\n":  "getBaseUrl('new-id');\n",
		"example-go stays example-go": "example-go stays example-go",
	} {
		if got := re.ReplaceAllLiteralString(in, "new-id"); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
}
