package abi

import (
	"encoding/binary"
	"fmt"
	"math"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/bigband-dev/bigband/wit"
)

func badValue(want string, v any) error {
	return fmt.Errorf("want %s, got %T", want, v)
}

// scalarBits converts a scalar Go value to the bits of its flat form.
func scalarBits(p wit.Prim, v any) (uint64, error) {
	switch p {
	case wit.Bool:
		if b, ok := v.(bool); ok {
			if b {
				return 1, nil
			}
			return 0, nil
		}
		return 0, badValue("bool", v)
	case wit.U8:
		if x, ok := v.(uint8); ok {
			return uint64(x), nil
		}
		return 0, badValue("uint8", v)
	case wit.S8:
		if x, ok := v.(int8); ok {
			return uint64(uint32(int32(x))), nil
		}
		return 0, badValue("int8", v)
	case wit.U16:
		if x, ok := v.(uint16); ok {
			return uint64(x), nil
		}
		return 0, badValue("uint16", v)
	case wit.S16:
		if x, ok := v.(int16); ok {
			return uint64(uint32(int32(x))), nil
		}
		return 0, badValue("int16", v)
	case wit.U32:
		if x, ok := v.(uint32); ok {
			return uint64(x), nil
		}
		return 0, badValue("uint32", v)
	case wit.S32:
		if x, ok := v.(int32); ok {
			return uint64(uint32(x)), nil
		}
		return 0, badValue("int32", v)
	case wit.U64:
		if x, ok := v.(uint64); ok {
			return x, nil
		}
		return 0, badValue("uint64", v)
	case wit.S64:
		if x, ok := v.(int64); ok {
			return uint64(x), nil
		}
		return 0, badValue("int64", v)
	case wit.F32:
		if x, ok := v.(float32); ok {
			if x != x {
				x = canonicalNaN32
			}
			return uint64(math.Float32bits(x)), nil
		}
		return 0, badValue("float32", v)
	case wit.F64:
		if x, ok := v.(float64); ok {
			if x != x {
				x = canonicalNaN64
			}
			return math.Float64bits(x), nil
		}
		return 0, badValue("float64", v)
	case wit.Char:
		if x, ok := v.(rune); ok {
			if x < 0 || x > 0x10FFFF || (x >= 0xD800 && x <= 0xDFFF) {
				return 0, fmt.Errorf("invalid char %#x", x)
			}
			return uint64(x), nil
		}
		return 0, badValue("rune", v)
	}
	return 0, fmt.Errorf("not a scalar type")
}

// store writes v of type ty at ptr.
func (cx *Cx) store(ptr uint32, v any, ty wit.Type) error {
	l := cx.Types.of(ty)
	if l.err != nil {
		return l.err
	}
	m, err := cx.mem()
	if err != nil {
		return err
	}
	// The whole value must be in bounds (which also keeps ptr+offset below
	// for its parts from wrapping around).
	if _, err := cx.read(ptr, l.size); err != nil {
		return err
	}
	if ty.Prim == wit.String {
		s, ok := v.(string)
		if !ok {
			return badValue("string", v)
		}
		p, n, err := cx.storeString(s)
		if err != nil {
			return err
		}
		return cx.write64(ptr, uint64(p)|uint64(n)<<32)
	}
	if ty.Prim != wit.Ref {
		bits, err := scalarBits(ty.Prim, v)
		if err != nil {
			return err
		}
		return cx.writeN(m, ptr, bits, l.size)
	}
	td := cx.Types.R.Types[ty.ID]
	switch td.Kind {
	case wit.KindAlias:
		return cx.store(ptr, v, td.Elem)
	case wit.KindRecord:
		vs, ok := v.(Record)
		if !ok || len(vs) != len(td.Fields) {
			return badValue(fmt.Sprintf("Record of %d fields", len(td.Fields)), v)
		}
		types := make([]wit.Type, len(td.Fields))
		for i, f := range td.Fields {
			types[i] = f.Type
		}
		return cx.storeSeq(ptr, vs, types)
	case wit.KindTuple:
		vs, ok := v.(Tuple)
		if !ok || len(vs) != len(td.Types) {
			return badValue(fmt.Sprintf("Tuple of %d values", len(td.Types)), v)
		}
		return cx.storeSeq(ptr, vs, td.Types)
	case wit.KindFixedList:
		vs, ok := v.([]any)
		if !ok || len(vs) != int(td.Size) {
			return badValue(fmt.Sprintf("[]any of %d values", td.Size), v)
		}
		size := cx.Types.of(td.Elem).size
		for i, e := range vs {
			if err := cx.store(ptr+uint32(i)*size, e, td.Elem); err != nil {
				return err
			}
		}
		return nil
	case wit.KindList, wit.KindMap:
		p, n, err := cx.storeList(v, td.Elem)
		if err != nil {
			return err
		}
		return cx.write64(ptr, uint64(p)|uint64(n)<<32)
	case wit.KindFlags:
		f, err := flagsValue(td, v)
		if err != nil {
			return err
		}
		return cx.writeN(m, ptr, uint64(f), l.size)
	case wit.KindVariant, wit.KindEnum, wit.KindOption, wit.KindResult:
		disc, payload, err := variantParts(td.Kind, v, l.ncases)
		if err != nil {
			return err
		}
		if err := cx.writeN(m, ptr, uint64(disc), discSize(l.ncases)); err != nil {
			return err
		}
		pt := l.payloadType(disc)
		if pt.IsNone() {
			if payload != nil {
				return fmt.Errorf("case %d of %s has no payload, got %T", disc, td.Kind, payload)
			}
			return nil
		}
		return cx.store(ptr+l.payloadOff, payload, pt)
	case wit.KindOwn, wit.KindBorrow, wit.KindResource:
		i, err := cx.lowerHandle(td, ty.ID, v)
		if err != nil {
			return err
		}
		return cx.writeN(m, ptr, uint64(i), 4)
	}
	return fmt.Errorf("cannot store a %s", td.Kind)
}

func (cx *Cx) writeN(m interface{ Write(uint32, []byte) bool }, ptr uint32, bits uint64, n uint32) error {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], bits)
	if !m.Write(ptr, b[:n]) {
		return trapf("out of bounds memory access at %#x (+%d)", ptr, n)
	}
	return nil
}

func (cx *Cx) write64(ptr uint32, bits uint64) error {
	m, err := cx.mem()
	if err != nil {
		return err
	}
	return cx.writeN(m, ptr, bits, 8)
}

func (cx *Cx) storeSeq(ptr uint32, vs []any, types []wit.Type) error {
	off := uint32(0)
	for i, t := range types {
		l := cx.Types.of(t)
		off = alignTo(off, l.align)
		if err := cx.store(ptr+off, vs[i], t); err != nil {
			return err
		}
		off += l.size
	}
	return nil
}

func flagsValue(td *wit.TypeDef, v any) (uint32, error) {
	f, ok := v.(Flags)
	if !ok {
		return 0, badValue("Flags", v)
	}
	if len(td.Flags) < 32 && uint32(f)>>len(td.Flags) != 0 {
		return 0, fmt.Errorf("flags %#x set bits beyond the %d labels", uint32(f), len(td.Flags))
	}
	return uint32(f), nil
}

// variantParts splits a variant-like Go value into case index and payload.
func variantParts(k wit.TypeDefKind, v any, n int) (uint32, any, error) {
	var disc uint32
	var payload any
	switch k {
	case wit.KindEnum:
		e, ok := v.(Enum)
		if !ok {
			return 0, nil, badValue("Enum", v)
		}
		disc = uint32(e)
	case wit.KindOption:
		o, ok := v.(Option)
		if !ok {
			return 0, nil, badValue("Option", v)
		}
		if o.Some {
			disc, payload = 1, o.Value
		}
	case wit.KindResult:
		r, ok := v.(Result)
		if !ok {
			return 0, nil, badValue("Result", v)
		}
		if r.Err {
			disc = 1
		}
		payload = r.Value
	default:
		vr, ok := v.(Variant)
		if !ok {
			return 0, nil, badValue("Variant", v)
		}
		disc, payload = vr.Case, vr.Value
	}
	if disc >= uint32(n) {
		return 0, nil, fmt.Errorf("case %d out of range (%d cases)", disc, n)
	}
	return disc, payload, nil
}

func (cx *Cx) lowerHandle(td *wit.TypeDef, id wit.TypeID, v any) (uint32, error) {
	res, own := handleTarget(td, id)
	rt, err := cx.resourceOf(res)
	if err != nil {
		return 0, err
	}
	if own {
		return cx.lowerOwn(rt, v)
	}
	return cx.lowerBorrow(rt, v)
}

// storeList copies a list into freshly allocated guest memory.
func (cx *Cx) storeList(v any, elem wit.Type) (uint32, uint32, error) {
	l := cx.Types.of(elem)
	if l.err != nil {
		return 0, 0, l.err
	}
	if b, ok := v.([]byte); ok && elem.Prim == wit.U8 {
		if len(b) > maxByteLength {
			return 0, 0, fmt.Errorf("list of %d bytes is too long", len(b))
		}
		p, err := cx.alloc(1, uint32(len(b)))
		if err != nil {
			return 0, 0, err
		}
		if !cx.Memory.Write(p, b) {
			return 0, 0, trapf("out of bounds memory access at %#x", p)
		}
		return p, uint32(len(b)), nil
	}
	vs, ok := v.([]any)
	if !ok {
		return 0, 0, badValue("[]any", v)
	}
	if uint64(len(vs))*uint64(l.size) > maxByteLength {
		return 0, 0, fmt.Errorf("list of %d elements is too long", len(vs))
	}
	p, err := cx.alloc(l.align, uint32(len(vs))*l.size)
	if err != nil {
		return 0, 0, err
	}
	for i, e := range vs {
		if err := cx.store(p+uint32(i)*l.size, e, elem); err != nil {
			return 0, 0, err
		}
	}
	return p, uint32(len(vs)), nil
}

// storeString encodes s in the guest's encoding into fresh memory and
// returns the pointer and (tagged) code units.
func (cx *Cx) storeString(s string) (uint32, uint32, error) {
	if !utf8.ValidString(s) {
		return 0, 0, fmt.Errorf("string is not valid UTF-8")
	}
	var b []byte
	var align, units uint32
	switch cx.Encoding {
	case UTF8:
		b, align, units = []byte(s), 1, uint32(len(s))
	case UTF16:
		b, units = encodeUTF16(s)
		align = 2
	case Latin1UTF16:
		align = 2
		if lat, ok := encodeLatin1(s); ok {
			b, units = lat, uint32(len(lat))
		} else {
			b, units = encodeUTF16(s)
			units |= utf16Tag
		}
	}
	if len(b) > maxByteLength {
		return 0, 0, fmt.Errorf("string of %d bytes is too long", len(b))
	}
	p, err := cx.alloc(align, uint32(len(b)))
	if err != nil {
		return 0, 0, err
	}
	if !cx.Memory.Write(p, b) {
		return 0, 0, trapf("out of bounds memory access at %#x", p)
	}
	return p, units, nil
}

func encodeUTF16(s string) ([]byte, uint32) {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b, uint32(len(u))
}

func encodeLatin1(s string) ([]byte, bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r >= 256 {
			return nil, false
		}
		b = append(b, byte(r))
	}
	return b, true
}

// lowerFlat appends the flat core values of v to dst.
func (cx *Cx) lowerFlat(dst []uint64, v any, ty wit.Type) ([]uint64, error) {
	l := cx.Types.of(ty)
	if l.err != nil {
		return nil, l.err
	}
	if len(l.flat) > MaxFlatParams {
		return nil, fmt.Errorf("a value of more than %d flat values cannot be passed flat", MaxFlatParams)
	}
	switch ty.Prim {
	case wit.Ref:
	case wit.String:
		s, ok := v.(string)
		if !ok {
			return nil, badValue("string", v)
		}
		p, n, err := cx.storeString(s)
		if err != nil {
			return nil, err
		}
		return append(dst, uint64(p), uint64(n)), nil
	default:
		bits, err := scalarBits(ty.Prim, v)
		if err != nil {
			return nil, err
		}
		return append(dst, bits), nil
	}
	td := cx.Types.R.Types[ty.ID]
	var err error
	switch td.Kind {
	case wit.KindAlias:
		return cx.lowerFlat(dst, v, td.Elem)
	case wit.KindRecord:
		vs, ok := v.(Record)
		if !ok || len(vs) != len(td.Fields) {
			return nil, badValue(fmt.Sprintf("Record of %d fields", len(td.Fields)), v)
		}
		for i, f := range td.Fields {
			if dst, err = cx.lowerFlat(dst, vs[i], f.Type); err != nil {
				return nil, err
			}
		}
		return dst, nil
	case wit.KindTuple:
		vs, ok := v.(Tuple)
		if !ok || len(vs) != len(td.Types) {
			return nil, badValue(fmt.Sprintf("Tuple of %d values", len(td.Types)), v)
		}
		for i, t := range td.Types {
			if dst, err = cx.lowerFlat(dst, vs[i], t); err != nil {
				return nil, err
			}
		}
		return dst, nil
	case wit.KindFixedList:
		vs, ok := v.([]any)
		if !ok || len(vs) != int(td.Size) {
			return nil, badValue(fmt.Sprintf("[]any of %d values", td.Size), v)
		}
		for _, e := range vs {
			if dst, err = cx.lowerFlat(dst, e, td.Elem); err != nil {
				return nil, err
			}
		}
		return dst, nil
	case wit.KindList, wit.KindMap:
		p, n, err := cx.storeList(v, td.Elem)
		if err != nil {
			return nil, err
		}
		return append(dst, uint64(p), uint64(n)), nil
	case wit.KindFlags:
		f, err := flagsValue(td, v)
		if err != nil {
			return nil, err
		}
		return append(dst, uint64(f)), nil
	case wit.KindVariant, wit.KindEnum, wit.KindOption, wit.KindResult:
		disc, payload, err := variantParts(td.Kind, v, l.ncases)
		if err != nil {
			return nil, err
		}
		start := len(dst)
		dst = append(dst, uint64(disc))
		if pt := l.payloadType(disc); !pt.IsNone() {
			if dst, err = cx.lowerFlat(dst, payload, pt); err != nil {
				return nil, err
			}
		} else if payload != nil {
			return nil, fmt.Errorf("case %d of %s has no payload, got %T", disc, td.Kind, payload)
		}
		// Unused joined slots are zero. Values already sit in the low bits
		// of their slot, which is what the join's zero-extension requires.
		for len(dst)-start < len(l.flat) {
			dst = append(dst, 0)
		}
		return dst, nil
	case wit.KindOwn, wit.KindBorrow, wit.KindResource:
		i, err := cx.lowerHandle(td, ty.ID, v)
		if err != nil {
			return nil, err
		}
		return append(dst, uint64(i)), nil
	}
	return nil, fmt.Errorf("cannot lower a %s", td.Kind)
}
