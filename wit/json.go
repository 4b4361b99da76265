package wit

import (
	"io"
	"strconv"
	"unicode/utf8"
)

// This file writes a Resolve in the exact format of wit-parser's serde
// output, `serde_json::to_string_pretty(&resolve)`, which is also what
// `wasm-tools component wit -j` prints. Field order, skipped fields and enum
// tagging follow the serde attributes in wit-parser's lib.rs; the writer
// reproduces serde_json's pretty printer (two-space indent, `{}` and `[]`
// for empty containers, its string escapes).
//
// It is written by hand rather than through encoding/json reflection because
// the output must match byte for byte (serde_json escapes differently and
// omits different things) and because it is on the CLI's hot path.

// JSON returns r as wit-parser's pretty-printed JSON, without a trailing
// newline. r must be well formed: no nil entries in its arenas or function
// lists.
func (r *Resolve) JSON() []byte {
	w := jsonWriter{buf: make([]byte, 0, 256+len(r.Types)*160)}
	w.resolve(r)
	return w.buf
}

// WriteJSON writes r.JSON() and a final newline to out, as the CLI does.
func (r *Resolve) WriteJSON(out io.Writer) error {
	_, err := out.Write(append(r.JSON(), '\n'))
	return err
}

// MarshalJSON implements json.Marshaler with the wit-parser format.
func (r *Resolve) MarshalJSON() ([]byte, error) { return r.JSON(), nil }

// jsonWriter appends serde_json-style pretty JSON to buf. first is true right
// after a container opens, until its first element is written; that is all
// the state needed to place commas and to print empty containers as `{}`.
type jsonWriter struct {
	buf   []byte
	depth int
	first bool
}

func (w *jsonWriter) open(c byte) {
	w.buf = append(w.buf, c)
	w.depth++
	w.first = true
}

func (w *jsonWriter) close(c byte) {
	w.depth--
	if !w.first {
		w.newline()
	}
	w.buf = append(w.buf, c)
	w.first = false
}

func (w *jsonWriter) newline() {
	w.buf = append(w.buf, '\n')
	for range w.depth {
		w.buf = append(w.buf, ' ', ' ')
	}
}

// elem starts an array element.
func (w *jsonWriter) elem() {
	if !w.first {
		w.buf = append(w.buf, ',')
	}
	w.first = false
	w.newline()
}

// key starts an object member.
func (w *jsonWriter) key(k string) {
	w.elem()
	w.str(k)
	w.buf = append(w.buf, ':', ' ')
}

func (w *jsonWriter) null() { w.buf = append(w.buf, "null"...) }

func (w *jsonWriter) uint(n uint64) { w.buf = strconv.AppendUint(w.buf, n, 10) }

func (w *jsonWriter) id(n int) { w.buf = strconv.AppendInt(w.buf, int64(n), 10) }

const hexDigits = "0123456789abcdef"

// str writes s quoted the way serde_json does: only `"`, `\` and control
// characters are escaped, everything else (including non-ASCII, `<>&` and
// DEL) is written raw. Invalid UTF-8, which a Rust String cannot hold, is
// replaced by U+FFFD so the output is always valid JSON.
func (w *jsonWriter) str(s string) {
	w.buf = append(w.buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				w.buf = append(w.buf, s[start:i]...)
				w.buf = append(w.buf, "\uFFFD"...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		w.buf = append(w.buf, s[start:i]...)
		switch c {
		case '"':
			w.buf = append(w.buf, '\\', '"')
		case '\\':
			w.buf = append(w.buf, '\\', '\\')
		case '\b':
			w.buf = append(w.buf, '\\', 'b')
		case '\f':
			w.buf = append(w.buf, '\\', 'f')
		case '\n':
			w.buf = append(w.buf, '\\', 'n')
		case '\r':
			w.buf = append(w.buf, '\\', 'r')
		case '\t':
			w.buf = append(w.buf, '\\', 't')
		default:
			w.buf = append(w.buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	w.buf = append(w.buf, s[start:]...)
	w.buf = append(w.buf, '"')
}

func (w *jsonWriter) version(v *Version) {
	w.buf = append(w.buf, '"')
	w.uint(v.Major)
	w.buf = append(w.buf, '.')
	w.uint(v.Minor)
	w.buf = append(w.buf, '.')
	w.uint(v.Patch)
	if v.Pre != "" {
		w.buf = append(w.buf, '-')
		w.buf = append(w.buf, v.Pre...)
	}
	if v.Build != "" {
		w.buf = append(w.buf, '+')
		w.buf = append(w.buf, v.Build...)
	}
	w.buf = append(w.buf, '"')
}

// typ writes a Type: a primitive's name or a type id. None only appears
// where wit-parser has an Option<Type>, which serializes as null.
func (w *jsonWriter) typ(t Type) {
	switch {
	case t.Prim == Ref:
		w.id(int(t.ID))
	case t.Prim == None || t.Prim > Ref:
		w.null()
	default:
		w.str(t.PrimName())
	}
}

func (w *jsonWriter) docs(d Docs) {
	if d.Contents == nil {
		return
	}
	w.key("docs")
	w.open('{')
	w.key("contents")
	w.str(*d.Contents)
	w.close('}')
}

func (w *jsonWriter) stability(s Stability) {
	var tag, first string
	var v *Version
	switch s.Kind {
	case StabilityStable:
		tag, first = "stable", "since"
		v = s.Since
		if v == nil {
			v = &Version{} // a malformed model; keep the output parseable
		}
	case StabilityUnstable:
		tag, first = "unstable", "feature"
	default:
		return
	}
	w.key("stability")
	w.open('{')
	w.key(tag)
	w.open('{')
	w.key(first)
	if v != nil {
		w.version(v)
	} else {
		w.str(s.Feature)
	}
	if s.Deprecated != nil {
		w.key("deprecated")
		w.version(s.Deprecated)
	}
	w.close('}')
	w.close('}')
}

func (w *jsonWriter) resolve(r *Resolve) {
	w.open('{')
	w.key("worlds")
	w.open('[')
	for _, x := range r.Worlds {
		w.elem()
		w.world(x)
	}
	w.close(']')
	w.key("interfaces")
	w.open('[')
	for _, x := range r.Interfaces {
		w.elem()
		w.iface(x)
	}
	w.close(']')
	w.key("types")
	w.open('[')
	for _, x := range r.Types {
		w.elem()
		w.typeDef(x)
	}
	w.close(']')
	w.key("packages")
	w.open('[')
	for _, x := range r.Packages {
		w.elem()
		w.pkg(x)
	}
	w.close(']')
	w.close('}')
}

func (w *jsonWriter) pkg(p *Package) {
	w.open('{')
	w.key("name")
	w.str(p.Name.String())
	w.docs(p.Docs)
	w.key("interfaces")
	w.open('{')
	for _, e := range p.Interfaces {
		w.key(e.Name)
		w.id(int(e.ID))
	}
	w.close('}')
	w.key("worlds")
	w.open('{')
	for _, e := range p.Worlds {
		w.key(e.Name)
		w.id(int(e.ID))
	}
	w.close('}')
	w.close('}')
}

func (w *jsonWriter) optionalID(id *int) {
	if id == nil {
		w.null()
	} else {
		w.id(*id)
	}
}

func (w *jsonWriter) world(x *World) {
	w.open('{')
	w.key("name")
	w.str(x.Name)
	w.key("imports")
	w.worldItems(x.Imports)
	w.key("exports")
	w.worldItems(x.Exports)
	w.key("package")
	w.optionalID((*int)(x.Package))
	w.docs(x.Docs)
	w.stability(x.Stability)
	w.close('}')
}

func (w *jsonWriter) worldItems(items []*WorldItem) {
	w.open('{')
	for _, it := range items {
		if it.Key.IsInterface {
			w.elem()
			w.buf = append(w.buf, `"interface-`...)
			w.id(int(it.Key.Interface))
			w.buf = append(w.buf, '"', ':', ' ')
		} else {
			w.key(it.Key.Name)
		}
		w.open('{')
		switch it.Kind {
		case WorldInterface:
			w.key("interface")
			w.open('{')
			w.key("id")
			w.id(int(it.Interface))
			w.stability(it.Stability)
			if it.ExternalID != "" {
				w.key("external_id")
				w.str(it.ExternalID)
			}
			w.docs(it.Docs)
			w.close('}')
		case WorldFunction:
			w.key("function")
			w.function(it.Function)
		case WorldType:
			w.key("type")
			w.id(int(it.Type))
		}
		w.close('}')
	}
	w.close('}')
}

func (w *jsonWriter) iface(x *Interface) {
	w.open('{')
	w.key("name")
	if x.Name == nil {
		w.null()
	} else {
		w.str(*x.Name)
	}
	w.key("types")
	w.open('{')
	for _, t := range x.Types {
		w.key(t.Name)
		w.id(int(t.ID))
	}
	w.close('}')
	w.key("functions")
	w.open('{')
	for _, f := range x.Functions {
		w.key(f.Name)
		w.function(f)
	}
	w.close('}')
	w.docs(x.Docs)
	w.stability(x.Stability)
	w.key("package")
	w.optionalID((*int)(x.Package))
	if x.CloneOf != nil {
		w.key("clone_of")
		w.id(int(*x.CloneOf))
	}
	w.close('}')
}

func (w *jsonWriter) function(f *Function) {
	w.open('{')
	w.key("name")
	w.str(f.Name)
	w.key("kind")
	if f.Kind == Freestanding || f.Kind == AsyncFreestanding {
		w.str(f.Kind.String())
	} else {
		w.open('{')
		w.key(f.Kind.String())
		w.id(int(f.Resource))
		w.close('}')
	}
	w.key("params")
	w.open('[')
	for _, p := range f.Params {
		w.elem()
		w.open('{')
		if p.Name != "" {
			w.key("name")
			w.str(p.Name)
		}
		w.key("type")
		w.typ(p.Type)
		w.close('}')
	}
	w.close(']')
	if !f.Result.IsNone() {
		w.key("result")
		w.typ(f.Result)
	}
	w.docs(f.Docs)
	w.stability(f.Stability)
	if f.ExternalID != "" {
		w.key("external_id")
		w.str(f.ExternalID)
	}
	w.close('}')
}

func (w *jsonWriter) typeDef(t *TypeDef) {
	w.open('{')
	w.key("name")
	if t.Name == "" {
		w.null()
	} else {
		w.str(t.Name)
	}
	w.key("kind")
	w.typeDefKind(t)
	w.key("owner")
	switch t.Owner.Kind {
	case OwnerWorld:
		w.open('{')
		w.key("world")
		w.id(int(t.Owner.World))
		w.close('}')
	case OwnerInterface:
		w.open('{')
		w.key("interface")
		w.id(int(t.Owner.Interface))
		w.close('}')
	default:
		w.null()
	}
	w.docs(t.Docs)
	w.stability(t.Stability)
	if t.ExternalID != "" {
		w.key("external_id")
		w.str(t.ExternalID)
	}
	w.close('}')
}

func (w *jsonWriter) typeDefKind(t *TypeDef) {
	switch t.Kind {
	case KindResource:
		w.str("resource")
		return
	case KindUnknown:
		w.str("unknown")
		return
	}
	w.open('{')
	switch t.Kind {
	case KindRecord:
		w.key("record")
		w.open('{')
		w.key("fields")
		w.open('[')
		for _, f := range t.Fields {
			w.elem()
			w.open('{')
			w.key("name")
			w.str(f.Name)
			w.key("type")
			w.typ(f.Type)
			w.docs(f.Docs)
			w.close('}')
		}
		w.close(']')
		w.close('}')
	case KindOwn, KindBorrow:
		w.key("handle")
		w.open('{')
		w.key(t.Kind.String())
		w.id(int(t.Resource))
		w.close('}')
	case KindFlags:
		w.key("flags")
		w.open('{')
		w.key("flags")
		w.open('[')
		for _, f := range t.Flags {
			w.elem()
			w.nameDocs(f.Name, f.Docs)
		}
		w.close(']')
		w.close('}')
	case KindTuple:
		w.key("tuple")
		w.open('{')
		w.key("types")
		w.open('[')
		for _, e := range t.Types {
			w.elem()
			w.typ(e)
		}
		w.close(']')
		w.close('}')
	case KindVariant:
		w.key("variant")
		w.open('{')
		w.key("cases")
		w.open('[')
		for _, c := range t.Cases {
			w.elem()
			w.open('{')
			w.key("name")
			w.str(c.Name)
			w.key("type")
			w.typ(c.Type)
			w.docs(c.Docs)
			w.close('}')
		}
		w.close(']')
		w.close('}')
	case KindEnum:
		w.key("enum")
		w.open('{')
		w.key("cases")
		w.open('[')
		for _, c := range t.Enum {
			w.elem()
			w.nameDocs(c.Name, c.Docs)
		}
		w.close(']')
		w.close('}')
	case KindResult:
		w.key("result")
		w.open('{')
		w.key("ok")
		w.typ(t.Ok)
		w.key("err")
		w.typ(t.Err)
		w.close('}')
	case KindMap:
		w.key("map")
		w.open('[')
		w.elem()
		w.typ(t.Key)
		w.elem()
		w.typ(t.Elem)
		w.close(']')
	case KindFixedList:
		w.key("fixed-length-list")
		w.open('[')
		w.elem()
		w.typ(t.Elem)
		w.elem()
		w.uint(uint64(t.Size))
		w.close(']')
	default: // option, list, future, stream, type: a single (maybe null) type
		w.key(t.Kind.jsonTag())
		w.typ(t.Elem)
	}
	w.close('}')
}

func (w *jsonWriter) nameDocs(name string, d Docs) {
	w.open('{')
	w.key("name")
	w.str(name)
	w.docs(d)
	w.close('}')
}

// jsonTag is the serde tag of the kinds that wrap a single type. Unlike
// String it is total, so a corrupt Kind gives odd JSON rather than a panic.
func (k TypeDefKind) jsonTag() string {
	switch k {
	case KindOption:
		return "option"
	case KindList:
		return "list"
	case KindFuture:
		return "future"
	case KindStream:
		return "stream"
	default:
		return "type"
	}
}
