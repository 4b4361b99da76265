package abi

import (
	"fmt"

	"github.com/bigband-dev/bigband/wit"
)

// Flat is a core WebAssembly value type in a flattened signature.
type Flat uint8

const (
	I32 Flat = iota
	I64
	F32
	F64
)

func (f Flat) String() string { return [...]string{"i32", "i64", "f32", "f64"}[f] }

// join is the flat type two variant cases' values can share.
func join(a, b Flat) Flat {
	switch {
	case a == b:
		return a
	case (a == I32 && b == F32) || (a == F32 && b == I32):
		return I32
	}
	return I64
}

// layout is a type's size, alignment and flattening in a 32-bit memory.
type layout struct {
	size, align uint32
	// flat is the type's flattening, cut at flatCap values: a longer one
	// never travels flat (it exceeds MaxFlatParams), and a fixed-length
	// list must not cost memory proportional to its length.
	flat []Flat
	err  error // the type can't cross the ABI (e.g. stream, too large)

	// Variant-like types: the case payloads (nil for an enum, whose cases
	// have none), the case count and where the payload starts.
	cases      []wit.Type
	ncases     int
	payloadOff uint32
}

// flatCap is where flattenings are cut: one more than any flat signature
// can hold, so "too many" stays visible.
const flatCap = MaxFlatParams + 1

// MaxTypeSize is the largest size in memory of a value type: the component
// model requires every type's element size to be below 2^28 bytes (Binary.md,
// validation of defvaltype), which also keeps all offset arithmetic far from
// uint32 overflow.
const MaxTypeSize = 1<<28 - 1

// Types holds precomputed layouts for every type of a Resolve. It is
// immutable once built and safe for concurrent use.
type Types struct {
	R       *wit.Resolve
	layouts []*layout
}

// MaxFlatParams and MaxFlatResults are the canonical ABI's limits on values
// passed as core parameters and results.
const (
	MaxFlatParams  = 16
	MaxFlatResults = 1
)

// maxByteLength bounds strings and lists the ABI will move.
const maxByteLength = 1<<28 - 1

// NewTypes computes the layout of every type in r.
func NewTypes(r *wit.Resolve) *Types {
	t := &Types{R: r, layouts: make([]*layout, len(r.Types))}
	for i := range r.Types {
		t.def(wit.TypeID(i))
	}
	return t
}

func prim(size uint32, f Flat) layout { return layout{size: size, align: size, flat: []Flat{f}} }

var primLayouts = [...]layout{
	wit.Bool:         prim(1, I32),
	wit.U8:           prim(1, I32),
	wit.S8:           prim(1, I32),
	wit.U16:          prim(2, I32),
	wit.S16:          prim(2, I32),
	wit.U32:          prim(4, I32),
	wit.S32:          prim(4, I32),
	wit.Char:         prim(4, I32),
	wit.F32:          prim(4, F32),
	wit.U64:          prim(8, I64),
	wit.S64:          prim(8, I64),
	wit.F64:          prim(8, F64),
	wit.String:       {size: 8, align: 4, flat: []Flat{I32, I32}},
	wit.ErrorContext: {size: 4, align: 4, flat: []Flat{I32}, err: fmt.Errorf("error-context values are not supported yet")},
}

var badPrim = layout{size: 4, align: 4, flat: []Flat{I32}, err: fmt.Errorf("unknown primitive type")}

// of returns the layout of t.
func (t *Types) of(ty wit.Type) *layout {
	if ty.Prim == wit.Ref {
		if int(ty.ID) >= len(t.layouts) {
			return &badRef
		}
		return t.def(ty.ID)
	}
	if int(ty.Prim) >= len(primLayouts) || primLayouts[ty.Prim].flat == nil {
		return &badPrim
	}
	return &primLayouts[ty.Prim]
}

var badRef = layout{size: 4, align: 4, flat: []Flat{I32}, err: fmt.Errorf("reference to an unknown type")}

// unalias follows aliases to the type they name. It must only be called on
// types whose layout has no error (an alias cycle has one).
func (t *Types) unalias(ty wit.Type) wit.Type {
	for ty.Prim == wit.Ref && t.R.Types[ty.ID].Kind == wit.KindAlias {
		ty = t.R.Types[ty.ID].Elem
	}
	return ty
}

func alignTo(n, a uint32) uint32 { return (n + a - 1) / a * a }

func alignTo64(n uint64, a uint32) uint64 { return (n + uint64(a) - 1) / uint64(a) * uint64(a) }

func discSize(n int) uint32 {
	switch {
	case n <= 1<<8:
		return 1
	case n <= 1<<16:
		return 2
	}
	return 4
}

// inProgress marks a layout being computed, so a type that contains itself
// (which WIT forbids, but a hand-made Resolve may have) is an error rather
// than endless recursion.
var inProgress = &layout{size: 4, align: 4, flat: []Flat{I32}, err: fmt.Errorf("type contains itself")}

func (t *Types) def(id wit.TypeID) *layout {
	if l := t.layouts[id]; l != nil {
		return l
	}
	t.layouts[id] = inProgress
	td := t.R.Types[id]
	var l *layout
	switch td.Kind {
	case wit.KindAlias:
		l = t.of(td.Elem)
	case wit.KindRecord:
		l = t.record(len(td.Fields), func(i int) wit.Type { return td.Fields[i].Type })
	case wit.KindTuple:
		l = t.record(len(td.Types), func(i int) wit.Type { return td.Types[i] })
	case wit.KindFixedList:
		l = t.fixedList(td.Elem, td.Size)
	case wit.KindVariant, wit.KindEnum, wit.KindOption, wit.KindResult:
		l = t.variant(cases(td), numCases(td))
	case wit.KindFlags:
		n := len(td.Flags)
		switch {
		case n <= 8:
			l = &layout{size: 1, align: 1, flat: []Flat{I32}}
		case n <= 16:
			l = &layout{size: 2, align: 2, flat: []Flat{I32}}
		case n <= 32:
			l = &layout{size: 4, align: 4, flat: []Flat{I32}}
		default:
			l = &layout{size: 4, align: 4, flat: []Flat{I32}, err: fmt.Errorf("flags with %d labels: at most 32 are allowed", n)}
		}
	case wit.KindList, wit.KindMap:
		l = &layout{size: 8, align: 4, flat: []Flat{I32, I32}}
		if e := t.of(td.Elem).err; e != nil {
			l.err = e
		}
	case wit.KindOwn, wit.KindBorrow, wit.KindResource:
		l = &layout{size: 4, align: 4, flat: []Flat{I32}}
	case wit.KindFuture, wit.KindStream:
		l = &layout{size: 4, align: 4, flat: []Flat{I32}, err: fmt.Errorf("%s values are not supported yet (async is not implemented)", td.Kind)}
	default:
		l = &layout{size: 4, align: 4, flat: []Flat{I32}, err: fmt.Errorf("type of kind %s cannot cross the ABI", td.Kind)}
	}
	t.layouts[id] = l
	return l
}

// setSize stores a size computed in 64 bits, or the error of a type too
// large for the component model (then the size is clamped so that
// enclosing types' arithmetic stays small).
func (l *layout) setSize(size uint64) {
	if size > MaxTypeSize {
		if l.err == nil {
			l.err = fmt.Errorf("type of %d bytes is too large: the component model allows at most %d (2^28-1) bytes per value", size, MaxTypeSize)
		}
		size = MaxTypeSize + 1
	}
	l.size = uint32(size)
}

func appendFlat(dst, src []Flat) []Flat {
	if n := flatCap - len(dst); len(src) > n {
		src = src[:max(n, 0)]
	}
	return append(dst, src...)
}

// record lays out n fields in order, each at its alignment.
func (t *Types) record(n int, field func(int) wit.Type) *layout {
	l := &layout{align: 1}
	var size uint64
	for i := range n {
		f := t.of(field(i))
		if f.err != nil && l.err == nil {
			l.err = f.err
		}
		// Each field is at most MaxTypeSize+1 bytes, so size stays below
		// n × 2^28: no overflow for any n a decoder can produce.
		size = alignTo64(size, f.align) + uint64(f.size)
		l.align = max(l.align, f.align)
		l.flat = appendFlat(l.flat, f.flat)
		if size > MaxTypeSize {
			size = MaxTypeSize + 1 // keep the sum bounded; setSize reports it
		}
	}
	l.setSize(alignTo64(size, l.align))
	return l
}

// fixedList lays out n elements like a tuple of n copies of elem (whose size
// is already a multiple of its alignment), in time and memory independent
// of n.
func (t *Types) fixedList(elem wit.Type, n uint32) *layout {
	e := t.of(elem)
	l := &layout{align: e.align, err: e.err}
	if n == 0 && l.err == nil {
		l.err = fmt.Errorf("fixed-length list of length 0")
	}
	l.setSize(uint64(n) * uint64(e.size))
	for i := uint32(0); i < n && len(l.flat) < flatCap; i++ {
		l.flat = appendFlat(l.flat, e.flat)
	}
	return l
}

// variant lays out a discriminant followed by the largest payload; the flat
// form joins the cases' flattenings slot by slot.
func (t *Types) variant(cs []wit.Type, n int) *layout {
	ds := discSize(n)
	caseAlign := uint32(1)
	var payload uint32
	var flat []Flat
	l := &layout{cases: cs, ncases: n}
	for _, c := range cs {
		if c.IsNone() {
			continue
		}
		f := t.of(c)
		if f.err != nil && l.err == nil {
			l.err = f.err
		}
		caseAlign = max(caseAlign, f.align)
		payload = max(payload, f.size)
		for i, ft := range f.flat {
			if i < len(flat) {
				flat[i] = join(flat[i], ft)
			} else {
				flat = append(flat, ft)
			}
		}
	}
	l.align = max(ds, caseAlign)
	l.payloadOff = alignTo(ds, caseAlign)
	l.setSize(alignTo64(uint64(l.payloadOff)+uint64(payload), l.align))
	l.flat = appendFlat([]Flat{I32}, flat)
	return l
}

// cases returns the payload types of a variant, option or result, or nil
// for an enum (no case has a payload) and other kinds.
func cases(td *wit.TypeDef) []wit.Type {
	switch td.Kind {
	case wit.KindVariant:
		cs := make([]wit.Type, len(td.Cases))
		for i, c := range td.Cases {
			cs[i] = c.Type
		}
		return cs
	case wit.KindOption:
		return []wit.Type{{}, td.Elem}
	case wit.KindResult:
		return []wit.Type{td.Ok, td.Err}
	}
	return nil
}

func numCases(td *wit.TypeDef) int {
	switch td.Kind {
	case wit.KindVariant:
		return len(td.Cases)
	case wit.KindEnum:
		return len(td.Enum)
	}
	return 2
}

// payloadType is the payload type of case disc (None when it has none).
func (l *layout) payloadType(disc uint32) wit.Type {
	if l.cases == nil {
		return wit.Type{}
	}
	return l.cases[disc]
}

// SizeAlign returns a type's size and alignment in memory.
func (t *Types) SizeAlign(ty wit.Type) (size, align uint32) {
	l := t.of(ty)
	return l.size, l.align
}

// Flatten returns a type's flat core types (cut after MaxFlatParams+1
// values: a longer flattening never travels flat).
func (t *Types) Flatten(ty wit.Type) []Flat { return t.of(ty).flat }

// Check reports whether values of ty can cross the ABI.
func (t *Types) Check(ty wit.Type) error { return t.of(ty).err }
