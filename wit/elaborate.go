package wit

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bigband-dev/bigband/wit/syntax"
)

// processIncludes copies the items of included worlds into world id and
// checks the result for case-insensitive name clashes.
func (m *remap) processIncludes(r *Resolve, id WorldID, pkgID PackageID) *syntax.Error {
	w := r.Worlds[id]
	includes := w.Includes
	w.Includes = nil
	for _, inc := range includes {
		ok, err := r.includeStability(inc.Stability, pkgID, inc.Span)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := m.include(r, id, inc, pkgID); err != nil {
			return err
		}
	}
	for _, side := range []struct {
		desc  string
		items []*WorldItem
	}{{"import", w.Imports}, {"export", w.Exports}} {
		seen := map[string]string{}
		for _, it := range side.items {
			if it.Key.IsInterface {
				continue
			}
			lower := strings.ToLower(it.Key.Name)
			if prev, ok := seen[lower]; ok && prev != it.Key.Name {
				return errAt(it.Span, fmt.Sprintf("%s `%s` in world `%s` conflicts with %s `%s` (kebab-case identifiers are case-insensitive)",
					side.desc, it.Key.Name, w.Name, side.desc, prev))
			}
			seen[lower] = it.Key.Name
		}
	}
	return nil
}

// renameIncluded applies an include's `with { name as alias }` to a world
// key, including the resource prefix of method names ("[method]r.f").
func renameIncluded(orig string, n IncludeName) (string, bool) {
	if orig == n.Name {
		return n.As, true
	}
	kind, rest, ok := strings.Cut(orig, "]")
	if !ok {
		return "", false
	}
	if name, tail, ok := strings.Cut(rest, "."); ok && name == n.Name {
		return kind + "]" + n.As + "." + tail, true
	}
	if rest == n.Name {
		return kind + "]" + n.As, true
	}
	return "", false
}

func samePackage(a, b *PackageID) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func (m *remap) include(r *Resolve, id WorldID, inc WorldInclude, pkgID PackageID) *syntax.Error {
	fromID, err := m.mapWorld(inc.World, inc.Span)
	if err != nil {
		return err
	}
	from := r.Worlds[fromID]
	external := !samePackage(r.Worlds[id].Package, from.Package)
	unused := append([]IncludeName(nil), inc.Names...)
	for _, it := range append(append([]*WorldItem(nil), from.Imports...), from.Exports...) {
		if it.Key.IsInterface {
			continue
		}
		kept := unused[:0]
		for _, n := range unused {
			if _, ok := renameIncluded(it.Key.Name, n); !ok {
				kept = append(kept, n)
			}
		}
		unused = kept
	}
	if len(unused) > 0 {
		return errAt(inc.Span, "no import or export kebab-name `"+unused[0].Name+"`. Note that an ID does not support renaming")
	}
	c := &cloner{r: r, types: map[TypeID]TypeID{}, ifaces: map[InterfaceID]InterfaceID{},
		prev: Owner{Kind: OwnerWorld, World: fromID}, next: Owner{Kind: OwnerWorld, World: id}, pkg: &pkgID}
	imports := append([]*WorldItem(nil), from.Imports...)
	exports := append([]*WorldItem(nil), from.Exports...)
	for _, it := range imports {
		if err := m.includeItem(c, inc, &r.Worlds[id].Imports, it, "import", external); err != nil {
			return err
		}
	}
	for _, it := range exports {
		if err := m.includeItem(c, inc, &r.Worlds[id].Exports, it, "export", external); err != nil {
			return err
		}
	}
	return nil
}

func (m *remap) includeItem(c *cloner, inc WorldInclude, dst *[]*WorldItem, it *WorldItem, desc string, external bool) *syntax.Error {
	if !it.Key.IsInterface {
		name := it.Key.Name
		for _, n := range inc.Names {
			if renamed, ok := renameIncluded(name, n); ok {
				name = renamed
				break
			}
		}
		item := it.clone()
		item.Key = WorldKey{Name: name}
		c.worldItem(item)
		switch item.Kind {
		case WorldFunction:
			item.Function.Name = name
		case WorldType:
			c.r.Types[item.Type].Name = name
		}
		if findItem(*dst, item.Key) >= 0 {
			return errAt(inc.Span, desc+" of `"+name+"` shadows previously "+desc+"ed items")
		}
		*dst = append(*dst, item)
		return nil
	}
	i := findItem(*dst, it.Key)
	if i < 0 {
		*dst = append(*dst, it.clone())
		i = len(*dst) - 1
	}
	into := &(*dst)[i].Stability
	if external && it.Stability.Kind == StabilityStable {
		*into = Stability{}
		return nil
	}
	return mergeStability(it.Stability, into, it.Span)
}

func (s Stability) equal(o Stability) bool {
	eqv := func(a, b *Version) bool {
		if a == nil || b == nil {
			return a == nil && b == nil
		}
		return a.Compare(*b) == 0
	}
	return s.Kind == o.Kind && s.Feature == o.Feature && eqv(s.Since, o.Since) && eqv(s.Deprecated, o.Deprecated)
}

func mergeStability(from Stability, into *Stability, span syntax.Span) *syntax.Error {
	switch {
	case from.Kind == StabilityUnknown || from.equal(*into):
		return nil
	case into.Kind == StabilityUnknown:
		*into = from
		return nil
	}
	return errAt(span, fmt.Sprintf("mismatch in stability from '%s' to '%s'", from, *into))
}

// String renders a gate as WIT attributes.
func (s Stability) String() string {
	var b strings.Builder
	switch s.Kind {
	case StabilityUnknown:
		return "unknown"
	case StabilityStable:
		fmt.Fprintf(&b, "@since(version = %s)", s.Since)
	case StabilityUnstable:
		fmt.Fprintf(&b, "@unstable(feature = %s)", s.Feature)
	}
	if s.Deprecated != nil {
		fmt.Fprintf(&b, " @deprecated(version = %s)", s.Deprecated)
	}
	return b.String()
}

func (it *WorldItem) clone() *WorldItem {
	c := *it
	if it.Function != nil {
		c.Function = it.Function.clone()
	}
	return &c
}

func (f *Function) clone() *Function {
	c := *f
	c.Params = append([]Param(nil), f.Params...)
	return &c
}

func (t *TypeDef) clone() *TypeDef {
	c := *t
	c.Fields = append([]Field(nil), t.Fields...)
	c.Flags = append([]Flag(nil), t.Flags...)
	c.Cases = append([]Case(nil), t.Cases...)
	c.Enum = append([]EnumCase(nil), t.Enum...)
	c.Types = append([]Type(nil), t.Types...)
	return &c
}

// cloner copies types, functions and anonymous interfaces from one owner to
// another, so that a world including another gets its own copies of the
// types the included world defines.
type cloner struct {
	r          *Resolve
	types      map[TypeID]TypeID
	ifaces     map[InterfaceID]InterfaceID
	prev, next Owner
	pkg        *PackageID
}

func (c *cloner) worldItem(it *WorldItem) {
	switch it.Kind {
	case WorldType:
		c.typeID(&it.Type)
	case WorldFunction:
		c.function(it.Function)
	case WorldInterface:
		if c.r.Interfaces[it.Interface].Name == nil {
			c.iface(&it.Interface)
		}
	}
}

func (c *cloner) typeID(id *TypeID) {
	if nid, ok := c.types[*id]; ok {
		*id = nid
		return
	}
	t := c.r.Types[*id].clone()
	c.typeDef(t)
	nid := TypeID(len(c.r.Types))
	c.r.Types = append(c.r.Types, t)
	c.types[*id] = nid
	*id = nid
}

func (c *cloner) ty(t *Type) {
	if t.Prim == Ref {
		c.typeID(&t.ID)
	}
}

func (c *cloner) typeDef(t *TypeDef) {
	if t.Owner.Kind != OwnerNone {
		t.Owner = c.next
	}
	switch t.Kind {
	case KindAlias:
		if t.Elem.Prim == Ref {
			if c.r.Types[t.Elem.ID].Owner == c.prev {
				c.typeID(&t.Elem.ID)
			} else if nid, ok := c.types[t.Elem.ID]; ok {
				t.Elem.ID = nid
			}
		}
	case KindOwn, KindBorrow:
		c.typeID(&t.Resource)
	case KindOption, KindList, KindFixedList, KindFuture, KindStream:
		c.ty(&t.Elem)
	case KindMap:
		c.ty(&t.Key)
		c.ty(&t.Elem)
	case KindTuple:
		for i := range t.Types {
			c.ty(&t.Types[i])
		}
	case KindRecord:
		for i := range t.Fields {
			c.ty(&t.Fields[i].Type)
		}
	case KindVariant:
		for i := range t.Cases {
			c.ty(&t.Cases[i].Type)
		}
	case KindResult:
		c.ty(&t.Ok)
		c.ty(&t.Err)
	}
}

func (c *cloner) function(f *Function) {
	if f.Kind != Freestanding && f.Kind != AsyncFreestanding {
		c.typeID(&f.Resource)
	}
	for i := range f.Params {
		c.ty(&f.Params[i].Type)
	}
	c.ty(&f.Result)
}

func (c *cloner) iface(id *InterfaceID) {
	old := *id
	src := c.r.Interfaces[old]
	n := *src
	n.Types = append([]NamedType(nil), src.Types...)
	n.Functions = make([]*Function, len(src.Functions))
	for i, f := range src.Functions {
		n.Functions[i] = f.clone()
	}
	next := InterfaceID(len(c.r.Interfaces))
	child := &cloner{r: c.r, types: c.types, ifaces: c.ifaces,
		prev: Owner{Kind: OwnerInterface, Interface: old}, next: Owner{Kind: OwnerInterface, Interface: next}}
	for i := range n.Types {
		child.typeID(&n.Types[i].ID)
	}
	for _, f := range n.Functions {
		child.function(f)
	}
	if c.pkg != nil {
		p := *c.pkg
		n.Package = &p
	} else if c.next.Kind == OwnerWorld {
		n.Package = c.r.Worlds[c.next.World].Package
	} else {
		n.Package = c.r.Interfaces[c.next.Interface].Package
	}
	o := old
	n.CloneOf = &o
	c.r.Interfaces = append(c.r.Interfaces, &n)
	c.ifaces[old] = next
	*id = next
}

// typeInterfaceDep returns the interface a `use`d type comes from, if it
// comes from another owner.
func (r *Resolve) typeInterfaceDep(id TypeID) (InterfaceID, bool) {
	t := r.Types[id]
	if t.Kind != KindAlias || t.Elem.Prim != Ref {
		return 0, false
	}
	other := r.Types[t.Elem.ID]
	if t.Owner == other.Owner || other.Owner.Kind != OwnerInterface {
		return 0, false
	}
	return other.Owner.Interface, true
}

// InterfaceDeps returns the interfaces interface id uses types from, in
// order, possibly with repeats.
func (r *Resolve) InterfaceDeps(id InterfaceID) []InterfaceID {
	var deps []InterfaceID
	for _, nt := range r.Interfaces[id].Types {
		if dep, ok := r.typeInterfaceDep(nt.ID); ok {
			deps = append(deps, dep)
		}
	}
	return deps
}

// InterfaceName renders an interface's full name (`ns:pkg/name@ver`), or ""
// for an anonymous interface.
func (r *Resolve) InterfaceName(id InterfaceID) string {
	iface := r.Interfaces[id]
	if iface.Name == nil || iface.Package == nil {
		return ""
	}
	return r.Packages[*iface.Package].Name.InterfaceID(*iface.Name)
}

// KeyName renders a world key: a plain name, or an interface's full name.
func (r *Resolve) KeyName(k WorldKey) string {
	if k.IsInterface {
		return r.InterfaceName(k.Interface)
	}
	return k.Name
}

// worldSortKey groups world imports: interfaces, then types used from
// interfaces, other types, freestanding functions and resource functions.
func (r *Resolve) worldSortKey(it *WorldItem) int {
	switch it.Kind {
	case WorldInterface:
		return 0
	case WorldType:
		t := r.Types[it.Type]
		if t.Kind == KindAlias && t.Elem.Prim == Ref && r.Types[t.Elem.ID].Owner != t.Owner {
			return 1
		}
		return 2
	}
	if it.Function.Kind == Freestanding || it.Function.Kind == AsyncFreestanding {
		return 3
	}
	return 4
}

// elaborateWorld adds every interface the world's items transitively need
// as imports, in dependency order, and checks exports can be satisfied
// without importing and exporting the same interface.
func (r *Resolve) elaborateWorld(id WorldID, span syntax.Span) *syntax.Error {
	w := r.Worlds[id]
	sorted := append([]*WorldItem(nil), w.Imports...)
	sort.SliceStable(sorted, func(i, j int) bool { return r.worldSortKey(sorted[i]) < r.worldSortKey(sorted[j]) })
	var imports []*WorldItem
	for _, it := range sorted {
		switch it.Kind {
		case WorldInterface:
			imports = r.elaborateImport(imports, it.Key, it.Interface, it.Stability, it.Docs, it.ExternalID)
		case WorldFunction:
			imports = append(imports, it)
		case WorldType:
			if dep, ok := r.typeInterfaceDep(it.Type); ok {
				imports = r.elaborateImport(imports, WorldKey{IsInterface: true, Interface: dep}, dep, r.Types[it.Type].Stability, Docs{}, "")
			}
			imports = append(imports, it)
		}
	}
	var exports, exportIfaces []*WorldItem
	for _, it := range w.Exports {
		if it.Kind == WorldInterface {
			exportIfaces = append(exportIfaces, it)
		} else {
			exports = append(exports, it)
		}
	}
	e := &exportElab{r: r, imports: imports, exports: exports, exportIfaces: exportIfaces, required: map[InterfaceID]bool{}}
	for _, it := range exportIfaces {
		if !e.add(it.Key, it, true) {
			return errAt(span, "interface `"+r.KeyName(it.Key)+"` transitively depends on an interface in incompatible ways")
		}
	}
	sort.SliceStable(e.imports, func(i, j int) bool { return r.worldSortKey(e.imports[i]) < r.worldSortKey(e.imports[j]) })
	w.Imports, w.Exports = e.imports, e.exports
	return nil
}

func (r *Resolve) elaborateImport(imports []*WorldItem, key WorldKey, id InterfaceID, stab Stability, docs Docs, ext string) []*WorldItem {
	if findItem(imports, key) >= 0 {
		return imports
	}
	for _, dep := range r.InterfaceDeps(id) {
		imports = r.elaborateImport(imports, WorldKey{IsInterface: true, Interface: dep}, dep, stab, Docs{}, "")
	}
	return append(imports, &WorldItem{Key: key, Kind: WorldInterface, Interface: id, Stability: stab, Docs: docs, ExternalID: ext})
}

// exportElab walks exported interfaces' dependencies: a dependency that is
// itself exported is satisfied by the export, anything else becomes an
// import, and an interface needed both ways is an error.
type exportElab struct {
	r                *Resolve
	imports, exports []*WorldItem
	exportIfaces     []*WorldItem
	required         map[InterfaceID]bool
}

func (e *exportElab) add(key WorldKey, it *WorldItem, export bool) bool {
	if findItem(e.exports, key) >= 0 {
		return export
	}
	id := it.Interface
	if !export && e.required[id] {
		return true
	}
	for _, dep := range e.r.InterfaceDeps(id) {
		dk := WorldKey{IsInterface: true, Interface: dep}
		di := &WorldItem{Key: dk, Kind: WorldInterface, Interface: dep, Stability: it.Stability, ExternalID: it.ExternalID}
		if !e.add(dk, di, export && findItem(e.exportIfaces, dk) >= 0) {
			return false
		}
	}
	if export {
		if e.required[id] {
			return false
		}
		e.exports = append(e.exports, it)
		return true
	}
	e.required[id] = true
	if findItem(e.imports, key) < 0 {
		e.imports = append(e.imports, it)
	}
	return true
}
