package component

import (
	"fmt"

	"github.com/bigband-dev/bigband/wit"
)

// World returns the component's imports and exports as a WIT world, the
// way `wasm-tools component wit` shows them: world `root` in package
// `root:component`; each instance imported or exported under an interface
// name `ns:pkg/iface@ver` is an interface of package `ns:pkg@ver` with the
// functions and types of its instance type; plain-named funcs, instances
// and types are world items. The Resolve is new on every call.
func (c *Component) World() (*wit.Resolve, wit.WorldID, error) {
	b := newWorldBuilder(c.Resolve)
	wid := wit.WorldID(len(b.dst.Worlds))
	b.dst.Worlds = append(b.dst.Worlds, &wit.World{Name: "root"})
	root := &wit.Package{Name: wit.PackageName{Namespace: "root", Name: "component"}}
	root.Worlds = append(root.Worlds, wit.NamedWorld{Name: "root", ID: wid})
	for _, def := range c.Defs {
		var err error
		switch d := def.(type) {
		case *Import:
			err = b.worldImport(wid, root, d.Name, d.Desc)
		case *Export:
			err = b.worldExport(wid, root, d.Name, d.Desc)
		}
		if err != nil {
			return nil, 0, err
		}
	}
	b.finish(root)
	return b.dst, wid, nil
}

// worldBuilder turns component types into WIT, after wit-parser's
// decoding.rs: named types are registered by the type index their export
// mints, so later references (and aliases of them from other interfaces,
// which WIT writes as `use`) find them again.
type worldBuilder struct {
	src, dst    *wit.Resolve
	typeMap     map[wit.TypeID]wit.TypeID // src → dst
	namedIfaces map[string]wit.InterfaceID
	foreign     []*wit.Package
	foreignIdx  map[string]int
	ifacePkg    map[wit.InterfaceID]int // foreign package index, -1 for the main package
	resources   map[wit.Owner]map[string]wit.TypeID
	depth       int

	// Name indexes, so that big instance types do not cost quadratic time.
	foreignIfaces map[string]wit.InterfaceID // full interface name
	ifaceTypes    map[wit.InterfaceID]map[string]wit.TypeID
	ifaceFuncs    map[wit.InterfaceID]map[string]bool
}

func newWorldBuilder(src *wit.Resolve) *worldBuilder {
	return &worldBuilder{
		src:         src,
		dst:         &wit.Resolve{PackageNames: map[string]wit.PackageID{}},
		typeMap:     map[wit.TypeID]wit.TypeID{},
		namedIfaces: map[string]wit.InterfaceID{},
		foreignIdx:  map[string]int{},
		ifacePkg:    map[wit.InterfaceID]int{},
		resources:   map[wit.Owner]map[string]wit.TypeID{},

		foreignIfaces: map[string]wit.InterfaceID{},
		ifaceTypes:    map[wit.InterfaceID]map[string]wit.TypeID{},
		ifaceFuncs:    map[wit.InterfaceID]map[string]bool{},
	}
}

func (b *worldBuilder) addType(id wit.InterfaceID, name string, t wit.TypeID) {
	b.dst.Interfaces[id].Types = append(b.dst.Interfaces[id].Types, wit.NamedType{Name: name, ID: t})
	m := b.ifaceTypes[id]
	if m == nil {
		m = map[string]wit.TypeID{}
		b.ifaceTypes[id] = m
	}
	m[name] = t
}

func (b *worldBuilder) addFunc(id wit.InterfaceID, f *wit.Function) {
	b.dst.Interfaces[id].Functions = append(b.dst.Interfaces[id].Functions, f)
	m := b.ifaceFuncs[id]
	if m == nil {
		m = map[string]bool{}
		b.ifaceFuncs[id] = m
	}
	m[f.Name] = true
}

func worldOwner(id wit.WorldID) wit.Owner { return wit.Owner{Kind: wit.OwnerWorld, World: id} }
func ifaceOwner(id wit.InterfaceID) wit.Owner {
	return wit.Owner{Kind: wit.OwnerInterface, Interface: id}
}

func (b *worldBuilder) worldImport(wid wit.WorldID, pkg *wit.Package, name ExternName, desc ExternDesc) error {
	it, err := b.worldItem(wid, pkg, name, desc, false)
	if it != nil {
		b.dst.Worlds[wid].Imports = append(b.dst.Worlds[wid].Imports, it)
	}
	return err
}

func (b *worldBuilder) worldExport(wid wit.WorldID, pkg *wit.Package, name ExternName, desc ExternDesc) error {
	it, err := b.worldItem(wid, pkg, name, desc, true)
	if it != nil {
		b.dst.Worlds[wid].Exports = append(b.dst.Worlds[wid].Exports, it)
	}
	return err
}

// worldItem types one import or export of a world; it returns nil for what
// a world cannot express: modules, components and values, and exported
// types (wit-parser refuses those; dropping them keeps the rest of the
// component checkable).
func (b *worldBuilder) worldItem(wid wit.WorldID, pkg *wit.Package, name ExternName, desc ExternDesc, export bool) (*wit.WorldItem, error) {
	verb := "import"
	if export {
		verb = "export"
	}
	switch {
	case desc.Sort == SortInstance:
		key, id, err := b.worldInstance(pkg, name, desc.Instance)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", verb, name.Name, err)
		}
		return &wit.WorldItem{Key: key, Kind: wit.WorldInterface, Interface: id, ExternalID: name.ExternalID}, nil
	case desc.Sort == SortFunc:
		f, err := b.function(name.Name, desc.Func, worldOwner(wid))
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", verb, name.Name, err)
		}
		f.ExternalID = name.ExternalID
		return &wit.WorldItem{Key: wit.WorldKey{Name: name.Name}, Kind: wit.WorldFunction, Function: f}, nil
	case desc.Sort == SortType && !export:
		id, err := b.typeExport(name.Name, desc.Type.Value, worldOwner(wid))
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", verb, name.Name, err)
		}
		return &wit.WorldItem{Key: wit.WorldKey{Name: name.Name}, Kind: wit.WorldType, Type: id}, nil
	}
	return nil, nil
}

// worldInstance handles an instance import or export of a world.
func (b *worldBuilder) worldInstance(pkg *wit.Package, name ExternName, inst *InstanceType) (wit.WorldKey, wit.InterfaceID, error) {
	if name.Implements != "" {
		id, err := b.importInterface(name.Implements, inst)
		return wit.WorldKey{Name: name.Name}, id, err
	}
	if _, err := ParseInterfaceName(name.Name); err == nil {
		id, err := b.importInterface(name.Name, inst)
		return wit.WorldKey{Interface: id, IsInterface: true}, id, err
	}
	return b.localInterface(pkg, name.Name, inst)
}

// importInterface registers an interface known by its full name: a
// foreign one is created on first sight and filled lazily with what each
// instance type mentions; a local one (a WIT package's own) must already
// have everything.
func (b *worldBuilder) importInterface(name string, inst *InstanceType) (wit.InterfaceID, error) {
	id, local := b.namedIfaces[name]
	if !local {
		var err error
		if id, err = b.foreignInterface(name); err != nil {
			return 0, err
		}
	}
	owner := ifaceOwner(id)
	for _, e := range inst.Exports {
		switch e.Desc.Sort {
		case SortType:
			if prev, ok := b.ifaceTypes[id][e.Name.Name]; ok {
				if _, dup := b.typeMap[e.Desc.Type.Value.ID]; !dup && e.Desc.Type.Value.Prim == wit.Ref {
					b.typeMap[e.Desc.Type.Value.ID] = prev
				}
				continue
			}
			if local {
				return 0, fmt.Errorf("instance type export %q not defined in interface %s", e.Name.Name, name)
			}
			t, err := b.typeExport(e.Name.Name, e.Desc.Type.Value, owner)
			if err != nil {
				return 0, err
			}
			b.addType(id, e.Name.Name, t)
		case SortFunc:
			if b.ifaceFuncs[id][e.Name.Name] {
				continue
			}
			if local {
				return 0, fmt.Errorf("instance function export %q not defined in interface %s", e.Name.Name, name)
			}
			f, err := b.function(e.Name.Name, e.Desc.Func, owner)
			if err != nil {
				return 0, err
			}
			b.addFunc(id, f)
		default:
			return 0, fmt.Errorf("instance export %q is a %s, not a type or function", e.Name.Name, e.Desc.Sort)
		}
	}
	return id, nil
}

func (b *worldBuilder) foreignInterface(name string) (wit.InterfaceID, error) {
	n, err := ParseInterfaceName(name)
	if err != nil {
		return 0, err
	}
	pn := n.PackageName()
	pi, ok := b.foreignIdx[pn.String()]
	if !ok {
		pi = len(b.foreign)
		b.foreign = append(b.foreign, &wit.Package{Name: pn})
		b.foreignIdx[pn.String()] = pi
	}
	p := b.foreign[pi]
	full := n.String()
	if id, ok := b.foreignIfaces[full]; ok {
		return id, nil
	}
	iname := n.Interface
	id := wit.InterfaceID(len(b.dst.Interfaces))
	b.dst.Interfaces = append(b.dst.Interfaces, &wit.Interface{Name: &iname})
	p.Interfaces = append(p.Interfaces, wit.NamedInterface{Name: iname, ID: id})
	b.ifacePkg[id] = pi
	b.foreignIfaces[full] = id
	return id, nil
}

// localInterface defines an interface from an instance type: a world's
// inline interface (plain name) or, in a WIT package, one of its own.
func (b *worldBuilder) localInterface(pkg *wit.Package, name string, inst *InstanceType) (wit.WorldKey, wit.InterfaceID, error) {
	if _, ok := b.namedIfaces[name]; ok {
		id, err := b.importInterface(name, inst)
		return wit.WorldKey{Interface: id, IsInterface: true}, id, err
	}
	var iname *string
	if n, err := ParseInterfaceName(name); err == nil {
		s := n.Interface
		iname = &s
	}
	id := wit.InterfaceID(len(b.dst.Interfaces))
	b.dst.Interfaces = append(b.dst.Interfaces, &wit.Interface{Name: iname})
	b.ifacePkg[id] = -1
	owner := ifaceOwner(id)
	for _, e := range inst.Exports {
		switch e.Desc.Sort {
		case SortType:
			t, err := b.typeExport(e.Name.Name, e.Desc.Type.Value, owner)
			if err != nil {
				return wit.WorldKey{}, 0, err
			}
			b.addType(id, e.Name.Name, t)
		case SortFunc:
			f, err := b.function(e.Name.Name, e.Desc.Func, owner)
			if err != nil {
				return wit.WorldKey{}, 0, err
			}
			b.addFunc(id, f)
		default:
			return wit.WorldKey{}, 0, fmt.Errorf("instance export %q is a %s, not a type or function", e.Name.Name, e.Desc.Sort)
		}
	}
	if iname == nil {
		return wit.WorldKey{Name: name}, id, nil
	}
	pkg.Interfaces = append(pkg.Interfaces, wit.NamedInterface{Name: *iname, ID: id})
	b.namedIfaces[name] = id
	return wit.WorldKey{Interface: id, IsInterface: true}, id, nil
}

// typeExport defines the named type an import or export of a type mints
// (created): a resource, an alias of a type seen before (WIT's `use`), or
// a new definition.
func (b *worldBuilder) typeExport(name string, created wit.Type, owner wit.Owner) (wit.TypeID, error) {
	def := &wit.TypeDef{Name: name, Owner: owner}
	if created.Prim != wit.Ref {
		def.Kind, def.Elem = wit.KindAlias, created
		return b.add(def), nil
	}
	cdef := b.src.Types[created.ID]
	switch {
	case cdef.Kind == wit.KindResource:
		def.Kind = wit.KindResource
	case cdef.Kind != wit.KindAlias:
		if err := b.defined(cdef, def); err != nil {
			return 0, err
		}
	default:
		if prev, ok := b.findAlias(cdef.Elem); ok {
			def.Kind, def.Elem = wit.KindAlias, wit.TypeRef(prev)
			break
		}
		u := Underlying(b.src, cdef.Elem)
		switch {
		case u.Prim != wit.Ref:
			def.Kind, def.Elem = wit.KindAlias, u
		case b.src.Types[u.ID].Kind == wit.KindResource:
			def.Kind = wit.KindResource
		default:
			if err := b.defined(b.src.Types[u.ID], def); err != nil {
				return 0, err
			}
		}
	}
	if _, dup := b.typeMap[created.ID]; dup {
		return 0, fmt.Errorf("cannot represent this component in WIT: the type %q appears more than once", name)
	}
	id := b.add(def)
	b.typeMap[created.ID] = id
	if def.Kind == wit.KindResource {
		m := b.resources[owner]
		if m == nil {
			m = map[string]wit.TypeID{}
			b.resources[owner] = m
		}
		m[name] = id
	}
	return id, nil
}

func (b *worldBuilder) add(def *wit.TypeDef) wit.TypeID {
	b.dst.Types = append(b.dst.Types, def)
	return wit.TypeID(len(b.dst.Types) - 1)
}

// findAlias follows t's alias chain to a type already registered.
func (b *worldBuilder) findAlias(t wit.Type) (wit.TypeID, bool) {
	for i := 0; t.Prim == wit.Ref && i <= len(b.src.Types); i++ {
		if id, ok := b.typeMap[t.ID]; ok {
			return id, true
		}
		d := b.src.Types[t.ID]
		if d.Kind != wit.KindAlias {
			break
		}
		t = d.Elem
	}
	return 0, false
}

// valType converts a type used by a function or another type.
func (b *worldBuilder) valType(t wit.Type) (wit.Type, error) {
	if t.Prim != wit.Ref {
		return t, nil
	}
	if id, ok := b.findAlias(t); ok {
		return wit.TypeRef(id), nil
	}
	u := Underlying(b.src, t)
	if u.Prim != wit.Ref {
		return u, nil
	}
	src := b.src.Types[u.ID]
	def := &wit.TypeDef{}
	if src.Kind == wit.KindResource {
		def.Kind, def.Name = wit.KindResource, src.Name
	} else if err := b.defined(src, def); err != nil {
		return wit.Type{}, err
	}
	id := b.add(def)
	b.typeMap[u.ID] = id
	return wit.TypeRef(id), nil
}

// defined fills def with the structure of src, converting what it refers to.
func (b *worldBuilder) defined(src, def *wit.TypeDef) error {
	b.depth++
	defer func() { b.depth-- }()
	if b.depth > maxTypeDepth {
		return fmt.Errorf("types nested more than %d deep", maxTypeDepth)
	}
	var err error
	conv := func(t wit.Type) wit.Type {
		if err != nil {
			return wit.Type{}
		}
		var n wit.Type
		n, err = b.valType(t)
		return n
	}
	def.Kind = src.Kind
	for _, f := range src.Fields {
		def.Fields = append(def.Fields, wit.Field{Name: f.Name, Type: conv(f.Type)})
	}
	for _, c := range src.Cases {
		def.Cases = append(def.Cases, wit.Case{Name: c.Name, Type: conv(c.Type)})
	}
	for _, t := range src.Types {
		def.Types = append(def.Types, conv(t))
	}
	for _, f := range src.Flags {
		def.Flags = append(def.Flags, wit.Flag{Name: f.Name})
	}
	for _, e := range src.Enum {
		def.Enum = append(def.Enum, wit.EnumCase{Name: e.Name})
	}
	def.Elem, def.Key, def.Ok, def.Err, def.Size = conv(src.Elem), conv(src.Key), conv(src.Ok), conv(src.Err), src.Size
	if src.Kind == wit.KindOwn || src.Kind == wit.KindBorrow {
		def.Resource = conv(wit.TypeRef(src.Resource)).ID
	}
	return err
}

// function converts a function type named name.
func (b *worldBuilder) function(name string, ft *wit.Function, owner wit.Owner) (*wit.Function, error) {
	if ft == nil {
		return nil, fmt.Errorf("function %q has no type", name)
	}
	f := &wit.Function{Name: name}
	for _, p := range ft.Params {
		t, err := b.valType(p.Type)
		if err != nil {
			return nil, err
		}
		f.Params = append(f.Params, wit.Param{Name: p.Name, Type: t})
	}
	t, err := b.valType(ft.Result)
	if err != nil {
		return nil, err
	}
	f.Result = t
	kind, res := funcNameKind(name)
	if kind == wit.Freestanding && ft.Kind.IsAsync() {
		kind = wit.AsyncFreestanding
	}
	if kind == wit.Method && ft.Kind.IsAsync() {
		kind = wit.AsyncMethod
	}
	if kind == wit.Static && ft.Kind.IsAsync() {
		kind = wit.AsyncStatic
	}
	f.Kind = kind
	if res != "" {
		id, ok := b.resources[owner][res]
		if !ok {
			return nil, fmt.Errorf("function %q: no resource %q defined before it", name, res)
		}
		f.Resource = id
	}
	return f, nil
}

// finish adds the foreign packages, then main, and points every interface
// and world at its package.
func (b *worldBuilder) finish(main *wit.Package) wit.PackageID {
	for i, p := range b.foreign {
		if p.Name.String() == main.Name.String() {
			// The package's own interfaces, named in full by its worlds.
			main.Interfaces = append(p.Interfaces, main.Interfaces...)
			for _, ni := range p.Interfaces {
				b.ifacePkg[ni.ID] = -1
			}
			continue
		}
		pid := wit.PackageID(len(b.dst.Packages))
		b.dst.Packages = append(b.dst.Packages, p)
		b.dst.PackageNames[p.Name.String()] = pid
		for _, ni := range p.Interfaces {
			if b.ifacePkg[ni.ID] == i {
				id := pid
				b.dst.Interfaces[ni.ID].Package = &id
			}
		}
	}
	pid := wit.PackageID(len(b.dst.Packages))
	b.dst.Packages = append(b.dst.Packages, main)
	b.dst.PackageNames[main.Name.String()] = pid
	for id, pi := range b.ifacePkg {
		if pi == -1 {
			p := pid
			b.dst.Interfaces[id].Package = &p
		}
	}
	for _, nw := range main.Worlds {
		p := pid
		b.dst.Worlds[nw.ID].Package = &p
	}
	return pid
}
