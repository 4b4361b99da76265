package wit

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, src := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func loadErr(t *testing.T, err error) *LoadError {
	t.Helper()
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("want *LoadError, got %v", err)
	}
	return le
}

func TestLoadOverlays(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"a.wit": "package demo:pkg@1.0.0;\ninterface a { type t = u32; }\n",
	})
	// The buffer for a.wit is unsaved and broken; b.wit exists only in the editor.
	overlays := map[string][]byte{
		filepath.Join(root, "a.wit"): []byte("package demo:pkg@1.0.0;\ninterface a { type t = u64; }\n"),
		filepath.Join(root, "b.wit"): []byte("interface b { use a.{t}; f: func() -> t; }\n"),
	}
	r, id, err := Load(root, LoadOptions{Overlays: overlays})
	if err != nil {
		t.Fatal(err)
	}
	pkg := r.Packages[id]
	if len(pkg.Interfaces) != 2 {
		t.Fatalf("interfaces = %v, want a and b", pkg.Interfaces)
	}
	a, _ := pkg.Interface("a")
	tid, _ := r.Interfaces[a].Type("t")
	if got := r.Types[tid].Elem.PrimName(); got != "u64" {
		t.Fatalf("a.t = %s, want the overlay's u64", got)
	}

	// An overlay with an error is reported at its position, not the disk's.
	overlays[filepath.Join(root, "b.wit")] = []byte("interface b {\n  use a.{nope};\n}\n")
	_, _, err = Load(root, LoadOptions{Overlays: overlays})
	le := loadErr(t, err)
	p := le.Files.Position(le.Errors[0].Span.Start)
	if le.Errors[0].Msg != "name `nope` does not exist" || p.Line != 2 || p.Column != 10 || !strings.HasSuffix(p.Filename, "b.wit") {
		t.Fatalf("got %q at %v", le.Errors[0].Msg, p)
	}
}

// TestLoadOverlayTree loads a package whose directory, deps/ and
// dependencies exist only as overlays (an embedded tree), mixed with a
// dependency on disk.
func TestLoadOverlayTree(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"app/deps/disk.wit": "package dep:disk;\ninterface d { type n = u8; }\n",
	})
	app := filepath.Join(root, "app")
	overlays := map[string][]byte{
		filepath.Join(root, "mem", "main.wit"):                []byte("package app:mem;\nworld w { import dep:types/t@0.2.0; }\n"),
		filepath.Join(root, "mem", "deps", "types", "a.wit"):  []byte("package dep:types@0.2.0;\ninterface t { type id = string; }\n"),
		filepath.Join(root, "mem", "deps", "single.wit"):      []byte("package dep:single;\ninterface s { use dep:types/t@0.2.0.{id}; }\n"),
		filepath.Join(root, "mem", "deps", "types", "x", "n"): []byte("not a package file: nested directories are not searched"),
		filepath.Join(app, "main.wit"):                        []byte("package app:disk;\nworld w { import dep:disk/d; }\n"),
	}
	r, id, err := Load(filepath.Join(root, "mem"), LoadOptions{Overlays: overlays})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range r.Packages {
		names = append(names, p.Name.String())
	}
	slices.Sort(names)
	if got, want := strings.Join(names, " "), "app:mem dep:single dep:types@0.2.0"; got != want || r.Packages[id].Name.String() != "app:mem" {
		t.Fatalf("packages %q (main %s), want %q", got, r.Packages[id].Name, want)
	}
	r, id, err = Load(app, LoadOptions{Overlays: overlays})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.PackageNames["dep:disk"]; !ok || r.Packages[id].Name.String() != "app:disk" {
		t.Fatalf("packages %v, want dep:disk from disk under app:disk", r.PackageNames)
	}
}

func TestLoadDeps(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"main.wit":            "package app:main;\nworld w { import dep:types/t@0.2.0; export dep:single/s; }\n",
		"deps/types/a.wit":    "package dep:types@0.2.0;\ninterface t { type id = string; }\n",
		"deps/single.wit":     "package dep:single;\ninterface s { use dep:types/t@0.2.0.{id}; get: func() -> id; }\n",
		"deps/.DS_Store":      "junk",
		"deps/ignore-me.txt":  "junk",
		"deps/types/deps/x.w": "nested deps are not searched",
	})
	r, id, err := Load(root, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range r.Packages {
		names = append(names, p.Name.String())
	}
	// Dependencies first, in the order wit-parser pushes them.
	if got := strings.Join(names, " "); got != "dep:types@0.2.0 dep:single app:main" {
		t.Fatalf("package order = %s", got)
	}
	w, _ := r.Packages[id].World("w")
	var imports []string
	for _, it := range r.Worlds[w].Imports {
		imports = append(imports, r.KeyName(it.Key))
	}
	if got := strings.Join(imports, " "); got != "dep:types/t@0.2.0" {
		t.Fatalf("imports = %s", got)
	}

	writeFiles(t, root, map[string]string{"deps/enc.wasm": "\x00asm"})
	if _, _, err := Load(root, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "not supported here") {
		t.Fatalf("want a clear unsupported error for a .wasm dependency, got %v", err)
	}
}

func TestLoadFeatures(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"a.wit": `package demo:gates@1.0.0;
interface i {
  @unstable(feature = shiny)
  new-thing: func();
  @since(version = 1.0.0)
  old-thing: func();
}
`})
	for _, tc := range []struct {
		opts LoadOptions
		want int
	}{
		{LoadOptions{}, 1},
		{LoadOptions{Features: map[string]bool{"shiny": true}}, 2},
		{LoadOptions{AllFeatures: true}, 2},
	} {
		r, id, err := Load(filepath.Join(root, "a.wit"), tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		i, _ := r.Packages[id].Interface("i")
		if got := len(r.Interfaces[i].Functions); got != tc.want {
			t.Errorf("%+v: %d functions, want %d", tc.opts, got, tc.want)
		}
	}
}

func TestLoadReportsSyntaxErrorsOfEveryFile(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"a.wit": "package demo:pkg;\ninterface a { type t = ; }\n",
		"b.wit": "interface b { f: func(; }\n",
	})
	_, _, err := Load(root, LoadOptions{})
	le := loadErr(t, err)
	files := map[string]bool{}
	for _, e := range le.Errors {
		files[filepath.Base(le.Files.Position(e.Span.Start).Filename)] = true
	}
	if !files["a.wit"] || !files["b.wit"] {
		t.Fatalf("errors %v should cover both files", le.Errors)
	}
	if le.Context == "" {
		t.Fatal("directory errors should carry context")
	}
}

func TestLoadMissingPath(t *testing.T) {
	_, _, err := Load(filepath.Join(t.TempDir(), "nope.wit"), LoadOptions{})
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("want a not-exist error, got %v", err)
	}
}
