package contract_test

import (
	"testing"

	"github.com/bigband-dev/bigband/wit"
)

// These test wit.TypeString and wit.FuncString; they live here, beside
// their first user, so that package wit keeps a single owner per file.

// TestTypeString renders the type of each parameter `p` of a function
// declared with it, so every case goes through the resolver.
func TestTypeString(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"u8", "u8"}, {"s64", "s64"}, {"f32", "f32"}, {"char", "char"}, {"bool", "bool"},
		{"string", "string"},
		{"error-context", "error-context"},
		{"list<u8>", "list<u8>"},
		{"list<u8, 4>", "list<u8, 4>"},
		{"list<list<string>>", "list<list<string>>"},
		{"option<point>", "option<point>"},
		{"result<list<point>, string>", "result<list<point>, string>"},
		{"result<_, string>", "result<_, string>"},
		{"result<u32>", "result<u32>"},
		{"result", "result"},
		{"tuple<u8, string, point>", "tuple<u8, string, point>"},
		{"map<string, u32>", "map<string, u32>"},
		{"future<u32>", "future<u32>"},
		{"future", "future"},
		{"stream<u8>", "stream<u8>"},
		{"stream", "stream"},
		{"borrow<blob>", "borrow<blob>"},
		{"own<blob>", "blob"},
		{"blob", "blob"},
		{"point", "point"},
		{"bytes", "bytes"},     // a named alias keeps its name
		{"%type", "%type"},     // keywords stay escaped
		{"%record", "%record"}, // an enum named like a keyword
	} {
		src := `package t:t;
interface i {
  resource blob;
  record point { x: s32, y: s32 }
  type bytes = list<u8>;
  type %type = u32;
  enum %record { a }
  f: func(p: ` + tc.src + `);
}
`
		r, pkg := loadPkg(t, src)
		id, _ := r.Packages[pkg].Interface("i")
		if got := wit.TypeString(r, r.Interfaces[id].Function("f").Params[0].Type); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.src, got, tc.want)
		}
	}
}

// Anonymous records and friends cannot be written in WIT but do come out of
// component binaries; they render structurally.
func TestTypeStringAnonymous(t *testing.T) {
	r := &wit.Resolve{}
	def := func(td *wit.TypeDef) wit.Type {
		r.Types = append(r.Types, td)
		return wit.TypeRef(wit.TypeID(len(r.Types) - 1))
	}
	res := def(&wit.TypeDef{Name: "blob", Kind: wit.KindResource})
	for _, tc := range []struct {
		t    wit.Type
		want string
	}{
		{wit.Type{}, "_"},
		{def(&wit.TypeDef{Kind: wit.KindRecord, Fields: []wit.Field{{Name: "a", Type: wit.Type{Prim: wit.U32}}, {Name: "b", Type: wit.Type{Prim: wit.String}}}}),
			"record { a: u32, b: string }"},
		{def(&wit.TypeDef{Kind: wit.KindVariant, Cases: []wit.Case{{Name: "none"}, {Name: "some", Type: wit.Type{Prim: wit.U8}}}}),
			"variant { none, some(u8) }"},
		{def(&wit.TypeDef{Kind: wit.KindEnum, Enum: []wit.EnumCase{{Name: "a"}, {Name: "interface"}}}), "enum { a, %interface }"},
		{def(&wit.TypeDef{Kind: wit.KindFlags, Flags: []wit.Flag{{Name: "r"}, {Name: "w"}}}), "flags { r, w }"},
		{def(&wit.TypeDef{Kind: wit.KindRecord}), "record {}"},
		{def(&wit.TypeDef{Kind: wit.KindOwn, Resource: res.ID}), "blob"},
		{def(&wit.TypeDef{Kind: wit.KindBorrow, Resource: res.ID}), "borrow<blob>"},
		{def(&wit.TypeDef{Kind: wit.KindAlias, Elem: wit.Type{Prim: wit.Char}}), "char"},
		{def(&wit.TypeDef{Kind: wit.KindResult, Err: wit.Type{Prim: wit.String}}), "result<_, string>"},
		{def(&wit.TypeDef{Kind: wit.KindResource}), "resource"},
	} {
		if got := wit.TypeString(r, tc.t); got != tc.want {
			t.Errorf("got %s, want %s", got, tc.want)
		}
	}
}

func TestFuncString(t *testing.T) {
	src := `package t:t;
interface i {
  record route { method: string, path: string }
  get-routes: func() -> result<list<route>, string>;
  add: func(a: u32, b: u32) -> u32;
  handle: func(request: borrow<blob>, %type: string);
  later: async func(n: u64);
  resource blob {
    constructor(init: list<u8>);
    size: func() -> u64;
    open: static func(path: string) -> result<blob>;
  }
}
`
	r, pkg := loadPkg(t, src)
	id, _ := r.Packages[pkg].Interface("i")
	iface := r.Interfaces[id]
	for _, tc := range []struct{ name, want string }{
		{"get-routes", "func() -> result<list<route>, string>"},
		{"add", "func(a: u32, b: u32) -> u32"},
		{"handle", "func(request: borrow<blob>, %type: string)"},
		{"later", "async func(n: u64)"},
		{"[constructor]blob", "constructor(init: list<u8>)"},
		{"[method]blob.size", "func() -> u64"},
		{"[static]blob.open", "static func(path: string) -> result<blob>"},
	} {
		f := iface.Function(tc.name)
		if f == nil {
			t.Errorf("%s: not found", tc.name)
			continue
		}
		if got := wit.FuncString(r, f); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}
