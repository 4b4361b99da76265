package abi

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/bigband-dev/bigband/wit"
)

var (
	canonicalNaN32 = math.Float32frombits(0x7fc00000)
	canonicalNaN64 = math.Float64frombits(0x7ff8000000000000)
)

func liftF32(bits uint32) float32 {
	f := math.Float32frombits(bits)
	if f != f {
		return canonicalNaN32
	}
	return f
}

func liftF64(bits uint64) float64 {
	f := math.Float64frombits(bits)
	if f != f {
		return canonicalNaN64
	}
	return f
}

func liftChar(i uint32) (rune, error) {
	if i >= 0x110000 || (i >= 0xD800 && i <= 0xDFFF) {
		return 0, trapf("invalid char %#x", i)
	}
	return rune(i), nil
}

// load reads a value of type ty at ptr, charging it to the budget.
func (cx *Cx) load(ptr uint32, ty wit.Type) (any, error) {
	l := cx.Types.of(ty)
	if l.err != nil {
		return nil, l.err
	}
	ty = cx.Types.unalias(ty)
	if err := cx.charge(0, 1); err != nil {
		return nil, err
	}
	if ptr%l.align != 0 {
		return nil, trapf("misaligned pointer %#x for a value of alignment %d", ptr, l.align)
	}
	b, err := cx.read(ptr, l.size)
	if err != nil {
		return nil, err
	}
	switch ty.Prim {
	case wit.Bool:
		return b[0] != 0, nil
	case wit.U8:
		return b[0], nil
	case wit.S8:
		return int8(b[0]), nil
	case wit.U16:
		return binary.LittleEndian.Uint16(b), nil
	case wit.S16:
		return int16(binary.LittleEndian.Uint16(b)), nil
	case wit.U32:
		return binary.LittleEndian.Uint32(b), nil
	case wit.S32:
		return int32(binary.LittleEndian.Uint32(b)), nil
	case wit.U64:
		return binary.LittleEndian.Uint64(b), nil
	case wit.S64:
		return int64(binary.LittleEndian.Uint64(b)), nil
	case wit.F32:
		return liftF32(binary.LittleEndian.Uint32(b)), nil
	case wit.F64:
		return liftF64(binary.LittleEndian.Uint64(b)), nil
	case wit.Char:
		return liftChar(binary.LittleEndian.Uint32(b))
	case wit.String:
		return cx.loadString(binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint32(b[4:]))
	case wit.Ref:
		return cx.loadDef(ptr, b, ty.ID, l)
	}
	return nil, trapf("cannot load type %v", ty)
}

func (cx *Cx) loadDef(ptr uint32, b []byte, id wit.TypeID, l *layout) (any, error) {
	td := cx.Types.R.Types[id]
	switch td.Kind {
	case wit.KindRecord:
		rec := make(Record, len(td.Fields))
		off := uint32(0)
		for i, f := range td.Fields {
			fl := cx.Types.of(f.Type)
			off = alignTo(off, fl.align)
			v, err := cx.load(ptr+off, f.Type)
			if err != nil {
				return nil, at(err, "."+f.Name)
			}
			rec[i] = v
			off += fl.size
		}
		return rec, nil
	case wit.KindTuple:
		vs := make(Tuple, len(td.Types))
		off := uint32(0)
		for i, t := range td.Types {
			tl := cx.Types.of(t)
			off = alignTo(off, tl.align)
			v, err := cx.load(ptr+off, t)
			if err != nil {
				return nil, at(err, "."+strconv.Itoa(i))
			}
			vs[i] = v
			off += tl.size
		}
		return vs, nil
	case wit.KindFixedList:
		return cx.loadElems(ptr, td.Size, td.Elem)
	case wit.KindList, wit.KindMap:
		return cx.loadList(binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint32(b[4:]), td.Elem)
	case wit.KindFlags:
		var bits uint32
		switch len(b) {
		case 1:
			bits = uint32(b[0])
		case 2:
			bits = uint32(binary.LittleEndian.Uint16(b))
		default:
			bits = binary.LittleEndian.Uint32(b)
		}
		return Flags(bits), nil
	case wit.KindVariant, wit.KindEnum, wit.KindOption, wit.KindResult:
		var disc uint32
		switch discSize(l.ncases) {
		case 1:
			disc = uint32(b[0])
		case 2:
			disc = uint32(binary.LittleEndian.Uint16(b))
		default:
			disc = binary.LittleEndian.Uint32(b)
		}
		if disc >= uint32(l.ncases) {
			return nil, trapf("invalid %s discriminant %d", td.Kind, disc)
		}
		var payload any
		if pt := l.payloadType(disc); !pt.IsNone() {
			v, err := cx.load(ptr+l.payloadOff, pt)
			if err != nil {
				return nil, at(err, caseSegment(td, disc))
			}
			payload = v
		}
		return variantValue(td.Kind, disc, payload), nil
	case wit.KindOwn, wit.KindBorrow, wit.KindResource:
		return cx.liftHandle(td, id, binary.LittleEndian.Uint32(b))
	}
	return nil, trapf("cannot load a %s", td.Kind)
}

// caseSegment names a variant case in a trap's path.
func caseSegment(td *wit.TypeDef, disc uint32) string {
	switch td.Kind {
	case wit.KindOption:
		return ".some"
	case wit.KindResult:
		return [...]string{".ok", ".err"}[disc]
	case wit.KindVariant:
		return "." + td.Cases[disc].Name
	}
	return ""
}

func (cx *Cx) liftHandle(td *wit.TypeDef, id wit.TypeID, i uint32) (any, error) {
	res, own := handleTarget(td, id)
	rt, err := cx.resourceOf(res)
	if err != nil {
		return nil, err
	}
	if own {
		return cx.liftOwn(rt, i)
	}
	return cx.liftBorrow(rt, i)
}

// variantValue builds the Go value of a variant-like kind.
func variantValue(k wit.TypeDefKind, disc uint32, payload any) any {
	switch k {
	case wit.KindEnum:
		return Enum(disc)
	case wit.KindOption:
		return Option{Some: disc == 1, Value: payload}
	case wit.KindResult:
		return Result{Err: disc == 1, Value: payload}
	}
	return Variant{Case: disc, Value: payload}
}

// loadElems reads n consecutive elements at ptr (a list's or a fixed-length
// list's), whose memory the caller has checked. The budget must hold n more
// elements before their slice is allocated; each is then charged as it is
// read.
func (cx *Cx) loadElems(ptr, n uint32, elem wit.Type) (any, error) {
	if err := cx.fits(0, uint64(n)); err != nil {
		return nil, err
	}
	size := cx.Types.of(elem).size
	vs := make([]any, n)
	for i := range vs {
		v, err := cx.load(ptr+uint32(i)*size, elem)
		if err != nil {
			return nil, at(err, "["+strconv.Itoa(i)+"]")
		}
		vs[i] = v
	}
	return vs, nil
}

func (cx *Cx) loadList(ptr, n uint32, elem wit.Type) (any, error) {
	l := cx.Types.of(elem)
	if l.err != nil {
		return nil, l.err
	}
	byteLen := uint64(n) * uint64(l.size)
	// n itself is bounded too, should an element ever have no size.
	if byteLen > maxByteLength || n > maxByteLength {
		return nil, trapf("list of %d elements (%d bytes) is too long: the canonical ABI allows at most %d bytes", n, byteLen, maxByteLength)
	}
	if ptr%l.align != 0 {
		return nil, trapf("misaligned list pointer %#x", ptr)
	}
	b, err := cx.read(ptr, uint32(byteLen))
	if err != nil {
		return nil, err
	}
	if err := cx.charge(byteLen, 0); err != nil {
		return nil, err
	}
	if elem.Prim == wit.U8 {
		return append([]byte(nil), b...), nil
	}
	return cx.loadElems(ptr, n, elem)
}

const utf16Tag = 1 << 31

func (cx *Cx) loadString(ptr, units uint32) (string, error) {
	var byteLen uint64
	var align uint32
	enc := cx.Encoding
	switch enc {
	case UTF8:
		byteLen, align = uint64(units), 1
	case UTF16:
		byteLen, align = 2*uint64(units), 2
	case Latin1UTF16:
		align = 2
		if units&utf16Tag != 0 {
			byteLen, enc = 2*uint64(units^utf16Tag), UTF16
		} else {
			byteLen = uint64(units)
		}
	}
	if byteLen > maxByteLength {
		return "", trapf("string of %d code units is too long: the canonical ABI allows at most %d bytes", units&^utf16Tag, maxByteLength)
	}
	if ptr%align != 0 {
		return "", trapf("misaligned string pointer %#x", ptr)
	}
	b, err := cx.read(ptr, uint32(byteLen))
	if err != nil {
		return "", err
	}
	// Strings are charged by code units, which never exceed the UTF-8
	// length of the text (so limits stated in UTF-8 bytes hold for every
	// encoding) and at most triple into Go memory.
	units64 := byteLen
	if enc == UTF16 {
		units64 /= 2
	}
	if err := cx.charge(units64, 0); err != nil {
		return "", err
	}
	switch enc {
	case UTF8:
		if !utf8.Valid(b) {
			return "", trapf("string is not valid UTF-8")
		}
		return string(b), nil
	case UTF16:
		return decodeUTF16(b)
	}
	return decodeLatin1(b), nil
}

// decodeUTF16 converts little-endian UTF-16 to a Go string in one pass and
// one allocation of at most 1.5 bytes per input byte.
func decodeUTF16(b []byte) (string, error) {
	var out strings.Builder
	out.Grow(len(b) / 2 * 3)
	for i := 0; i+1 < len(b); i += 2 {
		c := rune(binary.LittleEndian.Uint16(b[i:]))
		switch {
		case c >= 0xD800 && c < 0xDC00:
			if i+3 >= len(b) {
				return "", trapf("string is not valid UTF-16")
			}
			c2 := rune(binary.LittleEndian.Uint16(b[i+2:]))
			if c2 < 0xDC00 || c2 > 0xDFFF {
				return "", trapf("string is not valid UTF-16")
			}
			c = utf16.DecodeRune(c, c2)
			i += 2
		case c >= 0xDC00 && c <= 0xDFFF:
			return "", trapf("string is not valid UTF-16")
		}
		out.WriteRune(c)
	}
	return out.String(), nil
}

// decodeLatin1 converts Latin-1 (bytes are code points) to a Go string.
func decodeLatin1(b []byte) string {
	n := len(b)
	for _, c := range b {
		if c >= 0x80 {
			n++
		}
	}
	var out strings.Builder
	out.Grow(n)
	for _, c := range b {
		out.WriteRune(rune(c))
	}
	return out.String()
}

// flatIter reads flat values, reinterpreting between the types a variant's
// join put in a slot.
type flatIter struct {
	vals []uint64
	i    int
}

func (it *flatIter) next() (uint64, error) {
	if it.i >= len(it.vals) {
		return 0, trapf("too few core values")
	}
	v := it.vals[it.i]
	it.i++
	return v, nil
}

// liftFlat reads a value of type ty from flat core values, charging it to
// the budget. Each flat slot holds the bit pattern wazero uses (i32 and f32
// in the low 32 bits), so the variant coercions reduce to taking the low
// bits.
func (cx *Cx) liftFlat(it *flatIter, ty wit.Type) (any, error) {
	l := cx.Types.of(ty)
	if l.err != nil {
		return nil, l.err
	}
	if len(l.flat) > MaxFlatParams {
		return nil, fmt.Errorf("a value of more than %d flat values cannot be passed flat", MaxFlatParams)
	}
	ty = cx.Types.unalias(ty)
	if err := cx.charge(0, 1); err != nil {
		return nil, err
	}
	if ty.Prim != wit.Ref {
		if ty.Prim == wit.String {
			p, err := it.next()
			if err != nil {
				return nil, err
			}
			n, err := it.next()
			if err != nil {
				return nil, err
			}
			return cx.loadString(uint32(p), uint32(n))
		}
		v, err := it.next()
		if err != nil {
			return nil, err
		}
		switch ty.Prim {
		case wit.Bool:
			return uint32(v) != 0, nil
		case wit.U8:
			return uint8(v), nil
		case wit.S8:
			return int8(v), nil
		case wit.U16:
			return uint16(v), nil
		case wit.S16:
			return int16(v), nil
		case wit.U32:
			return uint32(v), nil
		case wit.S32:
			return int32(v), nil
		case wit.U64:
			return v, nil
		case wit.S64:
			return int64(v), nil
		case wit.F32:
			return liftF32(uint32(v)), nil
		case wit.F64:
			return liftF64(v), nil
		case wit.Char:
			return liftChar(uint32(v))
		}
		return nil, trapf("cannot lift %v", ty)
	}
	td := cx.Types.R.Types[ty.ID]
	switch td.Kind {
	case wit.KindRecord:
		rec := make(Record, len(td.Fields))
		for i, f := range td.Fields {
			v, err := cx.liftFlat(it, f.Type)
			if err != nil {
				return nil, at(err, "."+f.Name)
			}
			rec[i] = v
		}
		return rec, nil
	case wit.KindTuple:
		vs := make(Tuple, len(td.Types))
		for i, t := range td.Types {
			v, err := cx.liftFlat(it, t)
			if err != nil {
				return nil, at(err, "."+strconv.Itoa(i))
			}
			vs[i] = v
		}
		return vs, nil
	case wit.KindFixedList:
		// At most MaxFlatParams elements: the flattening was checked above.
		vs := make([]any, td.Size)
		for i := range vs {
			v, err := cx.liftFlat(it, td.Elem)
			if err != nil {
				return nil, at(err, "["+strconv.Itoa(i)+"]")
			}
			vs[i] = v
		}
		return vs, nil
	case wit.KindList, wit.KindMap:
		p, err := it.next()
		if err != nil {
			return nil, err
		}
		n, err := it.next()
		if err != nil {
			return nil, err
		}
		return cx.loadList(uint32(p), uint32(n), td.Elem)
	case wit.KindFlags:
		v, err := it.next()
		return Flags(uint32(v)), err
	case wit.KindVariant, wit.KindEnum, wit.KindOption, wit.KindResult:
		d, err := it.next()
		if err != nil {
			return nil, err
		}
		disc := uint32(d)
		if disc >= uint32(l.ncases) {
			return nil, trapf("invalid %s discriminant %d", td.Kind, disc)
		}
		end := it.i + len(l.flat) - 1
		var payload any
		if pt := l.payloadType(disc); !pt.IsNone() {
			if payload, err = cx.liftFlat(it, pt); err != nil {
				return nil, at(err, caseSegment(td, disc))
			}
		}
		if end > len(it.vals) {
			return nil, trapf("too few core values")
		}
		it.i = end
		return variantValue(td.Kind, disc, payload), nil
	case wit.KindOwn, wit.KindBorrow, wit.KindResource:
		v, err := it.next()
		if err != nil {
			return nil, err
		}
		return cx.liftHandle(td, ty.ID, uint32(v))
	}
	return nil, trapf("cannot lift a %s", td.Kind)
}
