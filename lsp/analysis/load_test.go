package analysis

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHugeFileOnDisk: a .wit file on disk past MaxFileSize, in the package
// or in deps/, is reported where it is and checked as empty; the rest of
// the package still resolves, and an unchanged file is read from the
// cache on the next analysis.
func TestHugeFileOnDisk(t *testing.T) {
	root := t.TempDir()
	write := func(rel, text string) string {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("a.wit", "package demo:ok;\ninterface i { use dep:x/t.{r}; f: func(a: r); }\n")
	write("deps/x/t.wit", "package dep:x;\ninterface t { type r = u32; }\n")
	huge := strings.Repeat("// padding padding padding padding\n", MaxFileSize/35+1)
	bigMain := write("big.wit", huge)
	bigDep := write("deps/x/big.wit", huge)
	disk := NewDiskCache()
	for range 2 {
		p, err := Analyze(context.Background(), Input{Root: root, Disk: disk})
		if err != nil {
			t.Fatal(err)
		}
		large := map[string]bool{}
		for _, d := range p.Diags {
			if d.Code == CodeTooLarge {
				large[d.Path] = true
			} else {
				t.Errorf("%s: %s", d.Path, d.Message)
			}
		}
		if !large[bigMain] || !large[bigDep] || len(large) != 2 {
			t.Errorf("too-large diagnostics on %v, want %s and %s", large, bigMain, bigDep)
		}
		if p.Resolve == nil {
			t.Fatal("the package did not resolve")
		}
	}
	if e := disk.entries[filepath.Join(root, "a.wit")]; e == nil {
		t.Error("a.wit is not in the disk cache")
	}
}
