package wit_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/host/component"
	"github.com/bigband-dev/bigband/wit"
)

// TestWasmDependency resolves a package whose deps/ holds a WIT package
// encoded as wasm (from wit-parser's corpus: kinds-of-deps/deps/e.wasm),
// decoded by host/component and merged before the text packages.
func TestWasmDependency(t *testing.T) {
	corpus := os.Getenv("BIGBAND_WIT_CONFORMANCE")
	if corpus == "" {
		corpus = filepath.Join("..", "..", "shared", "wit-conformance")
	}
	e, err := os.ReadFile(filepath.Join(corpus, "kinds-of-deps", "deps", "e.wasm"))
	if err != nil {
		if os.Getenv("BIGBAND_REQUIRE_TOOLS") != "" {
			t.Fatal(err)
		}
		t.Skipf("wit-conformance corpus not found: %v", err)
	}
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "deps"), 0o755)
	os.WriteFile(filepath.Join(root, "deps", "e.wasm"), e, 0o644)
	os.WriteFile(filepath.Join(root, "deps", "c.wit"), []byte("package c:c;\ninterface c { f: func() -> string; }\n"), 0o644)
	os.WriteFile(filepath.Join(root, "a.wit"), []byte("package a:a;\nworld a { import e:e/e; import c:c/c; }\n"), 0o644)

	decode := func(b []byte) (*wit.Resolve, wit.PackageID, error) { return component.DecodeWITPackage(b) }
	r, id, err := wit.Load(root, wit.LoadOptions{DecodeWasm: decode})
	if err != nil {
		t.Fatal(err)
	}
	w, _ := r.Packages[id].World("a")
	var names []string
	for _, it := range r.Worlds[w].Imports {
		names = append(names, r.KeyName(it.Key))
	}
	if got := strings.Join(names, " "); got != "e:e/e c:c/c" {
		t.Fatalf("imports = %q", got)
	}
	if _, ok := r.Packages[r.PackageNames["e:e"]].Interface("e"); !ok {
		t.Fatal("package e:e from the wasm dependency is missing its interface")
	}

	// Without a decoder the entry is reported, not silently skipped.
	if _, _, err := wit.Load(root, wit.LoadOptions{}); err == nil || !strings.Contains(err.Error(), "e.wasm") {
		t.Fatalf("got %v", err)
	}
}

// TestMergeMatchesDirectLoad merges a resolved package with a dependency
// into a Resolve that already has the dependency: the dependency is not
// duplicated and every signature reads the same as when resolving
// everything from source.
func TestMergeMatchesDirectLoad(t *testing.T) {
	dep := "package d:d@1.0.0;\ninterface t {\n  record point { x: s32, y: s32 }\n  resource r { constructor(); get: func() -> point; }\n  variant shape { p(point), none }\n}\n"
	main := "package m:m;\ninterface u {\n  use d:d/t@1.0.0.{point, r, shape};\n  f: func(p: list<point>, s: borrow<r>) -> option<shape>;\n}\nworld w { import u; export g: func() -> result<list<u8>, string>; }\n"
	full := t.TempDir()
	os.MkdirAll(filepath.Join(full, "deps"), 0o755)
	os.WriteFile(filepath.Join(full, "deps", "d.wit"), []byte(dep), 0o644)
	os.WriteFile(filepath.Join(full, "m.wit"), []byte(main), 0o644)
	want, _, err := wit.Load(full, wit.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	only := filepath.Join(t.TempDir(), "d.wit")
	os.WriteFile(only, []byte(dep), 0o644)
	got, _, err := wit.Load(only, wit.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := got.Merge(want)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[0] != 0 || ids[1] != 1 {
		t.Fatalf("package ids %v", ids)
	}
	if len(got.Packages) != 2 || len(got.Interfaces) != len(want.Interfaces) || len(got.Worlds) != 1 {
		t.Fatalf("merged %d packages, %d interfaces, %d worlds", len(got.Packages), len(got.Interfaces), len(got.Worlds))
	}
	sigs := func(r *wit.Resolve) string {
		var b strings.Builder
		for _, iface := range r.Interfaces {
			for _, nt := range iface.Types {
				b.WriteString(nt.Name + "=" + wit.TypeString(r, r.Types[nt.ID].Elem) + ";")
			}
			for _, f := range iface.Functions {
				b.WriteString(f.Name + wit.FuncString(r, f) + ";")
			}
		}
		for _, w := range r.Worlds {
			for _, it := range append(w.Imports, w.Exports...) {
				b.WriteString(r.KeyName(it.Key) + ";")
				if it.Function != nil {
					b.WriteString(wit.FuncString(r, it.Function) + ";")
				}
			}
		}
		return b.String()
	}
	if g, w := sigs(got), sigs(want); g != w {
		t.Fatalf("merged:\n%s\nwant:\n%s", g, w)
	}
	// m's `use` aliases point at the types r already had.
	u, _ := got.Packages[1].Interface("u")
	pt, _ := got.Interfaces[u].Type("point")
	if target := got.Types[pt].Elem; target.Prim != wit.Ref || got.Types[target.ID].Owner.Interface != 0 {
		t.Fatalf("u.point should alias d:d/t's point, got %+v", got.Types[pt])
	}
}
