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
	flat        []Flat
	err         error // the type can't cross the ABI (e.g. stream)
}

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

var primLayouts = [...]layout{
	wit.Bool:         {1, 1, []Flat{I32}, nil},
	wit.U8:           {1, 1, []Flat{I32}, nil},
	wit.S8:           {1, 1, []Flat{I32}, nil},
	wit.U16:          {2, 2, []Flat{I32}, nil},
	wit.S16:          {2, 2, []Flat{I32}, nil},
	wit.U32:          {4, 4, []Flat{I32}, nil},
	wit.S32:          {4, 4, []Flat{I32}, nil},
	wit.Char:         {4, 4, []Flat{I32}, nil},
	wit.F32:          {4, 4, []Flat{F32}, nil},
	wit.U64:          {8, 8, []Flat{I64}, nil},
	wit.S64:          {8, 8, []Flat{I64}, nil},
	wit.F64:          {8, 8, []Flat{F64}, nil},
	wit.String:       {8, 4, []Flat{I32, I32}, nil},
	wit.ErrorContext: {4, 4, []Flat{I32}, fmt.Errorf("error-context values are not supported yet")},
}

// of returns the layout of t.
func (t *Types) of(ty wit.Type) *layout {
	if ty.Prim == wit.Ref {
		return t.def(ty.ID)
	}
	return &primLayouts[ty.Prim]
}

func alignTo(n, a uint32) uint32 { return (n + a - 1) / a * a }

func discSize(n int) uint32 {
	switch {
	case n <= 1<<8:
		return 1
	case n <= 1<<16:
		return 2
	}
	return 4
}

func (t *Types) def(id wit.TypeID) *layout {
	if l := t.layouts[id]; l != nil {
		return l
	}
	td := t.R.Types[id]
	var l *layout
	switch td.Kind {
	case wit.KindAlias:
		l = t.of(td.Elem)
	case wit.KindRecord:
		types := make([]wit.Type, len(td.Fields))
		for i, f := range td.Fields {
			types[i] = f.Type
		}
		l = t.record(types)
	case wit.KindTuple:
		l = t.record(td.Types)
	case wit.KindFixedList:
		types := make([]wit.Type, td.Size)
		for i := range types {
			types[i] = td.Elem
		}
		l = t.record(types)
	case wit.KindVariant, wit.KindEnum, wit.KindOption, wit.KindResult:
		l = t.variant(cases(td))
	case wit.KindFlags:
		n := len(td.Flags)
		switch {
		case n <= 8:
			l = &layout{1, 1, []Flat{I32}, nil}
		case n <= 16:
			l = &layout{2, 2, []Flat{I32}, nil}
		case n <= 32:
			l = &layout{4, 4, []Flat{I32}, nil}
		default:
			l = &layout{4, 4, []Flat{I32}, fmt.Errorf("flags with %d labels: at most 32 are allowed", n)}
		}
	case wit.KindList, wit.KindMap:
		l = &layout{8, 4, []Flat{I32, I32}, nil}
		if e := t.of(td.Elem).err; e != nil {
			l.err = e
		}
	case wit.KindOwn, wit.KindBorrow, wit.KindResource:
		l = &layout{4, 4, []Flat{I32}, nil}
	case wit.KindFuture, wit.KindStream:
		l = &layout{4, 4, []Flat{I32}, fmt.Errorf("%s values are not supported yet (async is not implemented)", td.Kind)}
	default:
		l = &layout{4, 4, []Flat{I32}, fmt.Errorf("type of kind %s cannot cross the ABI", td.Kind)}
	}
	t.layouts[id] = l
	return l
}

// record lays out fields in order, each at its alignment.
func (t *Types) record(types []wit.Type) *layout {
	l := &layout{align: 1}
	for _, ty := range types {
		f := t.of(ty)
		if f.err != nil && l.err == nil {
			l.err = f.err
		}
		l.size = alignTo(l.size, f.align) + f.size
		l.align = max(l.align, f.align)
		l.flat = append(l.flat, f.flat...)
	}
	l.size = alignTo(l.size, l.align)
	return l
}

// variant lays out a discriminant followed by the largest payload; the flat
// form joins the cases' flattenings slot by slot.
func (t *Types) variant(cs []wit.Type) *layout {
	ds := discSize(len(cs))
	caseAlign := uint32(1)
	var payload uint32
	var flat []Flat
	l := &layout{}
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
	l.size = alignTo(alignTo(ds, caseAlign)+payload, l.align)
	l.flat = append([]Flat{I32}, flat...)
	return l
}

// cases returns the payload types of a variant-like type (variant, enum,
// option, result), or nil for other kinds.
func cases(td *wit.TypeDef) []wit.Type {
	switch td.Kind {
	case wit.KindVariant:
		cs := make([]wit.Type, len(td.Cases))
		for i, c := range td.Cases {
			cs[i] = c.Type
		}
		return cs
	case wit.KindEnum:
		return make([]wit.Type, len(td.Enum))
	case wit.KindOption:
		return []wit.Type{{}, td.Elem}
	case wit.KindResult:
		return []wit.Type{td.Ok, td.Err}
	}
	return nil
}

// payloadOffset is where a variant's payload starts in memory.
func (t *Types) payloadOffset(cs []wit.Type) uint32 {
	caseAlign := uint32(1)
	for _, c := range cs {
		if !c.IsNone() {
			caseAlign = max(caseAlign, t.of(c).align)
		}
	}
	return alignTo(discSize(len(cs)), caseAlign)
}

// SizeAlign returns a type's size and alignment in memory.
func (t *Types) SizeAlign(ty wit.Type) (size, align uint32) {
	l := t.of(ty)
	return l.size, l.align
}

// Flatten returns a type's flat core types.
func (t *Types) Flatten(ty wit.Type) []Flat { return t.of(ty).flat }

// Check reports whether values of ty can cross the ABI.
func (t *Types) Check(ty wit.Type) error { return t.of(ty).err }
