package analysis

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/bigband-dev/bigband/host/component"
	"github.com/bigband-dev/bigband/lsp/internal/benchpkg"
	"github.com/bigband-dev/bigband/wit"
)

func TestBigPackageIsClean(t *testing.T) {
	dir := t.TempDir()
	if _, err := benchpkg.Write(dir, 50); err != nil {
		t.Fatal(err)
	}
	p, err := Analyze(context.Background(), Input{Root: dir, Contract: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range p.Diags {
		t.Errorf("%s:%d: %s: %s", filepath.Base(d.Path), d.Start, d.Code, d.Message)
	}
	if len(p.Files) < 80 {
		t.Errorf("%d files, want the 51 of the package and the deps", len(p.Files))
	}
}

func BenchmarkAnalyzeEdit(b *testing.B) {
	dir := b.TempDir()
	path, err := benchpkg.Write(dir, 50)
	if err != nil {
		b.Fatal(err)
	}
	orig, _ := os.ReadFile(path)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		text := append([]byte(fmt.Sprintf("// edit %d\n", i)), orig...)
		_, err := Analyze(context.Background(), Input{Root: dir, Overlays: map[string][]byte{path: text}, Contract: true})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWitCheck(b *testing.B) {
	dir := b.TempDir()
	if _, err := benchpkg.Write(dir, 50); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res := wit.Check(context.Background(), dir, wit.LoadOptions{DecodeWasm: component.DecodeWITPackage})
		if len(res.Diagnostics) > 0 {
			b.Fatal(res.Diagnostics[0])
		}
	}
}

func BenchmarkWitLoad(b *testing.B) {
	dir := b.TempDir()
	if _, err := benchpkg.Write(dir, 50); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := wit.Load(dir, wit.LoadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
