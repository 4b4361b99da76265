package wit

import (
	"strconv"
	"strings"

	"github.com/bigband-dev/bigband/wit/syntax"
)

// TypeString renders t the way WIT source would spell it where it is used:
// named types by name, anonymous ones structurally (`list<route>`,
// `result<_, string>`, `record { a: u32 }`). Messages, hovers and generators
// share it so that a type reads the same everywhere.
func TypeString(r *Resolve, t Type) string {
	var b strings.Builder
	writeType(&b, r, t)
	return b.String()
}

// FuncString renders f's type as WIT writes it after `name:`, e.g.
// `func(a: u32) -> result<list<route>, string>`. The implicit `self` of a
// method and the implicit result of a constructor are left out, as in source.
func FuncString(r *Resolve, f *Function) string {
	var b strings.Builder
	params := f.Params
	switch f.Kind {
	case Constructor:
		b.WriteString("constructor")
	case Static, AsyncStatic:
		b.WriteString("static ")
	case Method, AsyncMethod:
		if len(params) > 0 && params[0].Name == "self" {
			params = params[1:]
		}
	}
	if f.Kind.IsAsync() {
		b.WriteString("async ")
	}
	if f.Kind != Constructor {
		b.WriteString("func")
	}
	b.WriteByte('(')
	for i, p := range params {
		if i > 0 {
			b.WriteString(", ")
		}
		writeIdent(&b, p.Name)
		b.WriteString(": ")
		writeType(&b, r, p.Type)
	}
	b.WriteByte(')')
	if !f.Result.IsNone() && f.Kind != Constructor {
		b.WriteString(" -> ")
		writeType(&b, r, f.Result)
	}
	return b.String()
}

func writeType(b *strings.Builder, r *Resolve, t Type) {
	if t.Prim != Ref {
		if t.Prim == None {
			b.WriteByte('_')
			return
		}
		b.WriteString(t.PrimName())
		return
	}
	if int(t.ID) < 0 || int(t.ID) >= len(r.Types) {
		b.WriteString("<invalid type " + strconv.Itoa(int(t.ID)) + ">")
		return
	}
	td := r.Types[t.ID]
	if td.Name != "" {
		writeIdent(b, td.Name)
		return
	}
	writeTypeDef(b, r, td)
}

// writeTypeDef renders an anonymous definition structurally.
func writeTypeDef(b *strings.Builder, r *Resolve, td *TypeDef) {
	elem := func(kw string, ts ...Type) {
		b.WriteString(kw)
		b.WriteByte('<')
		for i, t := range ts {
			if i > 0 {
				b.WriteString(", ")
			}
			writeType(b, r, t)
		}
		b.WriteByte('>')
	}
	switch td.Kind {
	case KindAlias:
		writeType(b, r, td.Elem)
	case KindOwn:
		// An owned handle is spelled as the bare resource name.
		writeType(b, r, TypeRef(td.Resource))
	case KindBorrow:
		elem("borrow", TypeRef(td.Resource))
	case KindList:
		elem("list", td.Elem)
	case KindFixedList:
		b.WriteString("list<")
		writeType(b, r, td.Elem)
		b.WriteString(", " + strconv.FormatUint(uint64(td.Size), 10) + ">")
	case KindOption:
		elem("option", td.Elem)
	case KindMap:
		elem("map", td.Key, td.Elem)
	case KindTuple:
		elem("tuple", td.Types...)
	case KindResult:
		switch {
		case td.Ok.IsNone() && td.Err.IsNone():
			b.WriteString("result")
		case td.Err.IsNone():
			elem("result", td.Ok)
		default:
			elem("result", td.Ok, td.Err) // an absent ok prints as `_`
		}
	case KindFuture, KindStream:
		kw := "future"
		if td.Kind == KindStream {
			kw = "stream"
		}
		if td.Elem.IsNone() {
			b.WriteString(kw)
		} else {
			elem(kw, td.Elem)
		}
	case KindRecord:
		body(b, "record", len(td.Fields), func(i int) {
			writeIdent(b, td.Fields[i].Name)
			b.WriteString(": ")
			writeType(b, r, td.Fields[i].Type)
		})
	case KindVariant:
		body(b, "variant", len(td.Cases), func(i int) {
			writeIdent(b, td.Cases[i].Name)
			if !td.Cases[i].Type.IsNone() {
				b.WriteByte('(')
				writeType(b, r, td.Cases[i].Type)
				b.WriteByte(')')
			}
		})
	case KindEnum:
		body(b, "enum", len(td.Enum), func(i int) { writeIdent(b, td.Enum[i].Name) })
	case KindFlags:
		body(b, "flags", len(td.Flags), func(i int) { writeIdent(b, td.Flags[i].Name) })
	case KindResource:
		b.WriteString("resource")
	default:
		b.WriteString(td.Kind.String())
	}
}

// body writes `kw { item, item }`, or `kw {}` when empty.
func body(b *strings.Builder, kw string, n int, item func(i int)) {
	b.WriteString(kw)
	if n == 0 {
		b.WriteString(" {}")
		return
	}
	b.WriteString(" { ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		item(i)
	}
	b.WriteString(" }")
}

// writeIdent escapes names that are keywords with `%`, so the output parses.
func writeIdent(b *strings.Builder, name string) {
	if isKeyword(name) {
		b.WriteByte('%')
	}
	b.WriteString(name)
}

// isKeyword asks the scanner's token table rather than keeping a second list
// that could drift from it. Tokens are a small dense range, so a linear scan
// is cheap enough for rendering.
func isKeyword(name string) bool {
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		return false // keywords are lower-case; most names fail here
	}
	for i := range 256 { // Token is a uint8
		if t := syntax.Token(i); t.IsKeyword() && t.String() == name {
			return true
		}
	}
	return false
}
