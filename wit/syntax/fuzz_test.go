package syntax

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that no input makes ParseFile panic and that every
// error and comment points inside the file. Seeds: the conformance corpus
// (when present) and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add([]byte("package a:b;\ninterface i { f: func(a: list<u8, 4>) -> result<_, string>; }\n"))
	f.Add([]byte("world w { import x: interface { type t = u32; } include y with { a as b } }"))
	f.Add([]byte(`@external-id("\u{41}") /* /* */ */ package a:b { }`))
	dir := os.Getenv("BIGBAND_WIT_CONFORMANCE")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "wit-conformance")
	}
	if _, err := os.Stat(dir); err == nil {
		for _, path := range witFiles(f, dir) {
			src, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		fset := NewFileSet()
		fset.AddFile("before.wit", []byte("x")) // so positions do not start at 1
		sf, errs := ParseFile(fset, "fuzz.wit", src)
		file := sf.File
		inFile := func(s Span) bool {
			return file.Contains(s.Start) && file.Contains(s.End) && s.Start <= s.End
		}
		for _, e := range errs {
			if !inFile(e.Span) {
				t.Fatalf("error %q has span %v outside the file [%d, %d]", e.Msg, e.Span, file.Base(), int(file.Base())+file.Size())
			}
			_ = fset.Render(e)
		}
		var prev Pos
		for _, c := range sf.Comments {
			if !inFile(c.Span) || c.Span.Start < prev || text(sf, c.Span) != c.Text {
				t.Fatalf("bad comment %+v", c)
			}
			prev = c.Span.End
		}
		for _, it := range sf.Items {
			if !inFile(it.ItemSpan()) {
				t.Fatalf("item %T has span %v outside the file", it, it.ItemSpan())
			}
		}
		for _, id := range sf.Broken {
			if !inFile(id.Span) || text(sf, id.Span) != id.Name && text(sf, id.Span) != "%"+id.Name {
				t.Fatalf("bad broken name %+v", id)
			}
		}
		if len(errs) > 3*MaxErrors+1 {
			t.Fatalf("%d errors, over the bound", len(errs))
		}
		// CheckText accepts exactly UTF-8 without NUL bytes.
		text := utf8.Valid(src) && bytes.IndexByte(src, 0) < 0
		if err := CheckText("fuzz.wit", src); (err == nil) != text || err != nil && !strings.HasPrefix(err.Error(), "fuzz.wit:") {
			t.Fatalf("CheckText: %v for text=%v", err, text)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	path := filepath.Join(conformanceDir(b), "wasi.wit")
	src, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		fset := NewFileSet()
		if _, errs := ParseFile(fset, path, src); len(errs) > 0 {
			b.Fatal(errs)
		}
	}
}
