package wit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// synthPackage writes a package of n files to dir: each file holds an
// interface using types from its predecessor plus records, variants,
// resources and functions, and a world importing and exporting a few of
// them — roughly the shape of a real multi-file package such as wasi:cli.
func synthPackage(t testing.TB, dir string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		var b strings.Builder
		if i == 0 {
			b.WriteString("package bench:synth@1.2.3;\n\n")
		}
		fmt.Fprintf(&b, "/// Interface number %d.\ninterface iface%d {\n", i, i)
		if i > 0 {
			fmt.Fprintf(&b, "  use iface%d.{rec%d, res%d};\n", i-1, i-1, i-1)
		}
		fmt.Fprintf(&b, "  record rec%d {\n    name: string,\n    id: u64,\n    tags: list<string>,\n    extra: option<tuple<u32, f64>>,\n  }\n", i)
		fmt.Fprintf(&b, "  variant event%d {\n    created(rec%d),\n    deleted(u64),\n    renamed(tuple<string, string>),\n    none,\n  }\n", i, i)
		fmt.Fprintf(&b, "  enum level%d { low, mid, high }\n  flags perms%d { read, write, exec }\n", i, i)
		fmt.Fprintf(&b, "  resource res%d {\n    constructor(name: string);\n    get: func() -> result<rec%d, string>;\n    set: func(r: rec%d) -> result<_, string>;\n    open: static func(name: string) -> option<res%d>;\n  }\n", i, i, i, i)
		fmt.Fprintf(&b, "  handle: func(e: event%d, l: level%d, p: perms%d) -> result<list<rec%d>, string>;\n", i, i, i, i)
		if i > 0 {
			fmt.Fprintf(&b, "  convert: func(r: rec%d, h: borrow<res%d>) -> rec%d;\n", i-1, i-1, i)
		}
		b.WriteString("}\n\n")
		fmt.Fprintf(&b, "world world%d {\n  import iface%d;\n  export handler%d: func(x: u32) -> string;\n}\n", i, i, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%02d.wit", i)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSynthPackageLoads(t *testing.T) {
	dir := t.TempDir()
	synthPackage(t, dir, 50)
	r, id, err := Load(dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(r.Packages[id].Interfaces); got != 50 {
		t.Fatalf("got %d interfaces, want 50", got)
	}
	// world49 imports iface49, which uses iface48, ... down to iface0.
	w, _ := r.Packages[id].World("world49")
	if got := len(r.Worlds[w].Imports); got != 50 {
		t.Fatalf("world49 has %d imports, want 50 (the whole use chain)", got)
	}
}

func BenchmarkLoadSynthetic50(b *testing.B) {
	dir := b.TempDir()
	synthPackage(b, dir, 50)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Load(dir, LoadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadSynthetic50Overlay measures a re-resolve as the language
// server does it: every file supplied from memory, nothing read from disk.
func BenchmarkLoadSynthetic50Overlay(b *testing.B) {
	dir := b.TempDir()
	synthPackage(b, dir, 50)
	overlays := map[string][]byte{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		src, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		overlays[filepath.Join(dir, e.Name())] = src
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Load(dir, LoadOptions{Overlays: overlays}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadConformance(b *testing.B) {
	dir := conformanceDir(b)
	for _, c := range []string{"wasi.wit", "stress-export-elaborate.wit", "complex-include", "foreign-deps-union"} {
		b.Run(c, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Load(filepath.Join(dir, c), LoadOptions{Features: map[string]bool{"active": true}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCheckSynthetic50Overlay is what the language server runs per
// edit: Check with every file from memory, references included.
func BenchmarkCheckSynthetic50Overlay(b *testing.B) {
	dir, _ := filepath.Abs(b.TempDir())
	synthPackage(b, dir, 50)
	overlays := map[string][]byte{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		src, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		overlays[filepath.Join(dir, e.Name())] = src
	}
	b.ReportAllocs()
	for b.Loop() {
		if res := Check(context.Background(), dir, LoadOptions{Overlays: overlays}); len(res.Diagnostics) > 0 || len(res.Refs) == 0 {
			b.Fatal(res.Diagnostics)
		}
	}
}
