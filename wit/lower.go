package wit

import (
	"github.com/bigband-dev/bigband/wit/syntax"
)

// lowerer turns the ASTs of one package (its files, or one nested package
// block) into an unresolvedPackage. It follows wit-parser's algorithm step for
// step, because arena order is observable in JSON output and in error order:
// foreign placeholders first, then interfaces and worlds in dependency order,
// types in dependency order within each.
type lowerer struct {
	pkg     *unresolvedPackage
	hasName bool
	files   [][]syntax.Item

	anon map[string]TypeID

	cur            int
	astItems       []map[string]itemRef
	packageItems   map[string]itemRef
	interfaceTypes []*lookup
	foreignIfaces  map[int]bool
	typeLookup     *lookup
}

// lookupEntry is a name in an interface or world scope: a type, or another
// kind of item ("function") that cannot be used as one.
type lookupEntry struct {
	typ  TypeID
	item string
	span syntax.Span
}

// lookup is an insertion-ordered scope.
type lookup struct {
	names []string
	m     map[string]lookupEntry
}

func newLookup() *lookup { return &lookup{m: map[string]lookupEntry{}} }

// insert adds or replaces name, keeping its first position, and reports
// whether it was already present.
func (l *lookup) insert(name string, e lookupEntry) bool {
	if _, ok := l.m[name]; ok {
		l.m[name] = e
		return true
	}
	l.names = append(l.names, name)
	l.m[name] = e
	return false
}

func newLowerer() *lowerer {
	return &lowerer{
		pkg:           &unresolvedPackage{},
		anon:          map[string]TypeID{},
		packageItems:  map[string]itemRef{},
		foreignIfaces: map[int]bool{},
		typeLookup:    newLookup(),
	}
}

func errAt(span syntax.Span, msg string) *syntax.Error {
	return &syntax.Error{Span: span, Msg: msg}
}

func notFound(span syntax.Span, kind, name string) *syntax.Error {
	return errAt(span, kind+" `"+name+"` does not exist")
}

// push adds one file (or nested package block) to the package.
func (l *lowerer) push(name *syntax.PackageName, docs syntax.Docs, items []syntax.Item) *syntax.Error {
	if name != nil {
		cur := packageNameOf(name)
		if l.hasName && comparePackageNames(cur, l.pkg.name) != 0 {
			return errAt(name.Span, "package identifier `"+cur.String()+"` does not match previous package name of `"+l.pkg.name.String()+"`")
		}
		l.hasName = true
		l.pkg.name = cur
		l.pkg.nameSpan = name.Span
		if d := lowerDocs(docs); d.Contents != nil {
			if l.pkg.docs.Contents != nil {
				return errAt(docs.Span, "found doc comments on multiple 'package' items")
			}
			l.pkg.docs = d
		}
	}
	for _, it := range items {
		if n, ok := it.(*syntax.NestedPackage); ok {
			return errAt(n.Name.Span, "nested packages must be placed at the top-level")
		}
	}
	l.files = append(l.files, items)
	return nil
}

// resolve lowers everything pushed.
func (l *lowerer) resolve() (*unresolvedPackage, *syntax.Error) {
	if !l.hasName {
		return nil, errAt(syntax.Span{}, "no `package` header was found in any WIT file for this package")
	}
	l.populateForeignDeps()
	ifaceOrder, worldOrder, err := l.populateAstItems()
	if err != nil {
		return nil, err
	}
	if err := l.populateForeignTypes(); err != nil {
		return nil, err
	}
	type src[T any] struct {
		node *T
		file int
	}
	ifaces := map[int]src[syntax.Interface]{}
	worlds := map[int]src[syntax.World]{}
	for i, items := range l.files {
		for _, it := range items {
			switch n := it.(type) {
			case *syntax.Interface:
				ifaces[l.astItems[i][n.Name.Name].id] = src[syntax.Interface]{n, i}
			case *syntax.World:
				worlds[l.astItems[i][n.Name.Name].id] = src[syntax.World]{n, i}
			}
		}
	}
	for _, id := range ifaceOrder {
		s := ifaces[id]
		l.cur = s.file
		if err := l.resolveInterface(id, s.node.Items, s.node.Docs, s.node.Attributes); err != nil {
			return nil, err
		}
	}
	for _, id := range worldOrder {
		s := worlds[id]
		l.cur = s.file
		if err := l.resolveWorld(id, s.node); err != nil {
			return nil, err
		}
	}
	return l.pkg, nil
}

// pathKind says what a use path may name.
type pathKind int

const (
	pathInterface pathKind = iota
	pathWorld
	pathUnknown
)

// pathVisit is one reference to an interface or world in the ASTs.
type pathVisit struct {
	owner *syntax.Ident // the interface using, or the world including; nil otherwise
	attrs []*syntax.Attribute
	path  *syntax.UsePath
	isUse bool
	names []*syntax.UseName
	kind  pathKind
}

// forEachPath visits every use path in items: in worlds, uses and includes in
// order, then imports, then exports (the order wit-parser visits them in).
func forEachPath(items []syntax.Item, f func(pathVisit) *syntax.Error) *syntax.Error {
	visitIfaceItems := func(owner *syntax.Ident, items []syntax.InterfaceItem) *syntax.Error {
		for _, it := range items {
			if u, ok := it.(*syntax.Use); ok {
				if err := f(pathVisit{owner: owner, attrs: u.Attributes, path: u.From, isUse: true, names: u.Names}); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, it := range items {
		switch n := it.(type) {
		case *syntax.World:
			var imports, exports []*syntax.ImportExport
			for _, wi := range n.Items {
				switch w := wi.(type) {
				case *syntax.Use:
					if err := f(pathVisit{attrs: w.Attributes, path: w.From, isUse: true, names: w.Names}); err != nil {
						return err
					}
				case *syntax.Include:
					if err := f(pathVisit{owner: n.Name, attrs: w.Attributes, path: w.From, kind: pathWorld}); err != nil {
						return err
					}
				case *syntax.ImportExport:
					if w.Export {
						exports = append(exports, w)
					} else {
						imports = append(imports, w)
					}
				}
			}
			for _, ie := range append(imports, exports...) {
				switch ie.Kind {
				case syntax.ExternInterface:
					if err := visitIfaceItems(nil, ie.Items); err != nil {
						return err
					}
				case syntax.ExternPath, syntax.ExternNamedPath:
					if err := f(pathVisit{attrs: ie.Attributes, path: ie.Path}); err != nil {
						return err
					}
				}
			}
		case *syntax.Interface:
			if err := visitIfaceItems(n.Name, n.Items); err != nil {
				return err
			}
		case *syntax.TopUse:
			if err := f(pathVisit{attrs: n.Attributes, path: n.Path, kind: pathUnknown}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (l *lowerer) allocInterface(span syntax.Span) int {
	l.interfaceTypes = append(l.interfaceTypes, newLookup())
	l.pkg.interfaces = append(l.pkg.interfaces, &Interface{Span: span})
	return len(l.pkg.interfaces) - 1
}

func (l *lowerer) allocWorld(span syntax.Span) int {
	l.pkg.worlds = append(l.pkg.worlds, &World{Span: span})
	return len(l.pkg.worlds) - 1
}

func (l *lowerer) allocType(t *TypeDef) TypeID {
	l.pkg.types = append(l.pkg.types, t)
	return TypeID(len(l.pkg.types) - 1)
}

// populateForeignDeps allocates a placeholder for every interface or world
// named through another package.
func (l *lowerer) populateForeignDeps() {
	for _, items := range l.files {
		forEachPath(items, func(v pathVisit) *syntax.Error {
			if v.path.Package == nil {
				return nil
			}
			stab, _ := l.stability(v.attrs)
			name := packageNameOf(v.path.Package)
			var dep *foreignPackage
			for _, d := range l.pkg.foreignDeps {
				if comparePackageNames(d.name, name) == 0 {
					dep = d
					break
				}
			}
			if dep == nil {
				dep = &foreignPackage{name: name, span: v.path.Package.Span}
				l.pkg.foreignDeps = append(l.pkg.foreignDeps, dep)
			}
			it := dep.item(v.path.Name.Name)
			if it == nil {
				it = &foreignItem{name: v.path.Name.Name}
				if v.kind == pathWorld {
					it.ref = itemRef{world: true, id: l.allocWorld(v.path.Name.Span)}
				} else {
					it.ref = itemRef{id: l.allocInterface(v.path.Name.Span)}
					l.foreignIfaces[it.ref.id] = true
				}
				dep.items = append(dep.items, it)
			}
			it.stabilities = append(it.stabilities, stab)
			return nil
		})
	}
}

// populateAstItems checks names, sorts interfaces and worlds by their `use`
// and `include` dependencies, allocates them in that order and builds each
// file's scope.
func (l *lowerer) populateAstItems() (ifaceOrder, worldOrder []int, _ *syntax.Error) {
	spans := map[string]syntax.Span{}
	isWorld := map[string]bool{}
	var names []string
	deps := map[string][]edge{}
	for _, items := range l.files {
		for _, it := range items {
			var id *syntax.Ident
			switch n := it.(type) {
			case *syntax.Interface:
				id = n.Name
			case *syntax.World:
				id = n.Name
				isWorld[id.Name] = true
			default:
				continue
			}
			if _, dup := spans[id.Name]; dup {
				return nil, nil, errAt(id.Span, "duplicate item named `"+id.Name+"`")
			}
			spans[id.Name] = id.Span
			names = append(names, id.Name)
		}
	}

	type nsEntry struct {
		foreign bool
		id      *syntax.Ident
	}
	for _, items := range l.files {
		ns := map[string]nsEntry{}
		for _, it := range items {
			var name *syntax.Ident
			var e nsEntry
			switch n := it.(type) {
			case *syntax.TopUse:
				name = n.Path.Name
				if n.As != nil {
					name = n.As
				}
				e = nsEntry{foreign: n.Path.Package != nil, id: n.Path.Name}
			case *syntax.Interface:
				name, e = n.Name, nsEntry{id: n.Name}
			case *syntax.World:
				name, e = n.Name, nsEntry{id: n.Name}
			default:
				continue
			}
			if _, dup := ns[name.Name]; dup {
				return nil, nil, errAt(name.Span, "duplicate name `"+name.Name+"` in this file")
			}
			ns[name.Name] = e
		}
		err := forEachPath(items, func(v pathVisit) *syntax.Error {
			if v.owner == nil || v.path.Package != nil {
				return nil
			}
			used := v.path.Name
			if e, ok := ns[used.Name]; ok {
				if !e.foreign {
					deps[v.owner.Name] = append(deps[v.owner.Name], edge{e.id.Name, e.id.Span})
				}
				return nil
			}
			if _, ok := spans[used.Name]; ok {
				deps[v.owner.Name] = append(deps[v.owner.Name], edge{used.Name, used.Span})
				return nil
			}
			return notFound(used.Span, "interface or world", used.Name)
		})
		if err != nil {
			return nil, nil, err
		}
	}
	depList := make([][]edge, len(names))
	for i, n := range names {
		depList[i] = deps[n]
	}
	order, err := toposort("interface or world", names, depList)
	if err != nil {
		return nil, nil, err
	}

	ids := map[string]itemRef{}
	for _, name := range order {
		n := name
		if isWorld[name] {
			id := l.allocWorld(spans[name])
			l.pkg.worlds[id].Name = name
			ids[name] = itemRef{world: true, id: id}
			worldOrder = append(worldOrder, id)
		} else {
			id := l.allocInterface(spans[name])
			l.pkg.interfaces[id].Name = &n
			ids[name] = itemRef{id: id}
			ifaceOrder = append(ifaceOrder, id)
		}
	}
	for _, items := range l.files {
		scope := map[string]itemRef{}
		for _, it := range items {
			switch n := it.(type) {
			case *syntax.TopUse:
				if len(n.Attributes) > 0 {
					return nil, nil, errAt(n.Span, "attributes not allowed on top-level use")
				}
				name := n.Path.Name.Name
				if n.As != nil {
					name = n.As.Name
				}
				var ref itemRef
				if n.Path.Package == nil {
					r, ok := ids[n.Path.Name.Name]
					if !ok {
						return nil, nil, notFound(n.Path.Name.Span, "interface or world", n.Path.Name.Name)
					}
					ref = r
				} else {
					ref = l.foreignRef(n.Path)
				}
				scope[name] = ref
			case *syntax.Interface:
				scope[n.Name.Name] = ids[n.Name.Name]
				l.packageItems[n.Name.Name] = ids[n.Name.Name]
			case *syntax.World:
				scope[n.Name.Name] = ids[n.Name.Name]
				l.packageItems[n.Name.Name] = ids[n.Name.Name]
			}
		}
		l.astItems = append(l.astItems, scope)
	}
	return ifaceOrder, worldOrder, nil
}

func (l *lowerer) foreignRef(p *syntax.UsePath) itemRef {
	name := packageNameOf(p.Package)
	for _, d := range l.pkg.foreignDeps {
		if comparePackageNames(d.name, name) == 0 {
			return d.item(p.Name.Name).ref
		}
	}
	panic("foreign dependency not registered: " + name.String())
}

// populateForeignTypes creates a KindUnknown placeholder for each type used
// from a foreign interface; pushPackage later finds the real type.
func (l *lowerer) populateForeignTypes() *syntax.Error {
	for i, items := range l.files {
		l.cur = i
		err := forEachPath(items, func(v pathVisit) *syntax.Error {
			if !v.isUse {
				return nil
			}
			stab, err := l.stability(v.attrs)
			if err != nil {
				return err
			}
			ext, err := externalID(v.attrs)
			if err != nil {
				return err
			}
			ref, name, span, err := l.resolvePath(v.path)
			if err != nil {
				return err
			}
			iface, err := ifaceOf(ref, name, span)
			if err != nil {
				return err
			}
			if !l.foreignIfaces[iface] {
				return nil
			}
			scope := l.interfaceTypes[iface]
			for _, n := range v.names {
				if _, ok := scope.m[n.Name.Name]; ok {
					continue
				}
				id := l.allocType(&TypeDef{
					Name:       n.Name.Name,
					Kind:       KindUnknown,
					Owner:      Owner{Kind: OwnerInterface, Interface: InterfaceID(iface)},
					Stability:  stab,
					Span:       n.Name.Span,
					ExternalID: ext,
				})
				l.pkg.unknownTypeSpans = append(l.pkg.unknownTypeSpans, n.Name.Span)
				scope.insert(n.Name.Name, lookupEntry{typ: id, span: n.Name.Span})
				it := l.pkg.interfaces[iface]
				it.Types = append(it.Types, NamedType{n.Name.Name, id})
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// resolvePath finds what a use path names from the current file.
func (l *lowerer) resolvePath(p *syntax.UsePath) (itemRef, string, syntax.Span, *syntax.Error) {
	if p.Package != nil {
		return l.foreignRef(p), p.Name.Name, p.Name.Span, nil
	}
	if r, ok := l.astItems[l.cur][p.Name.Name]; ok {
		return r, p.Name.Name, p.Name.Span, nil
	}
	if r, ok := l.packageItems[p.Name.Name]; ok {
		return r, p.Name.Name, p.Name.Span, nil
	}
	return itemRef{}, "", syntax.Span{}, notFound(p.Name.Span, "interface or world", p.Name.Name)
}

func ifaceOf(r itemRef, name string, span syntax.Span) (int, *syntax.Error) {
	if r.world {
		return 0, errAt(span, "name `"+name+"` is defined as a world, not an interface")
	}
	return r.id, nil
}

func worldOf(r itemRef, name string, span syntax.Span) (int, *syntax.Error) {
	if !r.world {
		return 0, errAt(span, "name `"+name+"` is defined as an interface, not a world")
	}
	return r.id, nil
}
