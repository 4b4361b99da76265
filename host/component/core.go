package component

import (
	"bytes"
	"fmt"
	"strings"
)

// ValType is a core WebAssembly value type, by its binary opcode. Typed
// references (0x63/0x64 followed by a heap type) keep only the opcode.
type ValType uint8

const (
	I32       ValType = 0x7f
	I64       ValType = 0x7e
	F32       ValType = 0x7d
	F64       ValType = 0x7c
	V128      ValType = 0x7b
	FuncRef   ValType = 0x70
	ExternRef ValType = 0x6f
	RefNull   ValType = 0x63
	Ref       ValType = 0x64
)

func (t ValType) String() string {
	switch t {
	case I32:
		return "i32"
	case I64:
		return "i64"
	case F32:
		return "f32"
	case F64:
		return "f64"
	case V128:
		return "v128"
	case FuncRef:
		return "funcref"
	case ExternRef:
		return "externref"
	case RefNull:
		return "(ref null)"
	case Ref:
		return "(ref)"
	}
	return fmt.Sprintf("reftype(0x%02x)", uint8(t))
}

// CoreFuncType is a core function type.
type CoreFuncType struct {
	Params, Results []ValType
}

func (f *CoreFuncType) String() string {
	var b strings.Builder
	b.WriteString("(func")
	for _, p := range f.Params {
		b.WriteString(" " + p.String())
	}
	if len(f.Results) > 0 {
		b.WriteString(" ->")
		for _, p := range f.Results {
			b.WriteString(" " + p.String())
		}
	}
	b.WriteString(")")
	return b.String()
}

// CoreType is an entry of a core type index space: a function type, a
// module type (components only), or another (GC) type kept opaque.
type CoreType struct {
	Func   *CoreFuncType
	Module *CoreModuleType
}

// CoreExternKind is the kind of a core import or export.
type CoreExternKind uint8

const (
	CoreFunc CoreExternKind = iota
	CoreTable
	CoreMemory
	CoreGlobal
	CoreTag
)

func (k CoreExternKind) String() string {
	if k <= CoreTag {
		return [...]string{"func", "table", "memory", "global", "tag"}[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

func (k CoreExternKind) sort() Sort { return SortCoreFunc + Sort(k) }

// CoreExternType is the type of a core import or export. Only function
// types are kept in detail; for the other kinds Kind is what matters.
type CoreExternType struct {
	Kind   CoreExternKind
	Func   *CoreFuncType // CoreFunc; nil when the type index names a non-function type
	Global ValType       // CoreGlobal
	Mut    bool          // CoreGlobal
}

// CoreImport is an import of a core module.
type CoreImport struct {
	Module, Name string
	Type         CoreExternType
}

// CoreExport is an export of a core module.
type CoreExport struct {
	Name  string
	Index uint32 // in the module's own index space of Type.Kind (0 in module types)
	Type  CoreExternType
}

// CoreModuleType lists a core module's imports and exports.
type CoreModuleType struct {
	Imports []CoreImport
	Exports []CoreExport
}

// Export looks up an export by name.
func (t *CoreModuleType) Export(name string) *CoreExport {
	for i := range t.Exports {
		if t.Exports[i].Name == name {
			return &t.Exports[i]
		}
	}
	return nil
}

// CoreModule is a decoded core (layer 0) module: what the host needs to
// link it, and the component types embedded by bindings generators.
type CoreModule struct {
	CoreModuleType
	Types   []CoreType // the module's type section
	Funcs   []uint32   // type index of each defined (non-imported) function
	Customs []Custom
	// ComponentTypes are the decoded payloads of the `component-type*`
	// custom sections (each a component whose export is a world).
	ComponentTypes []*Component
}

var (
	wasmMagic     = []byte{0x00, 0x61, 0x73, 0x6d}
	coreVersion   = []byte{0x01, 0x00, 0x00, 0x00}
	componentHead = []byte{0x0d, 0x00, 0x01, 0x00}
)

// IsComponent reports whether b starts with a component preamble.
func IsComponent(b []byte) bool {
	return len(b) >= 8 && bytes.Equal(b[:4], wasmMagic) && bytes.Equal(b[4:8], componentHead)
}

// IsCoreModule reports whether b starts with a core module preamble.
func IsCoreModule(b []byte) bool {
	return len(b) >= 8 && bytes.Equal(b[:4], wasmMagic) && bytes.Equal(b[4:8], coreVersion)
}

// DecodeCore decodes a core module's types, imports, exports and custom
// sections, and the component types in its `component-type*` sections.
// Code and data are not looked at.
func DecodeCore(b []byte) (*CoreModule, error) {
	m, err := decodeCore(b, 0, true, true)
	if err != nil {
		return nil, err
	}
	return m, nil
}

func checkCorePreamble(r *reader) {
	if r.preambleCut() {
		return
	}
	if r.remaining() < 8 || !bytes.Equal(r.b[r.pos:r.pos+4], wasmMagic) {
		r.fail("not a WebAssembly binary (bad magic)")
		return
	}
	v := r.b[r.pos+4 : r.pos+8]
	if bytes.Equal(v, componentHead) {
		r.fail("this is a component, not a core module")
		return
	}
	if !bytes.Equal(v, coreVersion) {
		r.fail("unsupported core module version % x", v)
		return
	}
	r.pos += 8
}

// decodeCore decodes the core module b found at base; file says b is the
// whole input (not embedded in a component).
func decodeCore(b []byte, base int, withComponentTypes, file bool) (*CoreModule, *Error) {
	r := newReader(b, base)
	r.file = file
	checkCorePreamble(r)
	m := &CoreModule{}
	var funcTypeIdx []uint32
	nImportedFuncs := 0
	for r.ok() && !r.eof() {
		id, s := r.section(coreSectionName)
		if !r.ok() {
			break
		}
		secOff := s.base
		name := coreSectionName(id)
		s.push("core %s section", name)
		switch id {
		case 0:
			cname := s.name()
			c := Custom{Name: cname, Data: s.b[s.pos:], Offset: secOff}
			s.pos = len(s.b)
			if s.ok() {
				m.Customs = append(m.Customs, c)
			}
			if s.ok() && withComponentTypes && strings.HasPrefix(cname, "component-type") {
				var like *Component
				if len(m.ComponentTypes) > 0 {
					like = m.ComponentTypes[0]
				}
				ct, err := decodeShared(c.Data, s.base+len(s.b)-len(c.Data), 0, like, false)
				if err != nil {
					err.Context = joinCtx(fmt.Sprintf("custom section %q", cname), err.Context)
					return nil, err
				}
				m.ComponentTypes = append(m.ComponentTypes, ct)
			}
		case 1:
			n := s.count("type", 1)
			for i := 0; i < n && s.ok(); i++ {
				s.push("entry %d", len(m.Types))
				m.Types = append(m.Types, readCoreRecGroup(s)...)
				s.pop()
			}
		case 2:
			n := s.count("import", 3)
			for i := 0; i < n && s.ok(); i++ {
				s.push("entry %d", i)
				imp := CoreImport{Module: s.name(), Name: s.name()}
				imp.Type = readCoreExternType(s, m.Types)
				if imp.Type.Kind == CoreFunc {
					nImportedFuncs++
				}
				s.pop()
				m.Imports = append(m.Imports, imp)
			}
		case 3:
			n := s.count("function", 1)
			funcTypeIdx = make([]uint32, 0, n)
			for i := 0; i < n && s.ok(); i++ {
				t := s.u32()
				if s.ok() && (int64(t) >= int64(len(m.Types)) || m.Types[t].Func == nil) {
					s.fail("function %d: type index %d is not a function type", i, t)
				}
				funcTypeIdx = append(funcTypeIdx, t)
			}
			m.Funcs = funcTypeIdx
		case 7:
			n := s.count("export", 2)
			for i := 0; i < n && s.ok(); i++ {
				s.push("entry %d", i)
				e := CoreExport{Name: s.name()}
				k := s.byte()
				if k > byte(CoreTag) && s.ok() {
					s.fail("unknown export kind 0x%02x", k)
				}
				e.Type.Kind = CoreExternKind(k)
				e.Index = s.u32()
				s.pop()
				m.Exports = append(m.Exports, e)
			}
		default:
			s.pos = len(s.b) // code, data, tables etc. are wazero's business
		}
		if s.ok() && !s.eof() {
			s.fail("%d unread bytes at the end of the section", s.remaining())
		}
		r.adopt(s)
	}
	if r.err != nil {
		return nil, r.err
	}
	// Give function exports their types; other kinds keep only the kind.
	var imported []*CoreFuncType
	for _, imp := range m.Imports {
		if imp.Type.Kind == CoreFunc {
			imported = append(imported, imp.Type.Func)
		}
	}
	for i := range m.Exports {
		e := &m.Exports[i]
		if e.Type.Kind != CoreFunc {
			continue
		}
		switch {
		case int(e.Index) < len(imported):
			e.Type.Func = imported[e.Index]
		case int64(e.Index)-int64(len(imported)) < int64(len(funcTypeIdx)):
			e.Type.Func = m.Types[funcTypeIdx[int(e.Index)-len(imported)]].Func
		default:
			return nil, &Error{Offset: base, Context: "core export section", Msg: fmt.Sprintf("export %q: function index %d out of range", e.Name, e.Index)}
		}
	}
	_ = nImportedFuncs
	return m, nil
}

func joinCtx(a, b string) string {
	if b == "" {
		return a
	}
	return a + ": " + b
}

func coreSectionName(id byte) string {
	names := [...]string{"custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "data count", "tag"}
	if int(id) < len(names) {
		return names[id]
	}
	return "unknown"
}

// readCoreValType reads a core value type.
func readCoreValType(r *reader) ValType {
	c := r.byte()
	switch c {
	case 0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f:
		return ValType(c)
	case 0x63, 0x64:
		readHeapType(r)
		return ValType(c)
	case 0x74, 0x73, 0x72, 0x71, 0x69, 0x6e, 0x6d, 0x6c, 0x6b, 0x6a:
		return ValType(c) // abbreviated nullable references
	}
	if r.ok() {
		r.failAt(r.offset()-1, "unknown core value type 0x%02x", c)
	}
	return 0
}

func readHeapType(r *reader) {
	c := r.peek()
	switch c {
	case 0x74, 0x73, 0x72, 0x71, 0x70, 0x6f, 0x6e, 0x6d, 0x6c, 0x6b, 0x6a, 0x69:
		r.byte()
		return
	}
	if r.sleb(33) < 0 && r.ok() {
		r.fail("unknown heap type 0x%02x", c)
	}
}

// readCoreRecGroup reads one core type (a function type, or a GC rec
// group/sub/struct/array type) and returns the types it defines.
func readCoreRecGroup(r *reader) []CoreType {
	if r.peek() == 0x4e {
		r.byte()
		n := r.count("rec group type", 1)
		out := make([]CoreType, 0, n)
		for i := 0; i < n && r.ok(); i++ {
			out = append(out, readCoreSubType(r))
		}
		return out
	}
	return []CoreType{readCoreSubType(r)}
}

func readCoreSubType(r *reader) CoreType {
	if c := r.peek(); c == 0x50 || c == 0x4f {
		r.byte()
		n := r.count("supertype", 1)
		for i := 0; i < n && r.ok(); i++ {
			r.u32()
		}
	}
	return readCoreCompType(r)
}

func readCoreCompType(r *reader) CoreType {
	off := r.offset()
	c := r.byte()
	switch c {
	case 0x60:
		f := &CoreFuncType{}
		n := r.count("param", 1)
		f.Params = make([]ValType, 0, n)
		for i := 0; i < n && r.ok(); i++ {
			f.Params = append(f.Params, readCoreValType(r))
		}
		n = r.count("result", 1)
		f.Results = make([]ValType, 0, n)
		for i := 0; i < n && r.ok(); i++ {
			f.Results = append(f.Results, readCoreValType(r))
		}
		return CoreType{Func: f}
	case 0x5f:
		n := r.count("field", 2)
		for i := 0; i < n && r.ok(); i++ {
			readStorageType(r)
			r.byte() // mutability
		}
	case 0x5e:
		readStorageType(r)
		r.byte()
	default:
		if r.ok() {
			r.failAt(off, "unknown core type 0x%02x", c)
		}
	}
	return CoreType{}
}

func readStorageType(r *reader) {
	if c := r.peek(); c == 0x78 || c == 0x77 {
		r.byte()
		return
	}
	readCoreValType(r)
}

func readLimits(r *reader) {
	off := r.offset()
	flags := r.byte()
	if flags&^0x0f != 0 && r.ok() {
		r.failAt(off, "unknown limits flags 0x%02x", flags)
		return
	}
	read := func() {
		if flags&0x04 != 0 {
			r.sleb(64) // 64-bit limits; the value does not matter here
		} else {
			r.u32()
		}
	}
	read()
	if flags&0x01 != 0 {
		read()
	}
	if flags&0x08 != 0 {
		r.u32() // custom page size (log2)
	}
}

// readCoreExternType reads a core import description; func type indices
// are resolved against types.
func readCoreExternType(r *reader, types []CoreType) CoreExternType {
	off := r.offset()
	k := r.byte()
	t := CoreExternType{Kind: CoreExternKind(k)}
	switch k {
	case 0x00:
		i := r.u32()
		if r.ok() {
			if int64(i) >= int64(len(types)) || types[i].Func == nil {
				r.failAt(off, "func import: type index %d is not a function type", i)
			} else {
				t.Func = types[i].Func
			}
		}
	case 0x01:
		readCoreValType(r)
		readLimits(r)
	case 0x02:
		readLimits(r)
	case 0x03:
		t.Global = readCoreValType(r)
		m := r.byte()
		if m > 1 && r.ok() {
			r.failAt(r.offset()-1, "bad global mutability 0x%02x", m)
		}
		t.Mut = m == 1
	case 0x04:
		if a := r.byte(); a != 0 && r.ok() {
			r.failAt(r.offset()-1, "bad tag attribute 0x%02x", a)
		}
		i := r.u32()
		if r.ok() && int64(i) >= int64(len(types)) {
			r.failAt(off, "tag: type index %d out of range", i)
		}
	default:
		if r.ok() {
			r.failAt(off, "unknown import kind 0x%02x", k)
		}
	}
	return t
}

// EmptyImportModule is the module name RewriteEmptyImportModules gives
// imports whose module name is empty (wazero refuses "").
const EmptyImportModule = "$empty"

// RewriteEmptyImportModules renames the empty import module name of a core
// module to EmptyImportModule. Only the import section is re-encoded; all
// other bytes stay as they are. b is returned unchanged when no import has
// an empty module name.
func RewriteEmptyImportModules(b []byte) ([]byte, error) {
	r := newReader(b, 0)
	r.file = true
	checkCorePreamble(r)
	var types []CoreType
	for r.ok() && !r.eof() {
		start := r.pos
		id, s := r.section(coreSectionName)
		if !r.ok() {
			break
		}
		switch id {
		case 1:
			s.push("core type section")
			n := s.count("type", 1)
			for i := 0; i < n && s.ok(); i++ {
				types = append(types, readCoreRecGroup(s)...)
			}
		case 2:
			s.push("core import section")
			body, changed := rewriteImports(s, types)
			r.adopt(s)
			if r.err != nil {
				return nil, r.err
			}
			if !changed {
				return b, nil
			}
			out := make([]byte, 0, len(b)+len(body))
			out = append(out, b[:start]...)
			out = append(out, 2)
			out = AppendU32(out, uint32(len(body)))
			out = append(out, body...)
			out = append(out, b[r.pos:]...)
			return out, nil
		}
		r.adopt(s)
	}
	if r.err != nil {
		return nil, r.err
	}
	return b, nil
}

func rewriteImports(s *reader, types []CoreType) ([]byte, bool) {
	n := s.count("import", 3)
	out := AppendU32(nil, uint32(n))
	changed := false
	for i := 0; i < n && s.ok(); i++ {
		mod := s.name()
		name := s.name()
		descStart := s.pos
		readCoreExternType(s, types)
		if mod == "" {
			mod = EmptyImportModule
			changed = true
		}
		out = AppendName(out, mod)
		out = AppendName(out, name)
		out = append(out, s.b[descStart:s.pos]...)
	}
	return out, changed
}

// AppendU32 appends v as an unsigned LEB128, as the binary format writes
// counts, sizes and indices.
func AppendU32(b []byte, v uint32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

// AppendName appends a length-prefixed name.
func AppendName(b []byte, s string) []byte {
	return append(AppendU32(b, uint32(len(s))), s...)
}
