package abi

import (
	"context"
	"encoding/binary"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/wit"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

const testWIT = `package test:abi;
interface types {
  record point { x: s32, y: f64 }
  record nested { name: string, p: point, tags: list<string> }
  variant shape { circle(f32), rect(tuple<u16, u64>), none, named(string) }
  enum color { red, green, blue }
  flags small { a, b, c }
  flags wide { f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15, f16, f17, f18, f19 }
  resource blob;
  type oo = option<option<u32>>;
  type res = result<string, u32>;
  type empty-res = result;
  type bytes = list<u8>;
  type deep = list<list<u32>>;
  type fixed = list<u8, 3>;
  type own-blob = blob;
  record file { path: string, contents: string }
  type u8s = list<u8>;
  type fixed-big = list<u8, 1048576>;
  get-files: func() -> result<list<file>, string>;
  from-list: func(entries: list<tuple<string, list<u8>>>);
  many: func(a: u32, b: u32, c: u32, d: u32, e: u32, f: u32, g: u32, h: u32, i: u32, j: u32, k: u32, l: u32, m: u32, n: u32, o: u32, p: string, q: f64) -> nested;
}
`

// env loads testWIT and returns its types and a fresh wazero memory with a
// bump allocator standing in for the guest's cabi_realloc.
type env struct {
	t     *testing.T
	types *Types
	iface *wit.Interface
	mem   api.Memory
	next  uint32
	rt    *ResourceType
}

func newEnv(t *testing.T) *env { return newEnvPages(t, 1) }

// memoryModule is (module (memory (export "memory") pages)).
func memoryModule(pages uint32) []byte {
	limits := binary.AppendUvarint([]byte{0x00}, uint64(pages))
	mem := append([]byte{0x05, byte(1 + len(limits)), 0x01}, limits...)
	return append(append([]byte("\x00asm\x01\x00\x00\x00"), mem...), "\x07\x0a\x01\x06memory\x02\x00"...)
}

// newEnvPages is newEnv with a memory of the given number of 64 KiB pages.
// Untouched pages cost no host memory, so a test can point at hundreds of
// MiB of zeros (valid UTF-8) without writing them.
func newEnvPages(t *testing.T, pages uint32) *env {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.wit")
	r, id, err := wit.Load(path, wit.LoadOptions{Overlays: map[string][]byte{path: []byte(testWIT)}})
	if err != nil {
		t.Fatal(err)
	}
	iid, _ := r.Packages[id].Interface("types")
	ctx := context.Background()
	rtm := wazero.NewRuntime(ctx)
	t.Cleanup(func() { rtm.Close(ctx) })
	m, err := rtm.Instantiate(ctx, memoryModule(pages))
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, types: NewTypes(r), iface: r.Interfaces[iid], mem: m.ExportedMemory("memory"), next: 16, rt: NewHostResourceType("blob")}
}

func (e *env) typ(name string) wit.Type {
	id, ok := e.iface.Type(name)
	if !ok {
		e.t.Fatalf("no type %s", name)
	}
	return wit.TypeRef(id)
}

func (e *env) cx() *Cx {
	r := e.types.R
	return &Cx{
		Ctx: context.Background(), Types: e.types, Memory: e.mem, Handles: &Handles{}, Scope: &CallScope{},
		Realloc: func(_ context.Context, old, oldSize, align, size uint32) (uint32, error) {
			p := alignTo(e.next, align)
			e.next = p + size
			return p, nil
		},
		Resource: func(id wit.TypeID) *ResourceType {
			if r.Types[id].Name == "blob" {
				return e.rt
			}
			return nil
		},
	}
}

func TestRoundTrip(t *testing.T) {
	e := newEnv(t)
	prim := func(p wit.Prim) wit.Type { return wit.Type{Prim: p} }
	cases := []struct {
		name string
		ty   wit.Type
		v    any
	}{
		{"bool", prim(wit.Bool), true},
		{"u8", prim(wit.U8), uint8(200)},
		{"s8", prim(wit.S8), int8(-100)},
		{"u16", prim(wit.U16), uint16(65000)},
		{"s16", prim(wit.S16), int16(-30000)},
		{"u32", prim(wit.U32), uint32(4000000000)},
		{"s32", prim(wit.S32), int32(-2000000000)},
		{"u64", prim(wit.U64), uint64(math.MaxUint64)},
		{"s64", prim(wit.S64), int64(math.MinInt64)},
		{"f32", prim(wit.F32), float32(-1.5)},
		{"f64", prim(wit.F64), math.Inf(-1)},
		{"char", prim(wit.Char), '🚀'},
		{"string", prim(wit.String), "Grüße, 你好 🚀"},
		{"empty string", prim(wit.String), ""},
		{"record", e.typ("nested"), Record{"n", Record{int32(-7), 2.5}, []any{"a", "bé"}}},
		{"variant f32", e.typ("shape"), Variant{0, float32(3.25)}},
		{"variant tuple", e.typ("shape"), Variant{1, Tuple{uint16(9), uint64(1 << 40)}}},
		{"variant none", e.typ("shape"), Variant{2, nil}},
		{"variant string", e.typ("shape"), Variant{3, "hi"}},
		{"enum", e.typ("color"), Enum(2)},
		{"flags", e.typ("small"), Flags(0b101)},
		{"wide flags", e.typ("wide"), Flags(1<<19 | 1)},
		{"option none", e.typ("oo"), None},
		{"option some none", e.typ("oo"), Some(None)},
		{"option some some", e.typ("oo"), Some(Some(uint32(7)))},
		{"result ok", e.typ("res"), Ok("fine")},
		{"result err", e.typ("res"), Err(uint32(404))},
		{"empty result", e.typ("empty-res"), Err(nil)},
		{"bytes", e.typ("bytes"), []byte{0, 1, 255}},
		{"deep", e.typ("deep"), []any{[]any{uint32(1)}, []any{}, []any{uint32(2), uint32(3)}}},
		{"fixed", e.typ("fixed"), []any{uint8(1), uint8(2), uint8(3)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cx := e.cx()
			flat, err := cx.lowerFlat(nil, c.v, c.ty)
			if err != nil {
				t.Fatal(err)
			}
			if want := len(e.types.Flatten(c.ty)); len(flat) != want {
				t.Fatalf("flattened to %d values, want %d", len(flat), want)
			}
			got, err := cx.liftFlat(&flatIter{vals: flat}, c.ty)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.v) {
				t.Fatalf("flat round trip: got %#v, want %#v", got, c.v)
			}
			size, align := e.types.SizeAlign(c.ty)
			ptr, _ := cx.alloc(align, size)
			if err := cx.store(ptr, c.v, c.ty); err != nil {
				t.Fatal(err)
			}
			got, err = cx.load(ptr, c.ty)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.v) {
				t.Fatalf("memory round trip: got %#v, want %#v", got, c.v)
			}
		})
	}
}

func TestLayouts(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		name        string
		size, align uint32
		flat        string
	}{
		{"point", 16, 8, "i32 f64"},
		{"shape", 24, 8, "i32 i32 i64"}, // slot 1 joins f32, u16 and a string pointer; slot 2 u64 and a length
		{"color", 1, 1, "i32"},
		{"wide", 4, 4, "i32"},
		{"oo", 12, 4, "i32 i32 i32"},
		{"res", 12, 4, "i32 i32 i32"},
		{"fixed", 3, 1, "i32 i32 i32"},
	} {
		ty := e.typ(c.name)
		size, align := e.types.SizeAlign(ty)
		var flat []string
		for _, f := range e.types.Flatten(ty) {
			flat = append(flat, f.String())
		}
		if size != c.size || align != c.align || strings.Join(flat, " ") != c.flat {
			t.Errorf("%s: size %d align %d flat %v; want %d %d %s", c.name, size, align, flat, c.size, c.align, c.flat)
		}
	}
}

func TestNaNCanonicalised(t *testing.T) {
	e := newEnv(t)
	cx := e.cx()
	v, err := cx.liftFlat(&flatIter{vals: []uint64{0x7ff4000000000001}}, wit.Type{Prim: wit.F64})
	if err != nil {
		t.Fatal(err)
	}
	if b := math.Float64bits(v.(float64)); b != 0x7ff8000000000000 {
		t.Fatalf("NaN bits %#x, want canonical", b)
	}
}

func TestTraps(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		name string
		ty   wit.Type
		flat []uint64
		want string
	}{
		{"bad char", wit.Type{Prim: wit.Char}, []uint64{0xD800}, "invalid char"},
		{"string out of bounds", wit.Type{Prim: wit.String}, []uint64{65530, 100}, "out of bounds"},
		{"bad utf8", wit.Type{Prim: wit.String}, []uint64{0, 0}, ""},
		{"bad discriminant", e.typ("shape"), []uint64{9, 0, 0}, "invalid variant discriminant 9"},
		{"huge list", e.typ("deep"), []uint64{0, 1 << 27}, "too long"},
		{"stale handle", e.typ("own-blob"), []uint64{5}, "unknown handle index 5"},
	} {
		cx := e.cx()
		_, err := cx.liftFlat(&flatIter{vals: c.flat}, c.ty)
		if c.want == "" {
			continue
		}
		if _, ok := err.(*Trap); !ok || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want a trap containing %q", c.name, err, c.want)
		}
	}
	// Invalid UTF-8 written into memory.
	cx := e.cx()
	e.mem.Write(100, []byte{0xff, 0xfe})
	if _, err := cx.liftFlat(&flatIter{vals: []uint64{100, 2}}, wit.Type{Prim: wit.String}); err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("bad utf8: got %v", err)
	}
}

func TestStringEncodings(t *testing.T) {
	e := newEnv(t)
	for _, enc := range []StringEncoding{UTF8, UTF16, Latin1UTF16} {
		for _, s := range []string{"", "plain", "café", "Grüße 你好 🚀"} {
			cx := e.cx()
			cx.Encoding = enc
			p, n, err := cx.storeString(s)
			if err != nil {
				t.Fatal(err)
			}
			got, err := cx.loadString(p, n)
			if err != nil || got != s {
				t.Errorf("%s %q: got %q, %v", enc, s, got, err)
			}
			if enc == Latin1UTF16 && s == "café" && n&utf16Tag != 0 {
				t.Errorf("café should stay latin-1")
			}
		}
	}
}

type blob struct{ dropped *bool }

func (b *blob) Drop() { *b.dropped = true }

func TestHostResourceHandles(t *testing.T) {
	e := newEnv(t)
	cx := e.cx()
	dropped := false
	b := &blob{&dropped}
	own := e.typ("own-blob")
	flat, err := cx.lowerFlat(nil, b, own)
	if err != nil {
		t.Fatal(err)
	}
	idx := uint32(flat[0])
	if idx == 0 || cx.Handles.Len() != 1 {
		t.Fatalf("handle %d, table %d", idx, cx.Handles.Len())
	}
	if err := cx.Handles.Drop(context.Background(), e.rt, idx); err != nil {
		t.Fatal(err)
	}
	if !dropped {
		t.Fatal("dropping the owning handle should drop the host object")
	}
	if err := cx.Handles.Drop(context.Background(), e.rt, idx); err == nil {
		t.Fatal("double drop must trap")
	}
	// An owned handle passed back to the host moves out of the table.
	b2 := &blob{new(bool)}
	flat, _ = cx.lowerFlat(nil, b2, own)
	got, err := cx.liftFlat(&flatIter{vals: flat}, own)
	if err != nil || got != b2 {
		t.Fatalf("got %v, %v", got, err)
	}
	if cx.Handles.Len() != 0 {
		t.Fatal("lifting an own must remove it from the table")
	}
}

func TestManyParamsAndResultInMemory(t *testing.T) {
	e := newEnv(t)
	f := e.iface.Function("many")
	fn, err := e.types.Func(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(fn.CoreParams()); got != 1 {
		t.Fatalf("17 params with 18 flat values must pass one pointer, got %d", got)
	}
	if got := fn.LoweredParams(); len(got) != 2 || len(fn.LoweredResults()) != 0 {
		t.Fatalf("lowered signature %v -> %v: want a tuple pointer and a return pointer", got, fn.LoweredResults())
	}
	args := make([]any, 17)
	for i := 0; i < 15; i++ {
		args[i] = uint32(i * 3)
	}
	args[15], args[16] = "sixteen", 16.5
	cx := e.cx()
	core, err := fn.LowerArgs(cx, args)
	if err != nil {
		t.Fatal(err)
	}
	// The "guest" reads them back as an import would.
	retptr, _ := cx.alloc(4, 64)
	got, err := fn.LiftArgs(cx, append(core, uint64(retptr)))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, args) {
		t.Fatalf("args: got %v, want %v", got, args)
	}
	result := Record{"r", Record{int32(1), 2.0}, []any{"x"}}
	if out, err := fn.LowerResult(cx, result, append(core, uint64(retptr))); err != nil || out != nil {
		t.Fatalf("LowerResult: %v %v", out, err)
	}
	back, err := fn.LiftResult(cx, []uint64{uint64(retptr)})
	if err != nil || !reflect.DeepEqual(back, result) {
		t.Fatalf("result: got %v, %v", back, err)
	}
}

func TestLowerRejectsWrongGoTypes(t *testing.T) {
	e := newEnv(t)
	cx := e.cx()
	for _, c := range []struct {
		ty wit.Type
		v  any
	}{
		{wit.Type{Prim: wit.U32}, int(3)},
		{e.typ("point"), Record{int32(1)}},
		{e.typ("color"), Variant{0, nil}},
		{e.typ("small"), Flags(1 << 5)},
		{e.typ("shape"), Variant{2, "payload on a case without one"}},
	} {
		if _, err := cx.lowerFlat(nil, c.v, c.ty); err == nil {
			t.Errorf("lowering %#v as %v should fail", c.v, c.ty)
		}
	}
}
