package wit

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzResolve feeds arbitrary packages through parsing and resolution. The
// input is split on NUL bytes into up to four files of one package (given as
// overlays, as the language server does); a part starting with "deps:" goes
// to deps/ instead. Load must never panic, and every error must carry a
// message and, when it has a position, one inside the loaded files.
func FuzzResolve(f *testing.F) {
	dir := conformanceDirOrEmpty()
	if dir != "" {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".wit") {
				if src, err := os.ReadFile(p); err == nil {
					f.Add(src)
				}
			}
			return nil
		})
	}
	f.Add([]byte("package a:b;\ninterface i { type t = u32; }\x00interface j { use i.{t}; f: func(x: t) -> t; }"))
	f.Add([]byte("package a:b;\nworld w { import c:d/e.{x}; }\x00deps:package c:d;\ninterface e { type x = string; }"))
	f.Fuzz(func(t *testing.T, data []byte) {
		root := t.TempDir()
		overlays := map[string][]byte{}
		parts := bytes.SplitN(data, []byte{0}, 4)
		for i, p := range parts {
			name := filepath.Join(root, string(rune('a'+i))+".wit")
			if rest, ok := bytes.CutPrefix(p, []byte("deps:")); ok {
				if err := os.MkdirAll(filepath.Join(root, "deps"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(root, "deps", string(rune('a'+i))+".wit"), rest, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			overlays[name] = p
		}
		opts := LoadOptions{Overlays: overlays, Features: map[string]bool{"active": true}}
		checkResult(t, Check(context.Background(), root, opts))
		r, _, err := Load(root, opts)
		if err == nil {
			_ = r.JSON()
			return
		}
		le, ok := err.(*LoadError)
		if !ok {
			return // I/O or encoding problem, reported as a plain error
		}
		if len(le.Errors) == 0 {
			t.Fatal("LoadError without errors")
		}
		for _, e := range le.Errors {
			if e.Msg == "" {
				t.Fatal("error without a message")
			}
			if e.Span.IsValid() && le.Files.File(e.Span.Start) == nil {
				t.Fatalf("error %q has a position outside every file", e.Msg)
			}
		}
	})
}

func conformanceDirOrEmpty() string {
	dir := os.Getenv("BIGBAND_WIT_CONFORMANCE")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "wit-conformance")
	}
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	return dir
}

// checkResult checks what Check returns is self-consistent: every
// diagnostic has a message, code and severity, every span (of diagnostics,
// related locations and references) lies in a file of the result, and
// every ID in the Resolve is in range.
func checkResult(t *testing.T, res *Result) {
	t.Helper()
	inFiles := func(what string, loc Location) {
		if !loc.Span.IsValid() {
			return
		}
		f := res.Files.File(loc.Span.Start)
		if f == nil || !f.Contains(loc.Span.End) || loc.Span.End < loc.Span.Start || f.Name() != loc.File {
			t.Fatalf("%s: span %v (%s) outside its file", what, loc.Span, loc.File)
		}
	}
	for _, d := range res.Diagnostics {
		if d.Message == "" || d.Code == "" || d.Severity == 0 {
			t.Fatalf("incomplete diagnostic %+v", d)
		}
		inFiles("diagnostic "+d.Message, d.Location)
		for _, r := range d.Related {
			inFiles("related location of "+d.Message, r.Location)
		}
	}
	for _, r := range res.Refs {
		if !r.Span.IsValid() {
			t.Fatalf("reference without a span: %+v", r)
		}
		inFiles("reference", r.Location)
		inFiles("reference target", r.Target)
	}
	rv := res.Resolve
	okType := func(ty Type) {
		if ty.Prim == Ref && (int(ty.ID) < 0 || int(ty.ID) >= len(rv.Types)) {
			t.Fatalf("type reference %d out of range (%d types)", ty.ID, len(rv.Types))
		}
	}
	for _, td := range rv.Types {
		if td == nil {
			t.Fatal("nil type in the Resolve")
		}
		td.EachType(okType)
	}
	okFunc := func(f *Function) {
		if f == nil {
			t.Fatal("nil function in the Resolve")
		}
		for _, p := range f.Params {
			okType(p.Type)
		}
		okType(f.Result)
	}
	okIface := func(id InterfaceID) {
		if int(id) < 0 || int(id) >= len(rv.Interfaces) || rv.Interfaces[id] == nil {
			t.Fatalf("interface %d out of range (%d interfaces)", id, len(rv.Interfaces))
		}
	}
	for _, i := range rv.Interfaces {
		for _, nt := range i.Types {
			okType(TypeRef(nt.ID))
		}
		for _, f := range i.Functions {
			okFunc(f)
		}
	}
	for _, w := range rv.Worlds {
		for _, it := range append(append([]*WorldItem(nil), w.Imports...), w.Exports...) {
			switch it.Kind {
			case WorldInterface:
				okIface(it.Interface)
			case WorldFunction:
				okFunc(it.Function)
			case WorldType:
				okType(TypeRef(it.Type))
			}
			if it.Key.IsInterface {
				okIface(it.Key.Interface)
			}
		}
	}
	for _, p := range rv.Packages {
		for _, ni := range p.Interfaces {
			okIface(ni.ID)
		}
		for _, nw := range p.Worlds {
			if int(nw.ID) < 0 || int(nw.ID) >= len(rv.Worlds) {
				t.Fatalf("world %d out of range", nw.ID)
			}
		}
	}
	if res.HasPackage && (int(res.Package) < 0 || int(res.Package) >= len(rv.Packages)) {
		t.Fatalf("package %d out of range", res.Package)
	}
	if res.Partial && (!res.HasPackage || len(res.Diagnostics) == 0) {
		t.Fatal("a partial package without errors")
	}

}
