package wit

import (
	"path/filepath"
	"reflect"
	"testing"
)

func loadIface(t *testing.T, src string) (*Resolve, *Interface) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "a.wit")
	r, pkg, err := Load(path, LoadOptions{Overlays: map[string][]byte{path: []byte(src)}})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := r.Packages[pkg].Interface("i")
	return r, r.Interfaces[id]
}

func TestComparerFunc(t *testing.T) {
	const ref = `package ref:p;
interface i {
  resource res;
  record pt { x: u32, y: u32 }
  variant v { a, b(string) }
  enum e { one, two }
  flags perms { r, w }
  type name = string;
  f: func(p: pt, n: name) -> result<v, e>;
  g: func(h: borrow<res>, fl: perms) -> list<tuple<u8, option<res>>>;
}`
	for _, tc := range []struct {
		name, src string
		fn        string
		want      FuncDiff
		diffs     []DiffKind
	}{
		{"same, other names", `package a:b; interface i {
  record point { x: u32, y: u32 }
  variant w { a, b(string) }
  enum e { one, two }
  f: func(q: point, s: string) -> result<w, e>;
}`, "f", FuncDiff{}, nil},
		{"record fields", `package a:b; interface i {
  record pt { y: u32, x: u32 }
  record pu { x: u64, z: u32 }
  variant v { a, b(string) }
  enum e { one, two }
  f: func(p: pt, n: string) -> result<v, e>;
  g: func(p: pu, n: string) -> result<v, e>;
}`, "f", FuncDiff{}, []DiffKind{FieldOrder}},
		{"variant and enum inside the result", `package a:b; interface i {
  record pt { x: u32, y: u32 }
  variant v { b(u8), c }
  enum e { two, one }
  f: func(p: pt, n: string) -> result<v, e>;
}`, "f", FuncDiff{}, []DiffKind{MissingCase, ExtraCase, CaseType, EnumCases}},
		{"param shape and result", `package a:b; interface i {
  record pt { x: u32, y: u32 }
  variant v { a, b(string) }
  f: func(p: list<pt>, n: string) -> result<v, string>;
}`, "f", FuncDiff{Params: []int{0}, Result: true}, nil},
		{"arity", `package a:b; interface i { f: func(); }`, "f", FuncDiff{Shape: true}, nil},
		{"resources by name, own vs borrow", `package a:b; interface i {
  resource res;
  flags perms { r, x }
  g: func(h: res, fl: perms) -> list<tuple<u8, option<res>>>;
}`, "g", FuncDiff{Params: []int{0}}, []DiffKind{FlagNames}},
		{"resource renamed", `package a:b; interface i {
  resource other;
  flags perms { r, w }
  g: func(h: borrow<other>, fl: perms) -> list<tuple<u8, option<other>>>;
}`, "g", FuncDiff{Params: []int{0}, Result: true}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			br, bi := loadIface(t, ref)
			ar, ai := loadIface(t, tc.src)
			c := NewComparer(ar, br)
			got := c.Func(ai.Function(tc.fn), bi.Function(tc.fn))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("FuncDiff = %+v, want %+v", got, tc.want)
			}
			if got.Same() != (!tc.want.Shape && tc.want.Params == nil && !tc.want.Result) {
				t.Errorf("Same() = %v", got.Same())
			}
			var kinds []DiffKind
			for _, d := range c.Diffs {
				kinds = append(kinds, d.Kind)
			}
			if !reflect.DeepEqual(kinds, tc.diffs) {
				t.Errorf("diffs %+v, want kinds %v", c.Diffs, tc.diffs)
			}
			// Comparing again reports nothing new: each pair of
			// definitions is compared once per Comparer.
			c.Func(ai.Function(tc.fn), bi.Function(tc.fn))
			if len(c.Diffs) != len(tc.diffs) {
				t.Errorf("second comparison added %d diffs", len(c.Diffs)-len(tc.diffs))
			}
		})
	}
}

func TestComparerDiffDetails(t *testing.T) {
	br, bi := loadIface(t, `package ref:p; interface i { record pt { x: u32, y: string } f: func(p: pt); }`)
	ar, ai := loadIface(t, `package a:b; interface i { record my-pt { x: u64, z: string } f: func(p: my-pt); }`)
	c := NewComparer(ar, br)
	if d := c.Func(ai.Function("f"), bi.Function("f")); !d.Same() {
		t.Fatalf("FuncDiff %+v: differences inside a record are Diffs, not a param mismatch", d)
	}
	want := []Diff{
		{Kind: MissingField, Def: "my-pt", Item: "y", BType: Type{Prim: String}},
		{Kind: ExtraField, Def: "my-pt", Item: "z", AType: Type{Prim: String}},
		{Kind: FieldType, Def: "my-pt", Item: "x", AType: Type{Prim: U64}, BType: Type{Prim: U32}},
	}
	for i := range c.Diffs {
		c.Diffs[i].Span = want[0].Span // spans are checked by contract's tests
	}
	if !reflect.DeepEqual(c.Diffs, want) {
		t.Errorf("diffs\n %+v\nwant\n %+v", c.Diffs, want)
	}
}
