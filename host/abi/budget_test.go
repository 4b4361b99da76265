package abi

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/wit"
)

// allocated returns the bytes of Go memory f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func put32(e *env, at uint32, vs ...uint32) {
	b := make([]byte, 4*len(vs))
	for i, v := range vs {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	if !e.mem.Write(at, b) {
		e.t.Fatalf("write at %#x out of bounds", at)
	}
}

// filesResult lays out get-files' result at 16: ok(list of n files), each
// with path "a" and contents (ptr, size) — every file aliases one buffer.
func filesResult(e *env, n, contentsPtr, contentsLen uint32) {
	const list, path = 1024, 100
	e.mem.Write(path, []byte("a"))
	put32(e, 16, 0, list, n) // result: disc 0 (ok), then list ptr and length
	for i := range n {
		put32(e, list+16*i, path, 1, contentsPtr, contentsLen)
	}
}

func TestBudgetStopsAliasedStringsBeforeCopying(t *testing.T) {
	// 256 MiB of memory, of which the test writes only the first page.
	e := newEnvPages(t, 4096)
	fn, err := e.types.Func(e.iface.Function("get-files"))
	if err != nil {
		t.Fatal(err)
	}
	const huge = 255 << 20
	for _, c := range []struct {
		name        string
		contentsLen uint32
		budget      Budget
		at          string
		maxAlloc    uint64
	}{
		// 1,000 files aliasing one 255 MiB string: the first one is over,
		// nothing is copied.
		{"255 MiB aliased", huge, Budget{Bytes: 64 << 20}, "at result.ok[0].contents", 1 << 20},
		// 1,000 files aliasing 1 MiB: each alias is charged, so the 64th
		// goes over 64 MiB; what was copied stays within the budget.
		{"1 MiB aliased", 1 << 20, Budget{}, "at result.ok[63].contents", 66 << 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			filesResult(e, 1000, 64<<10, c.contentsLen)
			var err error
			n := allocated(func() {
				cx := e.cx()
				cx.Budget = c.budget
				_, err = fn.LiftResult(cx, []uint64{16})
			})
			if !errors.Is(err, ErrBudgetExceeded) || !IsTrap(err) {
				t.Fatalf("got %v, want a budget trap", err)
			}
			for _, want := range []string{"lift budget of 64 MiB of bytes", c.at, "raise it with"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if n > c.maxAlloc {
				t.Errorf("lifting allocated %d bytes, want at most %d", n, c.maxAlloc)
			}
		})
	}
}

func TestBudgetBoundsHostImportArguments(t *testing.T) {
	// A guest calls from-list with 1,000 entries whose values alias one
	// 200 MiB buffer; the import's budget is the fields limit.
	e := newEnvPages(t, 4096)
	fn, err := e.types.Func(e.iface.Function("from-list"))
	if err != nil {
		t.Fatal(err)
	}
	const list, name = 1024, 100
	e.mem.Write(name, []byte("x-a"))
	for i := range uint32(1000) {
		put32(e, list+16*i, name, 3, 64<<10, 200<<20)
	}
	var liftErr error
	n := allocated(func() {
		cx := e.cx()
		cx.Budget = Budget{Bytes: 1 << 20, Elements: 1 << 16, Hint: "fields take at most 1 MiB"}
		_, liftErr = fn.LiftArgs(cx, []uint64{list, 1000})
	})
	if !errors.Is(liftErr, ErrBudgetExceeded) || !strings.Contains(liftErr.Error(), "at argument entries[0].1; fields take at most 1 MiB") {
		t.Fatalf("got %v", liftErr)
	}
	if n > 1<<20 {
		t.Errorf("lifting allocated %d bytes, want under 1 MiB", n)
	}
}

func TestBudgetChargesEveryValue(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		name  string
		enc   StringEncoding
		ty    wit.Type
		v     any
		bytes int64
		elems int64
	}{
		// Outer list 3×8 bytes, inner lists 4+0+8; 4 lists and 3 u32s.
		{"nested lists", UTF8, e.typ("deep"), []any{[]any{uint32(1)}, []any{}, []any{uint32(2), uint32(3)}}, 36, 7},
		// Strings "n", "a", "bé" (1+1+3) and the tags list (2×8); the
		// record, its name, point, x, y, tags and two strings.
		{"record", UTF8, e.typ("nested"), Record{"n", Record{int32(-7), 2.5}, []any{"a", "bé"}}, 21, 8},
		{"bytes count once", UTF8, e.typ("bytes"), []byte{1, 2, 3}, 3, 1},
		{"options", UTF8, e.typ("oo"), Some(Some(uint32(7))), 0, 3},
		{"fixed list", UTF8, e.typ("fixed"), []any{uint8(1), uint8(2), uint8(3)}, 0, 4},
		// Strings are charged in code units: never more than UTF-8 bytes.
		{"utf16", UTF16, wit.Type{Prim: wit.String}, "héllo", 5, 1},
		{"utf16 surrogates", UTF16, wit.Type{Prim: wit.String}, "🚀", 2, 1},
		{"latin1", Latin1UTF16, wit.Type{Prim: wit.String}, "café", 4, 1},
		{"latin1 tagged utf16", Latin1UTF16, wit.Type{Prim: wit.String}, "你好", 2, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			low := e.cx()
			low.Encoding = c.enc
			flat, err := low.lowerFlat(nil, c.v, c.ty)
			if err != nil {
				t.Fatal(err)
			}
			cx := e.cx()
			cx.Encoding = c.enc
			if _, err := cx.liftFlat(&flatIter{vals: flat}, c.ty); err != nil {
				t.Fatal(err)
			}
			if u := cx.Used(); u.Bytes != c.bytes || u.Elements != c.elems {
				t.Errorf("charged %d bytes, %d elements; want %d, %d", u.Bytes, u.Elements, c.bytes, c.elems)
			}
			// One byte or one element less than needed fails.
			for _, b := range []Budget{{Bytes: c.bytes - 1, Elements: c.elems}, {Bytes: c.bytes, Elements: c.elems - 1}} {
				if b.Bytes <= 0 || b.Elements <= 0 {
					continue // zero means the default, negative no limit
				}
				cx := e.cx()
				cx.Encoding, cx.Budget = c.enc, b
				if _, err := cx.liftFlat(&flatIter{vals: flat}, c.ty); !errors.Is(err, ErrBudgetExceeded) {
					t.Errorf("budget %+v: got %v, want it exceeded", b, err)
				}
			}
		})
	}
}

func TestBudgetChecksElementsBeforeAllocating(t *testing.T) {
	e := newEnvPages(t, 4096)
	// A list of 10 million empty lists: 80 MB of guest memory, 160 MB of
	// Go slots if it were allocated.
	const n = 10_000_000
	var err error
	got := allocated(func() {
		cx := e.cx()
		cx.Budget = Budget{Bytes: 1 << 30}
		_, err = cx.liftFlat(&flatIter{vals: []uint64{64 << 10, n}}, e.typ("deep"))
	})
	if !errors.Is(err, ErrBudgetExceeded) || !strings.Contains(err.Error(), fmt.Sprintf("lift budget of %d elements", DefaultBudget.Elements)) {
		t.Fatalf("got %v", err)
	}
	if got > 1<<20 {
		t.Errorf("allocated %d bytes before failing", got)
	}
	// The same for a fixed-length list in memory.
	fl, _ := e.types.FuncOf(nil, e.typ("fixed-big"))
	cx := e.cx()
	cx.Budget = Budget{Elements: 1000}
	got = allocated(func() { _, err = fl.LiftResult(cx, []uint64{64 << 10}) })
	if !errors.Is(err, ErrBudgetExceeded) || !strings.Contains(err.Error(), "1000 elements") {
		t.Fatalf("fixed list: got %v", err)
	}
	if got > 64<<10 {
		t.Errorf("fixed list: allocated %d bytes before failing", got)
	}
}

func TestTrapsSayWhere(t *testing.T) {
	e := newEnv(t)
	fn, err := e.types.Func(e.iface.Function("get-files"))
	if err != nil {
		t.Fatal(err)
	}
	filesResult(e, 3, 200, 2)
	put32(e, 1024+16*2+8, 300, 2) // file 2's contents: bad UTF-8
	e.mem.Write(300, []byte{0xff, 0xfe})
	_, err = fn.LiftResult(e.cx(), []uint64{16})
	if !IsTrap(err) || err.Error() != "string is not valid UTF-8 at result.ok[2].contents" {
		t.Fatalf("got %v", err)
	}
	if wrapped := fmt.Errorf("guest: %w", err); !IsTrap(wrapped) {
		t.Error("IsTrap must see through wrapping")
	}
	if IsTrap(errors.New("not a trap")) {
		t.Error("IsTrap of a plain error")
	}
}

func TestHandleTableCap(t *testing.T) {
	rt := &ResourceType{Name: "thing"}
	h := &Handles{}
	for i := range MaxHandles {
		if _, err := h.New(rt, uint32(i)); err != nil {
			t.Fatalf("handle %d: %v", i, err)
		}
	}
	_, err := h.New(rt, 0)
	if !IsTrap(err) || !strings.Contains(err.Error(), "handle table full: 1048576 live handles") {
		t.Fatalf("got %v, want a full-table trap", err)
	}
	if err := h.Drop(t.Context(), rt, 7); err != nil {
		t.Fatal(err)
	}
	if i, err := h.New(rt, 0); err != nil || i != 7 {
		t.Fatalf("after a drop: handle %d, %v; want 7 reused", i, err)
	}
	if h.Len() != MaxHandles {
		t.Errorf("Len %d", h.Len())
	}
}

// fixedTypes builds a Resolve of fixed-length lists and records around them.
func fixedTypes() (*wit.Resolve, map[string]wit.Type) {
	r := &wit.Resolve{}
	names := map[string]wit.Type{}
	add := func(name string, td *wit.TypeDef) wit.Type {
		r.Types = append(r.Types, td)
		ty := wit.TypeRef(wit.TypeID(len(r.Types) - 1))
		names[name] = ty
		return ty
	}
	fixed := func(name string, elem wit.Type, n uint32) wit.Type {
		return add(name, &wit.TypeDef{Kind: wit.KindFixedList, Elem: elem, Size: n})
	}
	u8, u32, u64 := wit.Type{Prim: wit.U8}, wit.Type{Prim: wit.U32}, wit.Type{Prim: wit.U64}
	fixed("max bytes", u8, MaxTypeSize)
	fixed("2^28 bytes", u32, 1<<26)
	inner := fixed("64 KiB", u8, 1<<16)
	fixed("2^32 bytes", inner, 1<<16) // wraps to 0 in uint32 arithmetic
	fixed("2^60 bytes", fixed("big u64s", u64, MaxTypeSize), 1<<32-1)
	half := fixed("2^27 bytes", u8, 1<<27)
	add("record of 2^28", &wit.TypeDef{Kind: wit.KindRecord, Fields: []wit.Field{{Name: "a", Type: half}, {Name: "b", Type: half}}})
	add("variant of 2^32", &wit.TypeDef{Kind: wit.KindVariant, Cases: []wit.Case{{Name: "a", Type: names["2^32 bytes"]}, {Name: "b"}}})
	add("tuple of max", &wit.TypeDef{Kind: wit.KindTuple, Types: []wit.Type{names["max bytes"]}})
	return r, names
}

func TestFixedListSizesAreCheckedNotWrapped(t *testing.T) {
	r, names := fixedTypes()
	var types *Types
	if n := allocated(func() { types = NewTypes(r) }); n > 64<<10 {
		t.Errorf("NewTypes allocated %d bytes: layouts must not grow with list lengths", n)
	}
	for name, wantErr := range map[string]bool{
		"max bytes": false, "tuple of max": false, "64 KiB": false, "2^27 bytes": false,
		"2^28 bytes": true, "2^32 bytes": true, "2^60 bytes": true, "record of 2^28": true, "variant of 2^32": true, "big u64s": true,
	} {
		err := types.Check(names[name])
		if (err != nil) != wantErr {
			t.Errorf("%s: Check = %v, want error %v", name, err, wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "too large") {
			t.Errorf("%s: %v", name, err)
		}
		if size, _ := types.SizeAlign(names[name]); size > MaxTypeSize+1 {
			t.Errorf("%s: size %d beyond the clamp", name, size)
		}
		if n := len(types.Flatten(names[name])); n > MaxFlatParams+1 {
			t.Errorf("%s: flattening of %d values", name, n)
		}
		// A function using the type fails to load, it doesn't misbehave.
		if _, err := types.FuncOf([]wit.Type{names[name]}, wit.Type{}); (err != nil) != wantErr {
			t.Errorf("%s: FuncOf = %v", name, err)
		}
	}
	if size, _ := types.SizeAlign(names["max bytes"]); size != MaxTypeSize {
		t.Errorf("max bytes: size %d", size)
	}
	fn, _ := types.FuncOf([]wit.Type{names["64 KiB"]}, wit.Type{})
	if ps := fn.CoreParams(); len(ps) != 1 {
		t.Errorf("a 64 KiB fixed list must pass by pointer, got %d core params", len(ps))
	}
	// Lifting a long fixed list flat is refused, not attempted.
	cx := &Cx{Types: types}
	if _, err := cx.liftFlat(&flatIter{vals: make([]uint64, 17)}, names["64 KiB"]); err == nil {
		t.Error("lifting a 65,536-value flattening must fail")
	}
}
