package wit

import (
	"slices"
	"strings"

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

	// errs receives every error in the order found, shared with the loader
	// so that errors of files and packages interleave as wit-parser meets
	// them; its first entry is the one wit-parser reports.
	errs     *syntax.ErrorList
	nerrs    int // errors this lowerer reported
	reported map[syntax.Pos]bool
	// poisoned marks placeholder types defined after an error, so that
	// later uses of the name aren't reported again.
	poisoned map[TypeID]bool
	refs     []localRef
	dropped  map[syntax.Item]bool // duplicate interfaces and worlds, left out
	// broken names declarations that failed to parse: their uses are
	// not reported as unknown (the syntax error already covers them).
	broken map[string]bool
}

// localRef is a name in the source that resolved to an item of the package
// being lowered (by local ID) or of a foreign package (by name).
type localRef struct {
	span    syntax.Span
	kind    RefKind
	id      int // local TypeID, interface or world index
	foreign bool
	pkg     string // RefPackage: the full package name
}

// report records an error and keeps going. One error per position: a
// second error at the same spot is nearly always fallout of the first.
func (l *lowerer) report(e *syntax.Error) {
	if e == nil {
		return
	}
	if name, ok := unknownName(e.Msg); ok && l.broken[name] {
		return
	}
	if e.Span.IsValid() {
		if l.reported[e.Span.Start] {
			return
		}
		l.reported[e.Span.Start] = true
	}
	l.nerrs++
	*l.errs = append(*l.errs, e)
}

// unknownName extracts x from "... `x` does not exist".
func unknownName(msg string) (string, bool) {
	rest, ok := strings.CutSuffix(msg, "` does not exist")
	if !ok {
		return "", false
	}
	i := strings.LastIndexByte(rest, '`')
	if i < 0 {
		return "", false
	}
	return rest[i+1:], true
}

// noteBroken adds the declarations of f that failed to parse.
func (l *lowerer) noteBroken(f *syntax.SourceFile) {
	for _, id := range f.Broken {
		if l.broken == nil {
			l.broken = map[string]bool{}
		}
		l.broken[id.Name] = true
	}
}

// failed reports whether this lowerer found any error.
func (l *lowerer) failed() bool { return l.nerrs > 0 }

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

func newLowerer(errs *syntax.ErrorList) *lowerer {
	return &lowerer{
		errs:          errs,
		reported:      map[syntax.Pos]bool{},
		poisoned:      map[TypeID]bool{},
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

// push adds one file (or nested package block) to the package, reporting
// what is wrong with its header; it reports whether there was nothing.
func (l *lowerer) push(name *syntax.PackageName, docs syntax.Docs, items []syntax.Item) bool {
	before := l.nerrs
	if name != nil {
		cur := packageNameOf(name)
		switch {
		case l.hasName && comparePackageNames(cur, l.pkg.name) != 0:
			e := errAt(name.Span, "package identifier `"+cur.String()+"` does not match previous package name of `"+l.pkg.name.String()+"`")
			e.Related = []syntax.Related{{Span: l.pkg.nameSpan, Msg: "the package is first named here"}}
			l.report(e)
		default:
			l.hasName = true
			l.pkg.name = cur
			l.pkg.nameSpan = name.Span
		}
		if d := lowerDocs(docs); d.Contents != nil {
			if l.pkg.docs.Contents != nil {
				l.report(errAt(docs.Span, "found doc comments on multiple 'package' items"))
			} else {
				l.pkg.docs = d
			}
		}
	}
	kept := items
	for i, it := range items {
		if n, ok := it.(*syntax.NestedPackage); ok {
			l.report(errAt(n.Name.Span, "nested packages must be placed at the top-level"))
			if len(kept) == len(items) {
				kept = slices.Clone(items[:i])
			}
			continue
		}
		if len(kept) != len(items) {
			kept = append(kept, it)
		}
	}
	l.files = append(l.files, kept)
	return l.nerrs == before
}

// resolve lowers everything pushed, reporting every error it finds. The
// package returned is complete enough for navigation even after errors, but
// only a package without errors (failed() false) may be pushed.
func (l *lowerer) resolve() *unresolvedPackage {
	if !l.hasName {
		l.report(&syntax.Error{Msg: "no `package` header was found in any WIT file for this package", Code: "wit/no-package"})
		return nil
	}
	l.populateForeignDeps()
	ifaceOrder, worldOrder := l.populateAstItems()
	l.populateForeignTypes()
	type src[T any] struct {
		node *T
		file int
	}
	ifaces := map[int]src[syntax.Interface]{}
	worlds := map[int]src[syntax.World]{}
	for i, items := range l.files {
		for _, it := range items {
			if l.dropped[it] {
				continue
			}
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
		l.resolveInterface(id, s.node.Items, s.node.Docs, s.node.Attributes)
	}
	for _, id := range worldOrder {
		s := worlds[id]
		l.cur = s.file
		l.resolveWorld(id, s.node)
	}
	return l.pkg
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
			l.refs = append(l.refs, localRef{span: v.path.Package.Span, kind: RefPackage, pkg: name.String()})
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
// file's scope. A duplicate is reported and left out.
func (l *lowerer) populateAstItems() (ifaceOrder, worldOrder []int) {
	spans := map[string]syntax.Span{}
	isWorld := map[string]bool{}
	dropped := map[syntax.Item]bool{}
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
			default:
				continue
			}
			if prev, dup := spans[id.Name]; dup {
				e := errAt(id.Span, "duplicate item named `"+id.Name+"`")
				e.Related = []syntax.Related{{Span: prev, Msg: "first defined here"}}
				l.report(e)
				dropped[it] = true
				continue
			}
			if _, ok := it.(*syntax.World); ok {
				isWorld[id.Name] = true
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
			if dropped[it] {
				continue
			}
			if prev, dup := ns[name.Name]; dup {
				err := errAt(name.Span, "duplicate name `"+name.Name+"` in this file")
				err.Related = []syntax.Related{{Span: prev.id.Span, Msg: "first defined here"}}
				l.report(err)
				continue
			}
			ns[name.Name] = e
		}
		forEachPath(items, func(v pathVisit) *syntax.Error {
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
			l.report(notFound(used.Span, "interface or world", used.Name))
			return nil
		})
	}
	depList := make([][]edge, len(names))
	for i, n := range names {
		depList[i] = deps[n]
	}
	order := toposort("interface or world", names, depList, l.report)

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
			if dropped[it] {
				continue
			}
			switch n := it.(type) {
			case *syntax.TopUse:
				if len(n.Attributes) > 0 {
					l.report(errAt(n.Span, "attributes not allowed on top-level use"))
				}
				name := n.Path.Name.Name
				if n.As != nil {
					name = n.As.Name
				}
				var ref itemRef
				if n.Path.Package == nil {
					r, ok := ids[n.Path.Name.Name]
					if !ok {
						l.report(notFound(n.Path.Name.Span, "interface or world", n.Path.Name.Name))
						continue
					}
					ref = r
					l.refItem(n.Path.Name.Span, r, false)
				} else {
					ref = l.foreignRef(n.Path)
					l.refItem(n.Path.Name.Span, ref, true)
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
	l.dropped = dropped
	return ifaceOrder, worldOrder
}

// refItem records a reference to an interface or world.
func (l *lowerer) refItem(span syntax.Span, r itemRef, foreign bool) {
	kind := RefInterface
	if r.world {
		kind = RefWorld
	}
	l.refs = append(l.refs, localRef{span: span, kind: kind, id: r.id, foreign: foreign})
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
func (l *lowerer) populateForeignTypes() {
	for i, items := range l.files {
		l.cur = i
		forEachPath(items, func(v pathVisit) *syntax.Error {
			if !v.isUse {
				return nil
			}
			stab, err := l.stability(v.attrs)
			if err != nil {
				l.report(err)
				return nil
			}
			ext, err := externalID(v.attrs)
			if err != nil {
				l.report(err)
				return nil
			}
			ref, name, span, err := l.resolvePath(v.path)
			if err != nil {
				l.report(err)
				return nil
			}
			iface, err := ifaceOf(ref, name, span)
			if err != nil {
				l.report(err)
				return nil
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
	}
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
