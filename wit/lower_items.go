package wit

import (
	"github.com/bigband-dev/bigband/wit/syntax"
)

func (l *lowerer) resolveInterface(id int, items []syntax.InterfaceItem, docs syntax.Docs, attrs []*syntax.Attribute) *syntax.Error {
	iface := l.pkg.interfaces[id]
	iface.Docs = lowerDocs(docs)
	stab, err := l.stability(attrs)
	if err != nil {
		return err
	}
	iface.Stability = stab

	var typeItems []any
	for _, it := range items {
		switch n := it.(type) {
		case *syntax.Use, *syntax.TypeDef:
			typeItems = append(typeItems, n)
		}
	}
	if err := l.resolveTypes(Owner{Kind: OwnerInterface, Interface: InterfaceID(id)}, typeItems); err != nil {
		return err
	}
	for _, name := range l.typeLookup.names {
		iface.Types = append(iface.Types, NamedType{name, l.typeLookup.m[name].typ})
	}

	for _, it := range items {
		switch n := it.(type) {
		case *syntax.NamedFunc:
			if err := l.define(n.Name, lookupEntry{item: "function"}); err != nil {
				return err
			}
			kind := Freestanding
			if n.Func.Async {
				kind = AsyncFreestanding
			}
			f, err := l.resolveFunction(n.Docs, n.Attributes, n.Name.Name, n.Name.Span, n.Func, kind, 0)
			if err != nil {
				return err
			}
			iface.Functions = append(iface.Functions, f)
		case *syntax.TypeDef:
			if r, ok := n.Type.(*syntax.ResourceType); ok {
				for _, rf := range r.Funcs {
					f, err := l.resolveResourceFunc(rf, n.Name)
					if err != nil {
						return err
					}
					iface.Functions = append(iface.Functions, f)
				}
			}
		}
	}
	l.interfaceTypes[id] = l.typeLookup
	l.typeLookup = newLookup()
	return nil
}

func (l *lowerer) resolveWorld(id int, w *syntax.World) *syntax.Error {
	world := l.pkg.worlds[id]
	world.Docs = lowerDocs(w.Docs)
	stab, err := l.stability(w.Attributes)
	if err != nil {
		return err
	}
	world.Stability = stab
	owner := Owner{Kind: OwnerWorld, World: WorldID(id)}

	var typeItems []any
	for _, it := range w.Items {
		switch n := it.(type) {
		case *syntax.Use, *syntax.TypeDef:
			typeItems = append(typeItems, n)
		}
	}
	if err := l.resolveTypes(owner, typeItems); err != nil {
		return err
	}
	for _, it := range w.Items {
		inc, ok := it.(*syntax.Include)
		if !ok {
			continue
		}
		stab, err := l.stability(inc.Attributes)
		if err != nil {
			return err
		}
		ref, name, span, err := l.resolvePath(inc.From)
		if err != nil {
			return err
		}
		from, err := worldOf(ref, name, span)
		if err != nil {
			return err
		}
		wi := WorldInclude{Stability: stab, World: WorldID(from), Span: span}
		for _, n := range inc.With {
			wi.Names = append(wi.Names, IncludeName{Name: n.Name.Name, As: n.As.Name})
		}
		world.Includes = append(world.Includes, wi)
	}
	for _, name := range l.typeLookup.names {
		e := l.typeLookup.m[name]
		world.Imports = append(world.Imports, &WorldItem{Key: WorldKey{Name: name}, Kind: WorldType, Type: e.typ, Span: e.span})
	}

	imported := map[int]bool{}
	exported := map[int]bool{}
	for _, it := range w.Items {
		var ie *syntax.ImportExport
		switch n := it.(type) {
		case *syntax.ImportExport:
			ie = n
		case *syntax.TypeDef:
			if r, ok := n.Type.(*syntax.ResourceType); ok {
				for _, rf := range r.Funcs {
					f, err := l.resolveResourceFunc(rf, n.Name)
					if err != nil {
						return err
					}
					world.Imports = append(world.Imports, &WorldItem{Key: WorldKey{Name: f.Name}, Kind: WorldFunction, Function: f, Span: f.Span})
				}
			}
			continue
		default:
			continue
		}
		desc, seen, dst := "import", imported, &world.Imports
		if ie.Export {
			desc, seen, dst = "export", exported, &world.Exports
		}
		item, err := l.resolveWorldItem(ie)
		if err != nil {
			return err
		}
		kindSpan := externSpan(ie)
		switch ie.Kind {
		case syntax.ExternInterface:
			item.Key = WorldKey{Name: ie.Name.Name}
		case syntax.ExternFunc:
			item.Key = WorldKey{Name: item.Function.Name}
		case syntax.ExternNamedPath:
			item.Key = WorldKey{Name: ie.Name.Name}
		case syntax.ExternPath:
			item.Key = WorldKey{IsInterface: true, Interface: item.Interface}
			if seen[int(item.Interface)] {
				return errAt(kindSpan, "interface cannot be "+desc+"ed more than once")
			}
			seen[int(item.Interface)] = true
		}
		if i := findItem(*dst, item.Key); i >= 0 {
			prev := [...]string{WorldInterface: "interface", WorldFunction: "func", WorldType: "type"}[(*dst)[i].Kind]
			return errAt(kindSpan, desc+" `"+item.Key.Name+"` conflicts with prior "+prev+" of same name")
		}
		*dst = append(*dst, item)
	}
	l.typeLookup = newLookup()
	return nil
}

// externSpan is where errors about an import or export point: its name.
func externSpan(ie *syntax.ImportExport) syntax.Span {
	if ie.Kind == syntax.ExternPath {
		return ie.Path.Name.Span
	}
	return ie.Name.Span
}

// findItem returns the index of key in items, or -1.
func findItem(items []*WorldItem, key WorldKey) int {
	for i, it := range items {
		if it.Key == key {
			return i
		}
	}
	return -1
}

func (l *lowerer) resolveWorldItem(ie *syntax.ImportExport) (*WorldItem, *syntax.Error) {
	switch ie.Kind {
	case syntax.ExternInterface:
		prev := l.typeLookup
		l.typeLookup = newLookup()
		id := l.allocInterface(ie.Name.Span)
		if err := l.resolveInterface(id, ie.Items, ie.Docs, ie.Attributes); err != nil {
			return nil, err
		}
		l.typeLookup = prev
		ext, err := externalID(ie.Attributes)
		if err != nil {
			return nil, err
		}
		return &WorldItem{Kind: WorldInterface, Interface: InterfaceID(id), Stability: l.pkg.interfaces[id].Stability, ExternalID: ext, Span: ie.Name.Span}, nil
	case syntax.ExternPath, syntax.ExternNamedPath:
		stab, err := l.stability(ie.Attributes)
		if err != nil {
			return nil, err
		}
		ext, err := externalID(ie.Attributes)
		if err != nil {
			return nil, err
		}
		docs := lowerDocs(ie.Docs)
		ref, name, span, err := l.resolvePath(ie.Path)
		if err != nil {
			return nil, err
		}
		id, err := ifaceOf(ref, name, span)
		if err != nil {
			return nil, err
		}
		if ie.Kind == syntax.ExternNamedPath {
			span = ie.Name.Span
		}
		return &WorldItem{Kind: WorldInterface, Interface: InterfaceID(id), Stability: stab, ExternalID: ext, Docs: docs, Span: span}, nil
	default:
		kind := Freestanding
		if ie.Func.Async {
			kind = AsyncFreestanding
		}
		f, err := l.resolveFunction(ie.Docs, ie.Attributes, ie.Name.Name, ie.Name.Span, ie.Func, kind, 0)
		if err != nil {
			return nil, err
		}
		return &WorldItem{Kind: WorldFunction, Function: f, Span: f.Span}, nil
	}
}

// resolveTypes defines the `use`d and declared types of an interface or
// world, declared ones in dependency order.
func (l *lowerer) resolveTypes(owner Owner, items []any) *syntax.Error {
	for _, it := range items {
		if u, ok := it.(*syntax.Use); ok {
			if err := l.resolveUse(owner, u); err != nil {
				return err
			}
		}
	}
	var names []string
	deps := map[string][]edge{}
	defs := map[string]*syntax.TypeDef{}
	declared := map[string]bool{}
	add := func(name string, d []edge, def *syntax.TypeDef) {
		if !declared[name] {
			declared[name] = true
			names = append(names, name)
		}
		deps[name] = d
		defs[name] = def
	}
	for _, it := range items {
		switch n := it.(type) {
		case *syntax.TypeDef:
			if declared[n.Name.Name] {
				return errAt(n.Name.Span, "name `"+n.Name.Name+"` is defined more than once")
			}
			var d []edge
			collectDeps(n.Type, &d)
			add(n.Name.Name, d, n)
		case *syntax.Use:
			for _, un := range n.Names {
				name := un.Name
				if un.As != nil {
					name = un.As
				}
				add(name.Name, nil, nil)
			}
		}
	}
	depList := make([][]edge, len(names))
	for i, n := range names {
		depList[i] = deps[n]
	}
	order, err := toposort("type", names, depList)
	if err != nil {
		return renamedFloatHint(err)
	}
	for _, name := range order {
		def := defs[name]
		if def == nil {
			continue
		}
		stab, err := l.stability(def.Attributes)
		if err != nil {
			return err
		}
		ext, err := externalID(def.Attributes)
		if err != nil {
			return err
		}
		td, err := l.resolveTypeDef(def.Type, stab, def.Name.Span)
		if err != nil {
			return err
		}
		td.Name = def.Name.Name
		td.Docs = lowerDocs(def.Docs)
		td.Stability = stab
		td.Owner = owner
		td.Span = def.Name.Span
		td.ExternalID = ext
		id := l.allocType(td)
		if err := l.define(def.Name, lookupEntry{typ: id}); err != nil {
			return err
		}
	}
	return nil
}

// renamedFloatHint adds the migration hint wit-parser gives for the old
// float type names.
func renamedFloatHint(err *syntax.Error) *syntax.Error {
	for old, repl := range map[string]string{"float32": "f32", "float64": "f64"} {
		if err.Msg == "type `"+old+"` does not exist" {
			err.Msg += "\nthe `" + old + "` type has been renamed to `" + repl + "` and is no longer accepted"
		}
	}
	return err
}

func collectDeps(t syntax.Type, deps *[]edge) {
	switch n := t.(type) {
	case *syntax.NamedType:
		*deps = append(*deps, edge{n.Name.Name, n.Name.Span})
	case *syntax.HandleType:
		*deps = append(*deps, edge{n.Resource.Name, n.Resource.Span})
	case *syntax.RecordType:
		for _, f := range n.Fields {
			collectDeps(f.Type, deps)
		}
	case *syntax.TupleType:
		for _, e := range n.Types {
			collectDeps(e, deps)
		}
	case *syntax.VariantType:
		for _, c := range n.Cases {
			if c.Type != nil {
				collectDeps(c.Type, deps)
			}
		}
	case *syntax.OptionType:
		collectDeps(n.Elem, deps)
	case *syntax.ListType:
		collectDeps(n.Elem, deps)
	case *syntax.MapType:
		collectDeps(n.Key, deps)
		collectDeps(n.Value, deps)
	case *syntax.ResultType:
		if n.Ok != nil {
			collectDeps(n.Ok, deps)
		}
		if n.Err != nil {
			collectDeps(n.Err, deps)
		}
	case *syntax.FutureType:
		if n.Elem != nil {
			collectDeps(n.Elem, deps)
		}
	case *syntax.StreamType:
		if n.Elem != nil {
			collectDeps(n.Elem, deps)
		}
	}
}

func (l *lowerer) resolveUse(owner Owner, u *syntax.Use) *syntax.Error {
	ref, name, span, err := l.resolvePath(u.From)
	if err != nil {
		return err
	}
	from, err := ifaceOf(ref, name, span)
	if err != nil {
		return err
	}
	stab, err := l.stability(u.Attributes)
	if err != nil {
		return err
	}
	ext, err := externalID(u.Attributes)
	if err != nil {
		return err
	}
	for _, n := range u.Names {
		e, ok := l.interfaceTypes[from].m[n.Name.Name]
		switch {
		case !ok:
			return notFound(n.Name.Span, "name", n.Name.Name)
		case e.item != "":
			return errAt(n.Name.Span, "cannot import "+e.item+" `"+n.Name.Name+"`")
		}
		alias := n.Name
		if n.As != nil {
			alias = n.As
		}
		id := l.allocType(&TypeDef{
			Name:       alias.Name,
			Kind:       KindAlias,
			Elem:       TypeRef(e.typ),
			Owner:      owner,
			Stability:  stab,
			Span:       n.Name.Span,
			ExternalID: ext,
		})
		if err := l.define(alias, lookupEntry{typ: id}); err != nil {
			return err
		}
	}
	return nil
}

// define adds a name to the current interface or world scope.
func (l *lowerer) define(name *syntax.Ident, e lookupEntry) *syntax.Error {
	e.span = name.Span
	if l.typeLookup.insert(name.Name, e) {
		return errAt(name.Span, "name `"+name.Name+"` is defined more than once")
	}
	return nil
}

func (l *lowerer) resolveResourceFunc(rf *syntax.NamedFunc, resource *syntax.Ident) (*Function, *syntax.Error) {
	rid := l.typeLookup.m[resource.Name].typ
	var name string
	var kind FunctionKind
	switch rf.Func.Kind {
	case syntax.FuncStatic:
		name, kind = "[static]"+resource.Name+"."+rf.Name.Name, Static
		if rf.Func.Async {
			kind = AsyncStatic
		}
	case syntax.FuncConstructor:
		name, kind = "[constructor]"+resource.Name, Constructor
	default:
		name, kind = "[method]"+resource.Name+"."+rf.Name.Name, Method
		if rf.Func.Async {
			kind = AsyncMethod
		}
	}
	return l.resolveFunction(rf.Docs, rf.Attributes, name, rf.Name.Span, rf.Func, kind, rid)
}

func (l *lowerer) resolveFunction(docs syntax.Docs, attrs []*syntax.Attribute, name string, nameSpan syntax.Span, fn *syntax.Func, kind FunctionKind, resource TypeID) (*Function, *syntax.Error) {
	stab, err := l.stability(attrs)
	if err != nil {
		return nil, err
	}
	ext, err := externalID(attrs)
	if err != nil {
		return nil, err
	}
	f := &Function{Name: name, Kind: kind, Resource: resource, Docs: lowerDocs(docs), Stability: stab, ExternalID: ext, Span: nameSpan}
	if kind == Method || kind == AsyncMethod {
		td := &TypeDef{Kind: KindBorrow, Resource: resource, Span: fn.Span}
		td.Stability = l.findStability(td, Stability{})
		f.Params = append(f.Params, Param{Name: "self", Type: l.anonType(td), Span: fn.Span})
	}
	for _, p := range fn.Params {
		for _, prev := range f.Params {
			if prev.Name == p.Name.Name {
				return nil, errAt(p.Name.Span, "param `"+p.Name.Name+"` is defined more than once")
			}
		}
		t, err := l.resolveType(p.Type, Stability{})
		if err != nil {
			return nil, err
		}
		f.Params = append(f.Params, Param{Name: p.Name.Name, Type: t, Span: p.Name.Span})
	}
	switch {
	case kind == Constructor && fn.Result == nil:
		f.Result = TypeRef(resource)
	case kind == Constructor:
		t, err := l.resolveType(fn.Result, Stability{})
		if err != nil {
			return nil, err
		}
		var ok *Type
		if t.Prim == Ref && l.pkg.types[t.ID].Kind == KindResult {
			ok = &l.pkg.types[t.ID].Ok
		}
		if ok == nil {
			return nil, errAt(fn.Result.TypeSpan(), "if a constructor return type is declared it must be a `result`")
		}
		if ok.Prim != Ref || ok.ID != resource {
			span := fn.Result.TypeSpan()
			if r, isResult := fn.Result.(*syntax.ResultType); isResult && r.Ok != nil {
				span = r.Ok.TypeSpan()
			}
			return nil, errAt(span, "the `ok` type must be the resource being constructed")
		}
		f.Result = t
	case fn.Result != nil:
		t, err := l.resolveType(fn.Result, Stability{})
		if err != nil {
			return nil, err
		}
		f.Result = t
	}
	return f, nil
}
