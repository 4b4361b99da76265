package abi

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/bigband-dev/bigband/wit"
)

// ToJSON converts a value of type ty into plain data for encoding/json:
// records become objects keyed by field name, option null or the value
// (or {"some": v} when the value could itself be null, as in
// option<option<T>>),
// result {"ok": v} or {"err": v}, variant {"case": payload-or-null}, enum
// its case name, flags the list of set names, char a one-character string,
// lists and tuples arrays. Non-finite floats become "NaN", "Infinity" and
// "-Infinity"; guest resources {"resource": name, "rep": n}.
func (t *Types) ToJSON(ty wit.Type, v any) (any, error) {
	switch ty.Prim {
	case wit.Ref:
	case wit.Char:
		r, ok := v.(rune)
		if !ok {
			return nil, badValue("rune", v)
		}
		return string(r), nil
	case wit.F32, wit.F64:
		var f float64
		switch x := v.(type) {
		case float32:
			f = float64(x)
		case float64:
			f = x
		default:
			return nil, badValue("float", v)
		}
		switch {
		case math.IsNaN(f):
			return "NaN", nil
		case math.IsInf(f, 1):
			return "Infinity", nil
		case math.IsInf(f, -1):
			return "-Infinity", nil
		}
		return v, nil
	default:
		return v, nil
	}
	td := t.R.Types[ty.ID]
	switch td.Kind {
	case wit.KindAlias:
		return t.ToJSON(td.Elem, v)
	case wit.KindRecord:
		rec, ok := v.(Record)
		if !ok || len(rec) != len(td.Fields) {
			return nil, badValue("Record", v)
		}
		obj := make(orderedObject, len(rec))
		for i, f := range td.Fields {
			fv, err := t.ToJSON(f.Type, rec[i])
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", f.Name, err)
			}
			obj[i] = kv{f.Name, fv}
		}
		return obj, nil
	case wit.KindTuple:
		tup, ok := v.(Tuple)
		if !ok || len(tup) != len(td.Types) {
			return nil, badValue("Tuple", v)
		}
		return t.seqJSON(td.Types, tup)
	case wit.KindList, wit.KindFixedList, wit.KindMap:
		if b, ok := v.([]byte); ok {
			out := make([]any, len(b))
			for i, c := range b {
				out[i] = c
			}
			return out, nil
		}
		vs, ok := v.([]any)
		if !ok {
			return nil, badValue("[]any", v)
		}
		types := make([]wit.Type, len(vs))
		for i := range types {
			types[i] = td.Elem
		}
		return t.seqJSON(types, vs)
	case wit.KindFlags:
		f, ok := v.(Flags)
		if !ok {
			return nil, badValue("Flags", v)
		}
		names := []string{}
		for i, fl := range td.Flags {
			if f&(1<<i) != 0 {
				names = append(names, fl.Name)
			}
		}
		return names, nil
	case wit.KindEnum:
		e, ok := v.(Enum)
		if !ok || int(e) >= len(td.Enum) {
			return nil, badValue("Enum", v)
		}
		return td.Enum[e].Name, nil
	case wit.KindOption:
		o, ok := v.(Option)
		if !ok {
			return nil, badValue("Option", v)
		}
		if !o.Some {
			return nil, nil
		}
		v, err := t.ToJSON(td.Elem, o.Value)
		if err != nil || !t.nullable(td.Elem) {
			return v, err
		}
		return orderedObject{{"some", v}}, nil
	case wit.KindResult:
		r, ok := v.(Result)
		if !ok {
			return nil, badValue("Result", v)
		}
		key, ty := "ok", td.Ok
		if r.Err {
			key, ty = "err", td.Err
		}
		var payload any
		if !ty.IsNone() {
			p, err := t.ToJSON(ty, r.Value)
			if err != nil {
				return nil, err
			}
			payload = p
		}
		return orderedObject{{key, payload}}, nil
	case wit.KindVariant:
		vr, ok := v.(Variant)
		if !ok || int(vr.Case) >= len(td.Cases) {
			return nil, badValue("Variant", v)
		}
		c := td.Cases[vr.Case]
		var payload any
		if !c.Type.IsNone() {
			p, err := t.ToJSON(c.Type, vr.Value)
			if err != nil {
				return nil, err
			}
			payload = p
		}
		return orderedObject{{c.Name, payload}}, nil
	case wit.KindOwn, wit.KindBorrow, wit.KindResource:
		if r, ok := v.(Resource); ok {
			return orderedObject{{"resource", r.Type.Name}, {"rep", r.Rep}}, nil
		}
		return fmt.Sprintf("%T", v), nil
	}
	return nil, fmt.Errorf("cannot convert a %s to JSON", td.Kind)
}

func (t *Types) seqJSON(types []wit.Type, vs []any) (any, error) {
	out := make([]any, len(vs))
	for i, v := range vs {
		j, err := t.ToJSON(types[i], v)
		if err != nil {
			return nil, err
		}
		out[i] = j
	}
	return out, nil
}

// kv and orderedObject keep record fields in declaration order when
// encoded, which encoding/json's maps would not.
type kv struct {
	k string
	v any
}

type orderedObject []kv

func (o orderedObject) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, e := range o {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(e.k)
		v, err := json.Marshal(e.v)
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
}

// FromJSON converts decoded JSON (as encoding/json produces with
// UseNumber) into a value of type ty, accepting what ToJSON produces.
func (t *Types) FromJSON(ty wit.Type, j any) (any, error) {
	switch ty.Prim {
	case wit.Ref:
		return t.defFromJSON(t.R.Types[ty.ID], j)
	case wit.Bool:
		if b, ok := j.(bool); ok {
			return b, nil
		}
		return nil, fmt.Errorf("want true or false, got %s", describe(j))
	case wit.String:
		if s, ok := j.(string); ok {
			return s, nil
		}
		return nil, fmt.Errorf("want a string, got %s", describe(j))
	case wit.Char:
		s, ok := j.(string)
		if !ok || utf8.RuneCountInString(s) != 1 {
			return nil, fmt.Errorf("want a one-character string, got %s", describe(j))
		}
		r, _ := utf8.DecodeRuneInString(s)
		return r, nil
	case wit.F32, wit.F64:
		var f float64
		switch x := j.(type) {
		case json.Number:
			v, err := x.Float64()
			if err != nil {
				return nil, err
			}
			f = v
		case float64:
			f = x
		case string:
			switch x {
			case "NaN":
				f = math.NaN()
			case "Infinity":
				f = math.Inf(1)
			case "-Infinity":
				f = math.Inf(-1)
			default:
				return nil, fmt.Errorf("want a number, got %s", describe(j))
			}
		default:
			return nil, fmt.Errorf("want a number, got %s", describe(j))
		}
		if ty.Prim == wit.F32 {
			return float32(f), nil
		}
		return f, nil
	}
	var text string
	switch x := j.(type) {
	case json.Number:
		text = x.String()
	case float64:
		text = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return nil, fmt.Errorf("want an integer, got %s", describe(j))
	}
	bits := map[wit.Prim]int{wit.U8: 8, wit.U16: 16, wit.U32: 32, wit.U64: 64, wit.S8: 8, wit.S16: 16, wit.S32: 32, wit.S64: 64}[ty.Prim]
	switch ty.Prim {
	case wit.U8, wit.U16, wit.U32, wit.U64:
		n, err := strconv.ParseUint(text, 10, bits)
		if err != nil {
			return nil, fmt.Errorf("%s is not a %s", text, ty.PrimName())
		}
		switch ty.Prim {
		case wit.U8:
			return uint8(n), nil
		case wit.U16:
			return uint16(n), nil
		case wit.U32:
			return uint32(n), nil
		}
		return n, nil
	}
	n, err := strconv.ParseInt(text, 10, bits)
	if err != nil {
		return nil, fmt.Errorf("%s is not a %s", text, ty.PrimName())
	}
	switch ty.Prim {
	case wit.S8:
		return int8(n), nil
	case wit.S16:
		return int16(n), nil
	case wit.S32:
		return int32(n), nil
	}
	return n, nil
}

func describe(j any) string {
	switch j.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	}
	return "a number"
}

func (t *Types) defFromJSON(td *wit.TypeDef, j any) (any, error) {
	switch td.Kind {
	case wit.KindAlias:
		return t.FromJSON(td.Elem, j)
	case wit.KindRecord:
		obj, ok := j.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("want an object, got %s", describe(j))
		}
		rec := make(Record, len(td.Fields))
		for i, f := range td.Fields {
			fj, ok := obj[f.Name]
			if !ok {
				return nil, fmt.Errorf("missing field %q", f.Name)
			}
			v, err := t.FromJSON(f.Type, fj)
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", f.Name, err)
			}
			rec[i] = v
		}
		for k := range obj {
			if findField(td, k) < 0 {
				return nil, fmt.Errorf("unknown field %q", k)
			}
		}
		return rec, nil
	case wit.KindTuple:
		arr, ok := j.([]any)
		if !ok || len(arr) != len(td.Types) {
			return nil, fmt.Errorf("want an array of %d values", len(td.Types))
		}
		out := make(Tuple, len(arr))
		for i, e := range arr {
			v, err := t.FromJSON(td.Types[i], e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = v
		}
		return out, nil
	case wit.KindList, wit.KindFixedList, wit.KindMap:
		arr, ok := j.([]any)
		if !ok {
			return nil, fmt.Errorf("want an array, got %s", describe(j))
		}
		if td.Kind == wit.KindFixedList && len(arr) != int(td.Size) {
			return nil, fmt.Errorf("want %d elements, got %d", td.Size, len(arr))
		}
		out := make([]any, len(arr))
		for i, e := range arr {
			v, err := t.FromJSON(td.Elem, e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = v
		}
		if td.Elem.Prim == wit.U8 && td.Kind == wit.KindList {
			b := make([]byte, len(out))
			for i, v := range out {
				b[i] = v.(uint8)
			}
			return b, nil
		}
		return out, nil
	case wit.KindFlags:
		arr, ok := j.([]any)
		if !ok {
			return nil, fmt.Errorf("want an array of flag names, got %s", describe(j))
		}
		var f Flags
	names:
		for _, e := range arr {
			for i, fl := range td.Flags {
				if e == fl.Name {
					f |= 1 << i
					continue names
				}
			}
			return nil, fmt.Errorf("unknown flag %v", e)
		}
		return f, nil
	case wit.KindEnum:
		for i, c := range td.Enum {
			if j == c.Name {
				return Enum(i), nil
			}
		}
		return nil, fmt.Errorf("unknown enum case %v", j)
	case wit.KindOption:
		if j == nil {
			return None, nil
		}
		if t.nullable(td.Elem) {
			k, inner, err := single(j)
			if err != nil || k != "some" {
				return nil, fmt.Errorf(`want null or {"some": ...} for a nested option, got %s`, describe(j))
			}
			j = inner
		}
		v, err := t.FromJSON(td.Elem, j)
		if err != nil {
			return nil, err
		}
		return Some(v), nil
	case wit.KindResult:
		k, payload, err := single(j)
		if err != nil {
			return nil, err
		}
		ty, isErr := td.Ok, false
		switch k {
		case "ok":
		case "err", "error":
			ty, isErr = td.Err, true
		default:
			return nil, fmt.Errorf(`want {"ok": ...} or {"err": ...}, got key %q`, k)
		}
		if ty.IsNone() {
			return Result{Err: isErr}, nil
		}
		v, err := t.FromJSON(ty, payload)
		if err != nil {
			return nil, err
		}
		return Result{Err: isErr, Value: v}, nil
	case wit.KindVariant:
		var k string
		var payload any
		if s, ok := j.(string); ok {
			k = s
		} else {
			var err error
			if k, payload, err = single(j); err != nil {
				return nil, err
			}
		}
		for i, c := range td.Cases {
			if c.Name != k {
				continue
			}
			if c.Type.IsNone() {
				return Variant{Case: uint32(i)}, nil
			}
			v, err := t.FromJSON(c.Type, payload)
			if err != nil {
				return nil, fmt.Errorf("case %s: %w", k, err)
			}
			return Variant{Case: uint32(i), Value: v}, nil
		}
		return nil, fmt.Errorf("unknown variant case %q", k)
	}
	return nil, fmt.Errorf("values of kind %s can't be given as JSON", td.Kind)
}

// nullable reports whether ty's JSON form can be null, so an option of it
// must write some(x) as {"some": x} to stay unambiguous.
func (t *Types) nullable(ty wit.Type) bool {
	for ty.Prim == wit.Ref {
		td := t.R.Types[ty.ID]
		switch td.Kind {
		case wit.KindOption:
			return true
		case wit.KindAlias:
			ty = td.Elem
			continue
		}
		return false
	}
	return false
}

func findField(td *wit.TypeDef, name string) int {
	for i, f := range td.Fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}

func single(j any) (string, any, error) {
	obj, ok := j.(map[string]any)
	if !ok || len(obj) != 1 {
		return "", nil, fmt.Errorf("want an object with exactly one key, got %s", describe(j))
	}
	for k, v := range obj {
		return k, v, nil
	}
	panic("unreachable")
}
