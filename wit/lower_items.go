package wit

import (
	"github.com/bigband-dev/bigband/wit/syntax"
)

func (l *lowerer) resolveInterface(id int, items []syntax.InterfaceItem, docs syntax.Docs, attrs []*syntax.Attribute) {
	iface := l.pkg.interfaces[id]
	iface.Docs = lowerDocs(docs)
	stab, err := l.stability(attrs)
	l.report(err)
	iface.Stability = stab

	var typeItems []any
	for _, it := range items {
		switch n := it.(type) {
		case *syntax.Use, *syntax.TypeDef:
			typeItems = append(typeItems, n)
		}
	}
	l.resolveTypes(Owner{Kind: OwnerInterface, Interface: InterfaceID(id)}, typeItems)
	for _, name := range l.typeLookup.names {
		iface.Types = append(iface.Types, NamedType{name, l.typeLookup.m[name].typ})
	}

	for _, it := range items {
		switch n := it.(type) {
		case *syntax.NamedFunc:
			if err := l.define(n.Name, lookupEntry{item: "function"}); err != nil {
				l.report(err)
				continue
			}
			kind := Freestanding
			if n.Func.Async {
				kind = AsyncFreestanding
			}
			iface.Functions = append(iface.Functions, l.resolveFunction(n.Docs, n.Attributes, n.Name.Name, n.Name.Span, n.Func, kind, 0))
		case *syntax.TypeDef:
			if r, ok := n.Type.(*syntax.ResourceType); ok {
				for _, rf := range r.Funcs {
					iface.Functions = append(iface.Functions, l.resolveResourceFunc(rf, n.Name))
				}
			}
		}
	}
	l.interfaceTypes[id] = l.typeLookup
	l.typeLookup = newLookup()
}

func (l *lowerer) resolveWorld(id int, w *syntax.World) {
	world := l.pkg.worlds[id]
	world.Docs = lowerDocs(w.Docs)
	stab, err := l.stability(w.Attributes)
	l.report(err)
	world.Stability = stab
	owner := Owner{Kind: OwnerWorld, World: WorldID(id)}

	var typeItems []any
	for _, it := range w.Items {
		switch n := it.(type) {
		case *syntax.Use, *syntax.TypeDef:
			typeItems = append(typeItems, n)
		}
	}
	l.resolveTypes(owner, typeItems)
	for _, it := range w.Items {
		inc, ok := it.(*syntax.Include)
		if !ok {
			continue
		}
		stab, err := l.stability(inc.Attributes)
		if err != nil {
			l.report(err)
			continue
		}
		ref, name, span, err := l.resolvePath(inc.From)
		if err != nil {
			l.report(err)
			continue
		}
		from, err := worldOf(ref, name, span)
		if err != nil {
			l.report(err)
			continue
		}
		l.refItem(inc.From.Name.Span, ref, inc.From.Package != nil)
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
					f := l.resolveResourceFunc(rf, n.Name)
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
			l.report(err)
			continue
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
				l.report(errAt(kindSpan, "interface cannot be "+desc+"ed more than once"))
				continue
			}
			seen[int(item.Interface)] = true
		}
		if i := findItem(*dst, item.Key); i >= 0 {
			prev := [...]string{WorldInterface: "interface", WorldFunction: "func", WorldType: "type"}[(*dst)[i].Kind]
			e := errAt(kindSpan, desc+" `"+item.Key.Name+"` conflicts with prior "+prev+" of same name")
			if (*dst)[i].Span.IsValid() {
				e.Related = []syntax.Related{{Span: (*dst)[i].Span, Msg: "the prior " + prev}}
			}
			l.report(e)
			continue
		}
		*dst = append(*dst, item)
	}
	l.typeLookup = newLookup()
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
		l.resolveInterface(id, ie.Items, ie.Docs, ie.Attributes)
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
		l.refItem(ie.Path.Name.Span, ref, ie.Path.Package != nil)
		if ie.Kind == syntax.ExternNamedPath {
			span = ie.Name.Span
		}
		return &WorldItem{Kind: WorldInterface, Interface: InterfaceID(id), Stability: stab, ExternalID: ext, Docs: docs, Span: span}, nil
	default:
		kind := Freestanding
		if ie.Func.Async {
			kind = AsyncFreestanding
		}
		f := l.resolveFunction(ie.Docs, ie.Attributes, ie.Name.Name, ie.Name.Span, ie.Func, kind, 0)
		return &WorldItem{Kind: WorldFunction, Function: f, Span: f.Span}, nil
	}
}

// resolveTypes defines the `use`d and declared types of an interface or
// world, declared ones in dependency order. A type that fails still gets
// its name defined (as a poisoned placeholder), so its uses aren't
// reported again.
func (l *lowerer) resolveTypes(owner Owner, items []any) {
	for _, it := range items {
		if u, ok := it.(*syntax.Use); ok {
			l.resolveUse(owner, u)
		}
	}
	var names []string
	deps := map[string][]edge{}
	defs := map[string]*syntax.TypeDef{}
	declared := map[string]syntax.Span{}
	add := func(name string, span syntax.Span, d []edge, def *syntax.TypeDef) {
		if _, ok := declared[name]; !ok {
			declared[name] = span
			names = append(names, name)
		}
		deps[name] = d
		defs[name] = def
	}
	for _, it := range items {
		switch n := it.(type) {
		case *syntax.TypeDef:
			if prev, ok := declared[n.Name.Name]; ok {
				e := errAt(n.Name.Span, "name `"+n.Name.Name+"` is defined more than once")
				e.Related = []syntax.Related{{Span: prev, Msg: "first defined here"}}
				l.report(e)
				continue
			}
			var d []edge
			collectDeps(n.Type, &d)
			add(n.Name.Name, n.Name.Span, d, n)
		case *syntax.Use:
			for _, un := range n.Names {
				name := un.Name
				if un.As != nil {
					name = un.As
				}
				add(name.Name, name.Span, nil, nil)
			}
		}
	}
	depList := make([][]edge, len(names))
	for i, n := range names {
		depList[i] = deps[n]
	}
	order := toposort("type", names, depList, func(e *syntax.Error) { l.report(renamedFloatHint(e)) })
	for _, name := range order {
		def := defs[name]
		if def == nil {
			continue
		}
		stab, err := l.stability(def.Attributes)
		l.report(err)
		ext, err := externalID(def.Attributes)
		l.report(err)
		before := l.nerrs
		td, err := l.resolveTypeDef(def.Type, stab, def.Name.Span)
		l.report(err)
		if td == nil {
			td = placeholderFor(def.Type)
		}
		td.Name = def.Name.Name
		td.Docs = lowerDocs(def.Docs)
		td.Stability = stab
		td.Owner = owner
		td.Span = def.Name.Span
		td.ExternalID = ext
		id := l.allocType(td)
		if l.nerrs != before {
			l.poisoned[id] = true
		}
		l.report(l.define(def.Name, lookupEntry{typ: id}))
	}
}

// placeholderFor stands in for a type definition that failed: a resource
// stays a resource so handles to it aren't reported as well.
func placeholderFor(t syntax.Type) *TypeDef {
	if _, ok := t.(*syntax.ResourceType); ok {
		return &TypeDef{Kind: KindResource}
	}
	return &TypeDef{Kind: KindTuple}
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

func (l *lowerer) resolveUse(owner Owner, u *syntax.Use) {
	stab, serr := l.stability(u.Attributes)
	ext, eerr := externalID(u.Attributes)
	ref, name, span, err := l.resolvePath(u.From)
	from := -1
	if err == nil {
		from, err = ifaceOf(ref, name, span)
	}
	if err == nil {
		l.refItem(u.From.Name.Span, ref, u.From.Package != nil)
		if err = serr; err == nil {
			err = eerr
		}
	}
	if err != nil {
		l.report(err)
	}
	for _, n := range u.Names {
		alias := n.Name
		if n.As != nil {
			alias = n.As
		}
		e, ok := lookupEntry{}, false
		if from >= 0 {
			e, ok = l.interfaceTypes[from].m[n.Name.Name]
		}
		switch {
		case from < 0:
		case !ok:
			l.report(notFound(n.Name.Span, "name", n.Name.Name))
		case e.item != "":
			l.report(errAt(n.Name.Span, "cannot import "+e.item+" `"+n.Name.Name+"`"))
			ok = false
		}
		td := &TypeDef{
			Name:       alias.Name,
			Kind:       KindAlias,
			Elem:       TypeRef(e.typ),
			Owner:      owner,
			Stability:  stab,
			Span:       n.Name.Span,
			ExternalID: ext,
		}
		if !ok {
			// Keep the name defined so its uses don't fail too.
			td.Kind, td.Elem = KindTuple, Type{}
		}
		id := l.allocType(td)
		if !ok {
			l.poisoned[id] = true
		} else {
			l.refs = append(l.refs, localRef{span: n.Name.Span, kind: RefType, id: int(e.typ)})
		}
		if err := l.define(alias, lookupEntry{typ: id}); err != nil {
			l.report(err)
		}
	}
}

// define adds a name to the current interface or world scope.
func (l *lowerer) define(name *syntax.Ident, e lookupEntry) *syntax.Error {
	e.span = name.Span
	prev, had := l.typeLookup.m[name.Name]
	if l.typeLookup.insert(name.Name, e) {
		err := errAt(name.Span, "name `"+name.Name+"` is defined more than once")
		if had && prev.span.IsValid() {
			err.Related = []syntax.Related{{Span: prev.span, Msg: "first defined here"}}
		}
		return err
	}
	return nil
}

func (l *lowerer) resolveResourceFunc(rf *syntax.NamedFunc, resource *syntax.Ident) *Function {
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

// resolveFunction lowers a function, reporting what is wrong with it; a
// parameter or result that fails is left absent.
func (l *lowerer) resolveFunction(docs syntax.Docs, attrs []*syntax.Attribute, name string, nameSpan syntax.Span, fn *syntax.Func, kind FunctionKind, resource TypeID) *Function {
	stab, err := l.stability(attrs)
	l.report(err)
	ext, err := externalID(attrs)
	l.report(err)
	f := &Function{Name: name, Kind: kind, Resource: resource, Docs: lowerDocs(docs), Stability: stab, ExternalID: ext, Span: nameSpan}
	if kind == Method || kind == AsyncMethod {
		td := &TypeDef{Kind: KindBorrow, Resource: resource, Span: fn.Span}
		td.Stability = l.findStability(td, Stability{})
		f.Params = append(f.Params, Param{Name: "self", Type: l.anonType(td), Span: fn.Span})
	}
params:
	for _, p := range fn.Params {
		for _, prev := range f.Params {
			if prev.Name == p.Name.Name {
				e := errAt(p.Name.Span, "param `"+p.Name.Name+"` is defined more than once")
				if prev.Span != fn.Span {
					e.Related = []syntax.Related{{Span: prev.Span, Msg: "first defined here"}}
				}
				l.report(e)
				continue params
			}
		}
		t, err := l.resolveType(p.Type, Stability{})
		l.report(err)
		f.Params = append(f.Params, Param{Name: p.Name.Name, Type: t, Span: p.Name.Span})
	}
	switch {
	case kind == Constructor && fn.Result == nil:
		f.Result = TypeRef(resource)
	case kind == Constructor:
		t, err := l.resolveType(fn.Result, Stability{})
		if err != nil {
			l.report(err)
			return f
		}
		var ok *Type
		if t.Prim == Ref && l.pkg.types[t.ID].Kind == KindResult {
			ok = &l.pkg.types[t.ID].Ok
		}
		if ok == nil {
			l.report(errAt(fn.Result.TypeSpan(), "if a constructor return type is declared it must be a `result`"))
			return f
		}
		if ok.Prim != Ref || ok.ID != resource {
			span := fn.Result.TypeSpan()
			if r, isResult := fn.Result.(*syntax.ResultType); isResult && r.Ok != nil {
				span = r.Ok.TypeSpan()
			}
			l.report(errAt(span, "the `ok` type must be the resource being constructed"))
			return f
		}
		f.Result = t
	case fn.Result != nil:
		t, err := l.resolveType(fn.Result, Stability{})
		l.report(err)
		f.Result = t
	}
	return f
}
