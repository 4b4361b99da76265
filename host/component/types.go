package component

import (
	"github.com/bigband-dev/bigband/wit"
)

var primTypes = map[byte]wit.Prim{
	0x7f: wit.Bool, 0x7e: wit.S8, 0x7d: wit.U8, 0x7c: wit.S16, 0x7b: wit.U16,
	0x7a: wit.S32, 0x79: wit.U32, 0x78: wit.S64, 0x77: wit.U64, 0x76: wit.F32,
	0x75: wit.F64, 0x74: wit.Char, 0x73: wit.String, 0x64: wit.ErrorContext,
}

// maxFlags is the component model's limit on flags labels.
const maxFlags = 32

// MaxFixedListLength caps N in list<T, N>. The component model requires
// every value type to be smaller than 2^28 bytes (Binary.md), and each
// element takes at least one byte, so no valid N is larger; the host's ABI
// layer also rejects a type whose total size reaches 2^28 bytes.
const MaxFixedListLength = 1<<28 - 1

// readValType reads a valtype: a primitive or the index of a value type.
func (d *decoder) readValType(s *scope) wit.Type {
	r := d.r
	c := r.peek()
	if p, ok := primTypes[c]; ok {
		r.byte()
		return wit.Type{Prim: p}
	}
	off := r.offset()
	i := r.sleb(33)
	if !r.ok() {
		return wit.Type{}
	}
	if i < 0 {
		r.failAt(off, "unknown value type 0x%02x", c)
		return wit.Type{}
	}
	if i >= int64(len(s.types)) {
		r.failAt(off, "type index %d out of range (%d types defined)", i, len(s.types))
		return wit.Type{}
	}
	t := s.types[i]
	if t.Kind != TypeValue {
		r.failAt(off, "type index %d is a %s, not a value type", i, t.Kind)
		return wit.Type{}
	}
	return t.Value
}

func (d *decoder) optValType(s *scope) wit.Type {
	r := d.r
	switch c := r.byte(); c {
	case 0:
		return wit.Type{}
	case 1:
		return d.readValType(s)
	default:
		if r.ok() {
			r.failAt(r.offset()-1, "bad optional value type flag 0x%02x", c)
		}
	}
	return wit.Type{}
}

// label reads a label and checks it is unique among seen.
func (d *decoder) label(what string, seen map[string]bool) string {
	off := d.r.offset()
	l := d.r.name()
	if !d.r.ok() {
		return ""
	}
	if l == "" {
		d.r.failAt(off, "empty %s name", what)
	} else if seen[l] {
		d.r.failAt(off, "duplicate %s name %q", what, l)
	}
	seen[l] = true
	return l
}

// readType reads a `type` (section 7 entry or type declaration).
func (d *decoder) readType(s *scope) Type {
	r := d.r
	off := r.offset()
	c := r.byte()
	if !r.ok() {
		return Type{}
	}
	if p, ok := primTypes[c]; ok {
		return Type{Kind: TypeValue, Value: wit.Type{Prim: p}}
	}
	switch c {
	case 0x3f:
		return d.readResourceType(s, off)
	case 0x40, 0x43:
		return Type{Kind: TypeFunc, Func: d.readFuncType(s, c == 0x43)}
	case 0x41:
		return Type{Kind: TypeComponent, Component: d.readComponentType(s)}
	case 0x42:
		return Type{Kind: TypeInstance, Instance: d.readInstanceType(s)}
	}
	def := d.readDefValType(s, c, off)
	if !r.ok() {
		return Type{}
	}
	return Type{Kind: TypeValue, Value: wit.TypeRef(d.newTypeDef(def))}
}

func (d *decoder) readDefValType(s *scope, c byte, off int) *wit.TypeDef {
	r := d.r
	t := &wit.TypeDef{}
	switch c {
	case 0x72:
		t.Kind = wit.KindRecord
		n := r.count("record field", 2)
		if n == 0 && r.ok() {
			r.failAt(off, "record with no fields")
		}
		seen := map[string]bool{}
		t.Fields = make([]wit.Field, 0, n)
		for i := 0; i < n && r.ok(); i++ {
			name := d.label("field", seen)
			t.Fields = append(t.Fields, wit.Field{Name: name, Type: d.readValType(s)})
		}
	case 0x71:
		t.Kind = wit.KindVariant
		n := r.count("variant case", 3)
		if n == 0 && r.ok() {
			r.failAt(off, "variant with no cases")
		}
		seen := map[string]bool{}
		t.Cases = make([]wit.Case, 0, n)
		for i := 0; i < n && r.ok(); i++ {
			name := d.label("case", seen)
			ty := d.optValType(s)
			// Older encoders wrote a `refines` index here; it carries no
			// meaning for us, so accept and skip it.
			switch b := r.byte(); b {
			case 0:
			case 1:
				r.u32()
			default:
				if r.ok() {
					r.failAt(r.offset()-1, "bad variant case terminator 0x%02x", b)
				}
			}
			t.Cases = append(t.Cases, wit.Case{Name: name, Type: ty})
		}
	case 0x70:
		t.Kind = wit.KindList
		t.Elem = d.readValType(s)
	case 0x67:
		t.Kind = wit.KindFixedList
		t.Elem = d.readValType(s)
		t.Size = r.u32()
		switch {
		case !r.ok():
		case t.Size == 0:
			r.failAt(off, "fixed-length list of length 0")
		case t.Size > MaxFixedListLength:
			r.failAt(off, "fixed-length list of length %d: the component model allows at most %d (2^28-1), as a type must be smaller than 2^28 bytes", t.Size, MaxFixedListLength)
		}
	case 0x6f:
		t.Kind = wit.KindTuple
		n := r.count("tuple type", 1)
		if n == 0 && r.ok() {
			r.failAt(off, "tuple with no types")
		}
		t.Types = make([]wit.Type, 0, n)
		for i := 0; i < n && r.ok(); i++ {
			t.Types = append(t.Types, d.readValType(s))
		}
	case 0x6e:
		t.Kind = wit.KindFlags
		n := r.count("flag", 2)
		if r.ok() && (n == 0 || n > maxFlags) {
			r.failAt(off, "flags with %d labels (want 1 to %d)", n, maxFlags)
		}
		seen := map[string]bool{}
		for i := 0; i < n && r.ok(); i++ {
			t.Flags = append(t.Flags, wit.Flag{Name: d.label("flag", seen)})
		}
	case 0x6d:
		t.Kind = wit.KindEnum
		n := r.count("enum case", 2)
		if n == 0 && r.ok() {
			r.failAt(off, "enum with no cases")
		}
		seen := map[string]bool{}
		t.Enum = make([]wit.EnumCase, 0, n)
		for i := 0; i < n && r.ok(); i++ {
			t.Enum = append(t.Enum, wit.EnumCase{Name: d.label("enum case", seen)})
		}
	case 0x6b:
		t.Kind = wit.KindOption
		t.Elem = d.readValType(s)
	case 0x6a:
		t.Kind = wit.KindResult
		t.Ok = d.optValType(s)
		t.Err = d.optValType(s)
	case 0x69, 0x68:
		t.Kind = wit.KindOwn
		if c == 0x68 {
			t.Kind = wit.KindBorrow
		}
		i := r.u32()
		if rt, ok := d.typeOfKind(s, i, TypeResource); ok {
			t.Resource = rt.Value.ID
		}
	case 0x66:
		t.Kind = wit.KindStream
		t.Elem = d.optValType(s)
	case 0x65:
		t.Kind = wit.KindFuture
		t.Elem = d.optValType(s)
	case 0x63:
		t.Kind = wit.KindMap
		t.Key = d.readValType(s)
		t.Elem = d.readValType(s)
		if r.ok() && !isMapKey(t.Key) {
			r.failAt(off, "map key must be a bool, integer, char or string")
		}
	default:
		r.failAt(off, "unknown type 0x%02x", c)
	}
	return t
}

func isMapKey(t wit.Type) bool {
	switch t.Prim {
	case wit.Bool, wit.U8, wit.U16, wit.U32, wit.U64, wit.S8, wit.S16, wit.S32, wit.S64, wit.Char, wit.String:
		return true
	}
	return false
}

func (d *decoder) readResourceType(s *scope, off int) Type {
	r := d.r
	if s.comp == nil {
		r.failAt(off, "resource types cannot be defined inside component or instance types")
		return Type{}
	}
	rep := readCoreValType(r)
	if r.ok() && rep != I32 {
		r.failAt(off, "resource representation must be i32, not %s", rep)
	}
	var dtor *uint32
	switch b := r.byte(); b {
	case 0:
	case 1:
		f := r.u32()
		if d.checkIndex(s, SortCoreFunc, f) {
			dtor = &f
		}
	default:
		if r.ok() {
			r.failAt(r.offset()-1, "bad resource destructor flag 0x%02x", b)
		}
	}
	if !r.ok() {
		return Type{}
	}
	res := d.newResource("", s, true)
	res.Rep, res.Dtor = rep, dtor
	return Type{Kind: TypeResource, Value: wit.TypeRef(res.ID), Resource: res}
}

func (d *decoder) readFuncType(s *scope, async bool) *wit.Function {
	r := d.r
	f := &wit.Function{Kind: wit.Freestanding}
	if async {
		f.Kind = wit.AsyncFreestanding
	}
	n := r.count("param", 2)
	seen := map[string]bool{}
	f.Params = make([]wit.Param, 0, n)
	for i := 0; i < n && r.ok(); i++ {
		name := d.label("param", seen)
		f.Params = append(f.Params, wit.Param{Name: name, Type: d.readValType(s)})
	}
	off := r.offset()
	switch b := r.byte(); b {
	case 0:
		f.Result = d.readValType(s)
	case 1:
		if k := r.u32(); k != 0 && r.ok() {
			r.failAt(off, "function with %d named results: named results are not supported (removed from the component model)", k)
		}
	default:
		if r.ok() {
			r.failAt(off, "bad function result list 0x%02x", b)
		}
	}
	if r.ok() && d.hasBorrow(f.Result) {
		r.failAt(off, "function result contains a borrow handle")
	}
	return f
}

// hasBorrow reports whether t transitively contains a borrow; newTypeDef
// works it out once per TypeDef, so shared subtypes are not walked again.
func (d *decoder) hasBorrow(t wit.Type) bool {
	return t.Prim == wit.Ref && int(t.ID) < len(d.borrows) && d.borrows[t.ID]
}

func (d *decoder) enter(s *scope) *scope {
	t := newScope(s, nil)
	if t.depth > maxDepth && d.r.ok() {
		d.r.fail("types nested more than %d deep", maxDepth)
	}
	return t
}

func (d *decoder) readComponentType(s *scope) *ComponentType {
	t := d.enter(s)
	d.readDecls(t, true)
	return &ComponentType{Imports: t.imports, Exports: t.exports}
}

func (d *decoder) readInstanceType(s *scope) *InstanceType {
	t := d.enter(s)
	d.readDecls(t, false)
	return newInstanceType(t.exports)
}

// readDecls reads the declarations of a component type (imports allowed)
// or an instance type.
func (d *decoder) readDecls(t *scope, component bool) {
	r := d.r
	n := r.count("declaration", 2)
	for i := 0; i < n && r.ok(); i++ {
		r.push("declaration %d", i)
		off := r.offset()
		switch b := r.byte(); b {
		case 0x00:
			t.coreTypes = append(t.coreTypes, d.readCoreType(t))
		case 0x01:
			t.types = append(t.types, d.readType(t))
		case 0x02:
			d.readAliasDecl(t)
		case 0x03:
			if !component {
				r.failAt(off, "imports are not allowed in instance types")
				break
			}
			name := d.readExternName()
			desc := d.readExternDesc(t, name.Name)
			d.uniqueName(t.importNames, "import", name.Name, off)
			t.mint(desc)
			t.imports = append(t.imports, Extern{Name: name, Desc: desc})
		case 0x04:
			name := d.readExternName()
			desc := d.readExternDesc(t, name.Name)
			d.uniqueName(t.exportNames, "export", name.Name, off)
			t.mint(desc)
			t.exports = append(t.exports, Extern{Name: name, Desc: desc})
		default:
			if r.ok() {
				r.failAt(off, "unknown declaration 0x%02x", b)
			}
		}
		r.pop()
	}
}

func (d *decoder) uniqueName(seen map[string]bool, what, name string, off int) {
	if !d.r.ok() {
		return
	}
	if seen[name] {
		d.r.failAt(off, "duplicate %s name %q", what, name)
	}
	seen[name] = true
}

// readAliasDecl reads an alias declarator inside a component or instance
// type: outer aliases of types and core types, and export aliases of
// types and instances from instances imported into the type.
func (d *decoder) readAliasDecl(t *scope) {
	r := d.r
	off := r.offset()
	a := d.readAlias()
	if !r.ok() {
		return
	}
	switch a.kind {
	case aliasOuter:
		o := d.outer(t, a.count)
		if !r.ok() {
			return
		}
		switch a.sort {
		case SortType:
			if ty, ok := d.typeAt(o, a.index); ok {
				t.types = append(t.types, ty)
			}
		case SortCoreType:
			if ct, ok := d.coreTypeAt(o, a.index); ok {
				t.coreTypes = append(t.coreTypes, ct)
			}
		default:
			r.failAt(off, "outer alias of a %s is not allowed in a type", a.sort)
		}
	case aliasExport:
		if a.sort != SortType && a.sort != SortInstance {
			r.failAt(off, "export alias of a %s is not allowed in a type", a.sort)
			return
		}
		if int64(a.instance) >= int64(len(t.instances)) {
			r.failAt(off, "instance index %d out of range (%d defined)", a.instance, len(t.instances))
			return
		}
		e := t.instances[a.instance].Export(a.name)
		if e == nil || e.Desc.Sort != a.sort {
			r.failAt(off, "instance %d has no %s export %q", a.instance, a.sort, a.name)
			return
		}
		t.mint(e.Desc)
	default:
		r.failAt(off, "core export aliases are not allowed in a type")
	}
}

// readExternName reads nameattributes (and the legacy 0x01 prefix).
func (d *decoder) readExternName() ExternName {
	r := d.r
	off := r.offset()
	var n ExternName
	switch b := r.byte(); b {
	case 0x00:
		n.Name = r.name()
	case 0x01:
		// Before component-model#263 0x01 marked an interface name; the
		// string says as much, so treat it as a plain name.
		n.Name = r.name()
		n.Legacy = true
	case 0x02:
		n.Name = r.name()
		k := r.count("name attribute", 2)
		seen := [3]bool{}
		for i := 0; i < k && r.ok(); i++ {
			aoff := r.offset()
			a := r.byte()
			if a <= 2 && seen[a] {
				r.failAt(aoff, "duplicate name attribute 0x%02x", a)
			}
			switch a {
			case 0:
				n.Implements = r.name()
			case 1:
				n.VersionSuffix = r.name()
			case 2:
				n.ExternalID = r.name()
			default:
				if r.ok() {
					r.failAt(aoff, "unknown name attribute 0x%02x", a)
				}
			}
			if a <= 2 {
				seen[a] = true
			}
		}
	default:
		if r.ok() {
			r.failAt(off, "unknown name encoding 0x%02x", b)
		}
	}
	if r.ok() && n.Name == "" {
		r.failAt(off, "empty import or export name")
	}
	return n
}

// readExternDesc reads an externtype; name names the types it may mint.
func (d *decoder) readExternDesc(s *scope, name string) ExternDesc {
	r := d.r
	off := r.offset()
	var desc ExternDesc
	b := r.byte()
	switch b {
	case 0x00:
		if k := r.byte(); k != 0x11 && r.ok() {
			r.failAt(off, "bad core extern kind 0x%02x (only core modules can be imported)", k)
			return desc
		}
		desc.Sort = SortCoreModule
		desc.TypeIndex = r.u32()
		if ct, ok := d.coreTypeAt(s, desc.TypeIndex); ok {
			if ct.Module == nil {
				r.failAt(off, "core type index %d is not a module type", desc.TypeIndex)
			}
			desc.CoreModule = ct.Module
		}
	case 0x01:
		desc.Sort = SortFunc
		desc.TypeIndex = r.u32()
		if t, ok := d.typeOfKind(s, desc.TypeIndex, TypeFunc); ok {
			desc.Func = t.Func
		}
	case 0x02:
		if r.ok() {
			r.failAt(off, "value imports and exports are not supported yet")
		}
	case 0x03:
		desc.Sort = SortType
		switch bound := r.byte(); bound {
		case 0x00:
			desc.Bound = BoundEq
			desc.TypeIndex = r.u32()
			if t, ok := d.typeAt(s, desc.TypeIndex); ok {
				desc.Type = d.namedAlias(name, t)
			}
		case 0x01:
			desc.Bound = BoundSubResource
			res := d.newResource(name, s, false)
			desc.Type = Type{Kind: TypeResource, Value: wit.TypeRef(res.ID), Resource: res}
		default:
			if r.ok() {
				r.failAt(off, "bad type bound 0x%02x", bound)
			}
		}
	case 0x04:
		desc.Sort = SortComponent
		desc.TypeIndex = r.u32()
		if t, ok := d.typeOfKind(s, desc.TypeIndex, TypeComponent); ok {
			desc.Component = t.Component
		}
	case 0x05:
		desc.Sort = SortInstance
		desc.TypeIndex = r.u32()
		if t, ok := d.typeOfKind(s, desc.TypeIndex, TypeInstance); ok {
			desc.Instance = t.Instance
		}
	default:
		if r.ok() {
			r.failAt(off, "unknown extern kind 0x%02x", b)
		}
	}
	return desc
}

// readCoreType reads a core type of a component (section 3 entry or
// declaration): a module type or a core (function) type.
func (d *decoder) readCoreType(s *scope) CoreType {
	r := d.r
	switch r.peek() {
	case 0x50:
		r.byte()
		return CoreType{Module: d.readModuleType(s)}
	case 0x00:
		r.byte()
		if r.peek() != 0x50 && r.ok() {
			r.fail("expected a non-final sub type after 0x00")
			return CoreType{}
		}
	}
	ts := readCoreRecGroup(r)
	if len(ts) != 1 && r.ok() {
		// Rec groups of several types would mint several indices; no
		// component toolchain emits them, so keep the index space simple.
		r.fail("core rec groups of %d types are not supported yet", len(ts))
		return CoreType{}
	}
	if len(ts) == 0 {
		return CoreType{}
	}
	return ts[0]
}

func (d *decoder) readModuleType(s *scope) *CoreModuleType {
	r := d.r
	m := &CoreModuleType{}
	var types []CoreType
	n := r.count("module type declaration", 2)
	for i := 0; i < n && r.ok(); i++ {
		r.push("module type declaration %d", i)
		off := r.offset()
		switch b := r.byte(); b {
		case 0x00:
			imp := CoreImport{Module: r.name(), Name: r.name()}
			imp.Type = readCoreExternType(r, types)
			m.Imports = append(m.Imports, imp)
		case 0x01:
			if r.peek() == 0x50 && r.ok() {
				r.fail("module types cannot contain module types")
				break
			}
			types = append(types, readCoreRecGroup(r)...)
		case 0x02:
			if k := r.byte(); k != 0x10 && r.ok() {
				r.failAt(off, "module type alias must be of a core type, not 0x%02x", k)
				break
			}
			if k := r.byte(); k != 0x01 && r.ok() {
				r.failAt(off, "module type alias must be an outer alias, not 0x%02x", k)
				break
			}
			count, idx := r.u32(), r.u32()
			if !r.ok() {
				break
			}
			// Count 0 is the module type itself; 1 and up are the
			// enclosing component scopes.
			if count == 0 {
				if int64(idx) >= int64(len(types)) {
					r.failAt(off, "core type index %d out of range", idx)
					break
				}
				types = append(types, types[idx])
				break
			}
			if o := d.outer(s, count-1); o != nil {
				if ct, ok := d.coreTypeAt(o, idx); ok {
					types = append(types, ct)
				}
			}
		case 0x03:
			e := CoreExport{Name: r.name()}
			e.Type = readCoreExternType(r, types)
			m.Exports = append(m.Exports, e)
		default:
			if r.ok() {
				r.failAt(off, "unknown module type declaration 0x%02x", b)
			}
		}
		r.pop()
	}
	return m
}
