package component

import (
	"bytes"
	"strings"

	"github.com/bigband-dev/bigband/wit"
)

// Decode decodes and validates a component binary.
func Decode(b []byte) (*Component, error) {
	c, err := decodeRoot(b, 0, 0)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// decodeRoot decodes a whole component (with its own Resolve) found at
// offset base of the top-level input.
func decodeRoot(b []byte, base, depth int) (*Component, *Error) {
	return decodeShared(b, base, depth, nil, true)
}

// decodeShared is decodeRoot adding to the types of like, when not nil;
// file says b ends where the input does (it is not embedded in another
// binary), so that running out of it is a truncation.
func decodeShared(b []byte, base, depth int, like *Component, file bool) (*Component, *Error) {
	r := newReader(b, base)
	r.file = file
	d := &decoder{
		r:         r,
		res:       &wit.Resolve{PackageNames: map[string]wit.PackageID{}},
		resources: map[wit.TypeID]*Resource{},
		budget:    4*len(b) + 1024,
	}
	if like != nil {
		d.res, d.resources = like.Resolve, like.Resources
		// Earlier payloads' types count as flat and borrow-free: only new
		// definitions are checked.
		d.depths = make([]uint16, len(d.res.Types))
		d.borrows = make([]bool, len(d.res.Types))
	}
	var parent *scope
	if depth > 0 {
		parent = &scope{depth: depth}
	}
	c := d.component(parent)
	if d.r.err != nil {
		return nil, d.r.err
	}
	return c, nil
}

var sectionNames = [...]string{"custom", "core module", "core instance", "core type", "component", "instance", "alias", "type", "canon", "start", "import", "export", "value"}

// component decodes the component that d.r holds entirely.
func (d *decoder) component(parent *scope) *Component {
	r := d.r
	c := &Component{Offset: r.offset(), End: r.base + len(r.b), Resolve: d.res, Resources: d.resources}
	s := newScope(parent, c)
	if parent != nil {
		c.depth = s.depth
		c.Parent = parent.comp
		if s.depth > maxDepth {
			r.fail("components nested more than %d deep", maxDepth)
			return c
		}
	}
	switch {
	case r.preambleCut():
	case r.remaining() < 8 || !bytes.Equal(r.b[r.pos:r.pos+4], wasmMagic):
		r.fail("not a WebAssembly binary (bad magic)")
	case bytes.Equal(r.b[r.pos+4:r.pos+8], coreVersion):
		r.fail("this is a core module, not a component")
	case !bytes.Equal(r.b[r.pos+4:r.pos+8], componentHead):
		r.fail("unsupported component binary version % x (want 0d 00 01 00)", r.b[r.pos+4:r.pos+8])
	}
	r.pos += 8
	counts := [len(sectionNames)]int{}
	for r.ok() && !r.eof() {
		idOff := r.offset()
		id, body := r.section(componentSectionName)
		if !r.ok() {
			break
		}
		if int(id) >= len(sectionNames) {
			r.failAt(idOff, "unknown section id %d", id)
			break
		}
		d.r = body
		body.push("%s section", sectionNames[id])
		d.section(s, id, counts[id])
		counts[id]++
		if body.ok() && !body.eof() {
			body.fail("%d unread bytes at the end of the section", body.remaining())
		}
		body.pop()
		d.r = r
		r.adopt(body)
	}
	c.Types, c.CoreTypes, c.Funcs = s.types, s.coreTypes, s.funcs
	c.Instances, c.Components, c.CoreModules = s.instances, s.components, s.coreModules
	return c
}

func componentSectionName(id byte) string {
	if int(id) < len(sectionNames) {
		return sectionNames[id]
	}
	return "unknown"
}

// entries runs f for each entry of a vec section, naming it in errors.
func (d *decoder) entries(what string, minSize int, f func(i int)) {
	r := d.r
	n := r.count(what, minSize)
	last := len(r.ctx) - 1
	base := r.ctx[last]
	for i := 0; i < n && r.ok(); i++ {
		r.ctx[last] = base + " entry " + itoa(i)
		f(i)
	}
	r.ctx[last] = base
}

func (d *decoder) section(s *scope, id byte, nth int) {
	r := d.r
	c := s.comp
	switch id {
	case 0:
		name := r.name()
		off := r.offset()
		data := r.bytes(r.remaining())
		if r.ok() {
			c.Customs = append(c.Customs, Custom{Name: name, Data: data, Offset: off})
		}
	case 1:
		d.coreModuleSection(s)
	case 2:
		d.entries("core instance", 2, func(int) { d.coreInstance(s) })
	case 3:
		d.entries("core type", 1, func(int) {
			t := d.readCoreType(s)
			if r.ok() {
				s.push(&CoreTypeDef{Index: s.next(SortCoreType), Type: t})
				s.coreTypes = append(s.coreTypes, t)
			}
		})
	case 4:
		r.ctx[len(r.ctx)-1] = "component section (component " + itoa(len(s.components)) + ")"
		nested := d.component(s)
		if r.ok() {
			s.push(&NestedComponent{Index: s.next(SortComponent), Component: nested})
			s.components = append(s.components, nested.Type())
		}
	case 5:
		d.entries("instance", 2, func(int) { d.instance(s) })
	case 6:
		d.entries("alias", 3, func(int) { d.alias(s) })
	case 7:
		d.entries("type", 1, func(int) {
			t := d.readType(s)
			if r.ok() {
				s.push(&TypeDef{Index: s.next(SortType), Type: t})
				s.types = append(s.types, t)
			}
		})
	case 8:
		d.entries("canon", 2, func(int) { d.canon(s) })
	case 9:
		r.fail("component start functions are not supported yet")
	case 10:
		d.entries("import", 3, func(int) { d.importEntry(s) })
	case 11:
		d.entries("export", 4, func(int) { d.exportEntry(s) })
	case 12:
		r.fail("component values are not supported yet")
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}

func (d *decoder) coreModuleSection(s *scope) {
	r := d.r
	off := r.offset()
	b := r.bytes(r.remaining())
	r.ctx[len(r.ctx)-1] = "core module section (core module " + itoa(len(s.coreModules)) + ")"
	m, err := decodeCore(b, off, false, false)
	if err != nil {
		err.Context = joinCtx(strings.Join(r.ctx, ": "), err.Context)
		if r.err == nil {
			r.err = err
		}
		return
	}
	t := &m.CoreModuleType
	s.push(&CoreModuleDef{Index: s.next(SortCoreModule), Offset: off, Bytes: b, Type: t})
	s.coreModules = append(s.coreModules, t)
}

func (d *decoder) coreInstance(s *scope) {
	r := d.r
	off := r.offset()
	switch b := r.byte(); b {
	case 0x00:
		def := &CoreInstantiate{Module: r.u32()}
		if !d.checkIndex(s, SortCoreModule, def.Module) {
			return
		}
		seen := map[string]bool{}
		n := r.count("instantiation argument", 3)
		def.Args = make([]CoreInstantiateArg, 0, n)
		for i := 0; i < n && r.ok(); i++ {
			aoff := r.offset()
			a := CoreInstantiateArg{Name: r.name()}
			if k := r.byte(); k != 0x12 && r.ok() {
				r.failAt(aoff, "argument %q: only core instances can be passed, not kind 0x%02x", a.Name, k)
			}
			a.Instance = r.u32()
			d.checkIndex(s, SortCoreInstance, a.Instance)
			d.uniqueName(seen, "argument", a.Name, aoff)
			def.Args = append(def.Args, a)
		}
		if !r.ok() {
			return
		}
		mt := s.coreModules[def.Module]
		inst := &coreInstance{}
		if mt != nil {
			args := make(map[string]*CoreInstantiateArg, len(def.Args))
			for i := range def.Args {
				args[def.Args[i].Name] = &def.Args[i]
			}
			for _, imp := range mt.Imports {
				arg := args[imp.Module]
				if arg == nil {
					r.failAt(off, "core module %d imports from %q but no argument supplies it", def.Module, imp.Module)
					return
				}
				if ex := s.coreInsts[arg.Instance].exports; ex != nil {
					if k, ok := ex[imp.Name]; !ok || k != imp.Type.Kind {
						r.failAt(off, "core module %d imports %s %q %q but core instance %d does not export it", def.Module, imp.Type.Kind, imp.Module, imp.Name, arg.Instance)
						return
					}
				}
			}
			inst.exports = d.moduleExports(mt)
		}
		def.Index = s.next(SortCoreInstance)
		s.push(def)
		s.coreInsts = append(s.coreInsts, inst)
	case 0x01:
		def := &CoreInlineExports{}
		inst := &coreInstance{exports: map[string]CoreExternKind{}}
		n := r.count("inline export", 3)
		def.Exports = make([]CoreInlineExport, 0, n)
		for i := 0; i < n && r.ok(); i++ {
			eoff := r.offset()
			e := CoreInlineExport{Name: r.name()}
			e.Sort = d.readCoreSort()
			e.Index = r.u32()
			if r.ok() && e.Sort > SortCoreTag {
				r.failAt(eoff, "inline export %q: a %s cannot be exported from a core instance", e.Name, e.Sort)
			}
			d.checkIndex(s, e.Sort, e.Index)
			if _, dup := inst.exports[e.Name]; dup && r.ok() {
				r.failAt(eoff, "duplicate inline export name %q", e.Name)
			}
			inst.exports[e.Name] = CoreExternKind(e.Sort - SortCoreFunc)
			def.Exports = append(def.Exports, e)
		}
		if !r.ok() {
			return
		}
		def.Index = s.next(SortCoreInstance)
		s.push(def)
		s.coreInsts = append(s.coreInsts, inst)
	default:
		if r.ok() {
			r.failAt(off, "unknown core instance kind 0x%02x", b)
		}
	}
}

// readCoreSort reads a core:sort byte.
func (d *decoder) readCoreSort() Sort {
	r := d.r
	b := r.byte()
	switch b {
	case 0x00, 0x01, 0x02, 0x03, 0x04:
		return SortCoreFunc + Sort(b)
	case 0x10:
		return SortCoreType
	case 0x11:
		return SortCoreModule
	case 0x12:
		return SortCoreInstance
	}
	if r.ok() {
		r.failAt(r.offset()-1, "unknown core sort 0x%02x", b)
	}
	return SortCoreFunc
}

// readSort reads a sort (0x00 followed by a core sort, or a component sort).
func (d *decoder) readSort() Sort {
	r := d.r
	b := r.byte()
	switch b {
	case 0x00:
		return d.readCoreSort()
	case 0x01:
		return SortFunc
	case 0x02:
		return SortValue
	case 0x03:
		return SortType
	case 0x04:
		return SortComponent
	case 0x05:
		return SortInstance
	}
	if r.ok() {
		r.failAt(r.offset()-1, "unknown sort 0x%02x", b)
	}
	return SortFunc
}

// itemDesc is the type of item (srt, i) of a component scope.
func (d *decoder) itemDesc(s *scope, srt Sort, i uint32) ExternDesc {
	r := d.r
	if srt == SortValue {
		r.fail("component values are not supported yet")
		return ExternDesc{}
	}
	if srt.IsCore() && srt != SortCoreModule {
		r.fail("a %s cannot be exported from a component", srt)
		return ExternDesc{}
	}
	if !d.checkIndex(s, srt, i) {
		return ExternDesc{}
	}
	desc := ExternDesc{Sort: srt, TypeIndex: i}
	switch srt {
	case SortFunc:
		desc.Func = s.funcs[i]
	case SortType:
		desc.Type = s.types[i]
	case SortInstance:
		desc.Instance = s.instances[i]
	case SortComponent:
		desc.Component = s.components[i]
	case SortCoreModule:
		desc.CoreModule = s.coreModules[i]
	}
	return desc
}

func (d *decoder) instance(s *scope) {
	r := d.r
	off := r.offset()
	switch b := r.byte(); b {
	case 0x00:
		def := &Instantiate{Component: r.u32()}
		if !d.checkIndex(s, SortComponent, def.Component) {
			return
		}
		seen := map[string]bool{}
		n := r.count("instantiation argument", 3)
		def.Args = make([]InstantiateArg, 0, n)
		for i := 0; i < n && r.ok(); i++ {
			aoff := r.offset()
			a := InstantiateArg{Name: r.name()}
			a.Sort = d.readSort()
			a.Index = r.u32()
			if r.ok() && a.Sort.IsCore() && a.Sort != SortCoreModule {
				r.failAt(aoff, "argument %q: a %s cannot be passed to a component", a.Name, a.Sort)
			}
			if r.ok() && a.Sort == SortValue {
				r.failAt(aoff, "argument %q: component values are not supported yet", a.Name)
			}
			d.checkIndex(s, a.Sort, a.Index)
			d.uniqueName(seen, "argument", a.Name, aoff)
			def.Args = append(def.Args, a)
		}
		if !r.ok() {
			return
		}
		it := d.instantiate(s, s.components[def.Component], def.Args, off)
		if !r.ok() {
			return
		}
		def.Index = s.next(SortInstance)
		s.push(def)
		s.instances = append(s.instances, it)
	case 0x01:
		def := &InlineExports{}
		seen := map[string]bool{}
		n := r.count("inline export", 3)
		def.Exports = make([]InlineExport, 0, n)
		externs := make([]Extern, 0, n)
		for i := 0; i < n && r.ok(); i++ {
			eoff := r.offset()
			e := InlineExport{Name: d.readExternName()}
			e.Sort = d.readSort()
			e.Index = r.u32()
			desc := d.itemDesc(s, e.Sort, e.Index)
			d.uniqueName(seen, "export", e.Name.Name, eoff)
			def.Exports = append(def.Exports, e)
			externs = append(externs, Extern{Name: e.Name, Desc: desc})
		}
		if !r.ok() {
			return
		}
		def.Index = s.next(SortInstance)
		s.push(def)
		s.instances = append(s.instances, newInstanceType(externs))
	default:
		if r.ok() {
			r.failAt(off, "unknown instance kind 0x%02x", b)
		}
	}
}

type aliasKind uint8

const (
	aliasExport aliasKind = iota
	aliasCoreExport
	aliasOuter
)

type aliasRec struct {
	sort     Sort
	kind     aliasKind
	instance uint32
	name     string
	count    uint32
	index    uint32
}

func (d *decoder) readAlias() aliasRec {
	r := d.r
	var a aliasRec
	a.sort = d.readSort()
	off := r.offset()
	switch b := r.byte(); b {
	case 0x00:
		a.kind = aliasExport
		a.instance = r.u32()
		a.name = r.name()
		if r.ok() && a.sort.IsCore() && a.sort != SortCoreModule {
			r.failAt(off, "export alias of a %s needs a core instance", a.sort)
		}
	case 0x01:
		a.kind = aliasCoreExport
		a.instance = r.u32()
		a.name = r.name()
		if r.ok() && (!a.sort.IsCore() || a.sort > SortCoreTag) {
			r.failAt(off, "core export alias of a %s", a.sort)
		}
	case 0x02:
		a.kind = aliasOuter
		a.count = r.u32()
		a.index = r.u32()
		switch a.sort {
		case SortCoreModule, SortCoreType, SortType, SortComponent:
		default:
			if r.ok() {
				r.failAt(off, "outer alias of a %s", a.sort)
			}
		}
	default:
		if r.ok() {
			r.failAt(off, "unknown alias kind 0x%02x", b)
		}
	}
	return a
}

// alias handles an entry of the alias section.
func (d *decoder) alias(s *scope) {
	r := d.r
	off := r.offset()
	a := d.readAlias()
	if !r.ok() {
		return
	}
	switch a.kind {
	case aliasExport:
		if !d.checkIndex(s, SortInstance, a.instance) {
			return
		}
		e := s.instances[a.instance].Export(a.name)
		if e == nil || e.Desc.Sort != a.sort {
			r.failAt(off, "instance %d has no %s export %q", a.instance, a.sort, a.name)
			return
		}
		if a.sort == SortValue {
			r.failAt(off, "component values are not supported yet")
			return
		}
		s.push(&AliasExport{Sort: a.sort, Index: s.next(a.sort), Instance: a.instance, Name: a.name})
		s.mint(e.Desc)
	case aliasCoreExport:
		if !d.checkIndex(s, SortCoreInstance, a.instance) {
			return
		}
		if ex := s.coreInsts[a.instance].exports; ex != nil {
			if k, ok := ex[a.name]; !ok || k.sort() != a.sort {
				r.failAt(off, "core instance %d has no %s export %q", a.instance, a.sort, a.name)
				return
			}
		}
		s.push(&AliasCoreExport{Sort: a.sort, Index: s.next(a.sort), Instance: a.instance, Name: a.name})
	case aliasOuter:
		o := d.outer(s, a.count)
		if !r.ok() {
			return
		}
		if o.comp == nil && (a.sort == SortCoreModule || a.sort == SortComponent) {
			r.failAt(off, "outer alias of a %s from a type scope", a.sort)
			return
		}
		if !d.checkIndex(o, a.sort, a.index) {
			return
		}
		s.push(&AliasOuter{Sort: a.sort, Index: s.next(a.sort), Count: a.count, Target: a.index})
		switch a.sort {
		case SortType:
			s.types = append(s.types, o.types[a.index])
		case SortCoreType:
			s.coreTypes = append(s.coreTypes, o.coreTypes[a.index])
		case SortComponent:
			s.components = append(s.components, o.components[a.index])
		case SortCoreModule:
			s.coreModules = append(s.coreModules, o.coreModules[a.index])
		}
	}
}

func (d *decoder) importEntry(s *scope) {
	r := d.r
	off := r.offset()
	name := d.readExternName()
	desc := d.readExternDesc(s, name.Name)
	d.uniqueName(s.importNames, "import", name.Name, off)
	if !r.ok() {
		return
	}
	def := &Import{Index: s.next(desc.Sort), Name: name, Desc: desc}
	s.push(def)
	s.mint(desc)
	s.comp.Imports = append(s.comp.Imports, def)
}

func (d *decoder) exportEntry(s *scope) {
	r := d.r
	off := r.offset()
	def := &Export{Name: d.readExternName()}
	def.Sort = d.readSort()
	def.Target = r.u32()
	item := d.itemDesc(s, def.Sort, def.Target)
	if !r.ok() {
		return
	}
	switch b := r.byte(); b {
	case 0:
		def.Desc = item
		if def.Sort == SortType {
			def.Desc.Type = d.namedAlias(def.Name.Name, item.Type)
		}
	case 1:
		aoff := r.offset()
		asc := d.readExternDesc(s, def.Name.Name)
		if r.ok() && asc.Sort != def.Sort {
			r.failAt(aoff, "export %q: a %s ascribed to a %s", def.Name.Name, asc.Sort, def.Sort)
		}
		if asc.Sort == SortType && asc.Bound == BoundSubResource {
			// Ascribing `(sub resource)` hides nothing from us: the export
			// still is the resource it names.
			if item.Type.Kind != TypeResource && r.ok() {
				r.failAt(aoff, "export %q: (sub resource) ascribed to a %s", def.Name.Name, item.Type.Kind)
			}
			delete(d.resources, asc.Type.Value.ID)
			asc.Type = d.namedAlias(def.Name.Name, item.Type)
		}
		def.Ascribed = &asc
		def.Desc = asc
	default:
		if r.ok() {
			r.failAt(r.offset()-1, "bad export type flag 0x%02x", b)
		}
	}
	d.uniqueName(s.exportNames, "export", def.Name.Name, off)
	if !r.ok() {
		return
	}
	def.Index = s.next(def.Sort)
	s.push(def)
	s.mint(def.Desc)
	s.comp.Exports = append(s.comp.Exports, def)
}

// Type is the component's type: its imports and exports.
func (c *Component) Type() *ComponentType {
	t := &ComponentType{}
	for _, i := range c.Imports {
		t.Imports = append(t.Imports, Extern{Name: i.Name, Desc: i.Desc})
	}
	for _, e := range c.Exports {
		t.Exports = append(t.Exports, Extern{Name: e.Name, Desc: e.Desc})
	}
	return t
}

// moduleExports maps a module type's export names to kinds, once per type:
// instantiating a module many times must not copy its exports each time.
func (d *decoder) moduleExports(mt *CoreModuleType) map[string]CoreExternKind {
	if m, ok := d.modExports[mt]; ok {
		return m
	}
	m := make(map[string]CoreExternKind, len(mt.Exports))
	for _, e := range mt.Exports {
		m[e.Name] = e.Type.Kind
	}
	if d.modExports == nil {
		d.modExports = map[*CoreModuleType]map[string]CoreExternKind{}
	}
	d.modExports[mt] = m
	return m
}
