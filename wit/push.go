package wit

import (
	"fmt"
	"strings"

	"github.com/bigband-dev/bigband/wit/syntax"
)

// remap translates one unresolvedPackage's local IDs into the Resolve's as
// the package is appended. excluded marks items gated off by a feature.
type remap struct {
	types      []TypeID
	interfaces []InterfaceID
	worlds     []WorldID
	ownHandles map[TypeID]TypeID
	hasBorrow  map[TypeID]bool
	// more holds the errors after the first that foreignDeps found: all
	// of a package's unresolvable references are reported at once.
	more []*syntax.Error
	// soft holds errors that don't stop the push (a function returning a
	// borrow), so that every one of them is reported; they are found
	// before any error that stops it.
	soft []*syntax.Error
	// foreignFailed says the push stopped on references to other
	// packages, which errors elsewhere in the package can't cause.
	foreignFailed bool
}

// missing marks a placeholder whose item wasn't found (already reported).
const missing = -2

const excluded = -1

func (m *remap) mapType(id TypeID, span syntax.Span) (TypeID, *syntax.Error) {
	if int(id) >= len(m.types) {
		return 0, errAt(span, "internal error: reference to an unregistered type")
	}
	if m.types[id] == excluded {
		return 0, errAt(span, "found a reference to a type which is excluded due to its feature not being activated")
	}
	return m.types[id], nil
}

func (m *remap) mapInterface(id InterfaceID, span syntax.Span) (InterfaceID, *syntax.Error) {
	if int(id) >= len(m.interfaces) {
		return 0, errAt(span, "internal error: reference to an unregistered interface")
	}
	if m.interfaces[id] == excluded {
		return 0, errAt(span, "found a reference to a interface which is excluded due to its feature not being activated")
	}
	return m.interfaces[id], nil
}

func (m *remap) mapWorld(id WorldID, span syntax.Span) (WorldID, *syntax.Error) {
	if int(id) >= len(m.worlds) {
		return 0, errAt(span, "internal error: reference to an unregistered world")
	}
	if m.worlds[id] == excluded {
		return 0, errAt(span, "found a reference to a world which is excluded due to its feature not being activated")
	}
	return m.worlds[id], nil
}

// pushPackageAll appends u to r, connecting its foreign references to
// packages already in r, dropping items gated off, and elaborating its
// worlds. It reports every unresolvable foreign reference and every
// function returning a borrow, not just the first; any other error stops
// it and is also returned as hard. On error the caller rolls r back.
func (r *Resolve) pushPackageAll(u *unresolvedPackage) (_ PackageID, errs []*syntax.Error, hard *syntax.Error) {
	id, m, err := r.pushPackageRemap(u)
	errs = m.soft
	if err != nil {
		errs = append(append(errs, err), m.more...)
		if !m.foreignFailed {
			hard = err
		}
	}
	return id, errs, hard
}

func (r *Resolve) pushPackageRemap(u *unresolvedPackage) (PackageID, *remap, *syntax.Error) {
	m := &remap{ownHandles: map[TypeID]TypeID{}, hasBorrow: map[TypeID]bool{}}
	pkgID := PackageID(len(r.Packages))
	r.Packages = append(r.Packages, &Package{Name: u.name, Docs: u.docs})
	r.PackageNames[u.name.String()] = pkgID
	if errs := m.foreignDeps(r, pkgID, u); len(errs) > 0 {
		m.more, m.foreignFailed = errs[1:], true
		return pkgID, m, errs[0]
	}
	foreignTypes, foreignIfaces, foreignWorlds := len(m.types), len(m.interfaces), len(m.worlds)

	for _, ty := range u.types[foreignTypes:] {
		ok := m.gate(r, ty.Stability, pkgID, ty.Span)
		if !ok {
			m.types = append(m.types, excluded)
			continue
		}
		if err := m.updateTypeDef(r, ty, ty.Span); err != nil {
			return pkgID, m, err
		}
		id := TypeID(len(r.Types))
		r.Types = append(r.Types, ty)
		if ty.Name == "" && ty.Owner.Kind == OwnerNone && ty.Kind == KindOwn {
			if prev, ok := m.ownHandles[ty.Resource]; ok {
				id = prev
			} else {
				m.ownHandles[ty.Resource] = id
			}
		}
		m.types = append(m.types, id)
	}

	for _, iface := range u.interfaces[foreignIfaces:] {
		ok := m.gate(r, iface.Stability, pkgID, iface.Span)
		if !ok {
			m.interfaces = append(m.interfaces, excluded)
			continue
		}
		p := pkgID
		iface.Package = &p
		if err := m.updateInterface(r, iface); err != nil {
			return pkgID, m, err
		}
		m.interfaces = append(m.interfaces, InterfaceID(len(r.Interfaces)))
		r.Interfaces = append(r.Interfaces, iface)
	}

	for _, id := range m.types[foreignTypes:] {
		if id == excluded {
			continue
		}
		t := r.Types[id]
		if t.Owner.Kind == OwnerInterface {
			iid, err := m.mapInterface(t.Owner.Interface, t.Span)
			if err != nil {
				err.Msg += "; this type is not gated by a feature but its interface is"
				return pkgID, m, err
			}
			t.Owner.Interface = iid
		}
	}

	for _, w := range u.worlds[foreignWorlds:] {
		ok := m.gate(r, w.Stability, pkgID, w.Span)
		if !ok {
			m.worlds = append(m.worlds, excluded)
			continue
		}
		if err := m.updateWorld(r, w, pkgID); err != nil {
			return pkgID, m, err
		}
		m.worlds = append(m.worlds, WorldID(len(r.Worlds)))
		r.Worlds = append(r.Worlds, w)
	}

	for _, id := range m.types[foreignTypes:] {
		if id == excluded {
			continue
		}
		t := r.Types[id]
		if t.Owner.Kind == OwnerWorld {
			wid, err := m.mapWorld(t.Owner.World, t.Span)
			if err != nil {
				err.Msg += "; this type is not gated by a feature but its world is"
				return pkgID, m, err
			}
			t.Owner.World = wid
		}
	}

	for _, id := range m.worlds[foreignWorlds:] {
		if id == excluded {
			continue
		}
		if err := m.processIncludes(r, id, pkgID); err != nil {
			return pkgID, m, err
		}
		if err := r.elaborateWorld(id, r.Worlds[id].Span); err != nil {
			return pkgID, m, err
		}
	}

	pkg := r.Packages[pkgID]
	for _, id := range m.interfaces[foreignIfaces:] {
		if id == excluded {
			continue
		}
		if name := r.Interfaces[id].Name; name != nil {
			pkg.Interfaces = append(pkg.Interfaces, NamedInterface{*name, id})
		}
	}
	for _, id := range m.worlds[foreignWorlds:] {
		if id == excluded {
			continue
		}
		w := r.Worlds[id]
		p := pkgID
		w.Package = &p
		pkg.Worlds = append(pkg.Worlds, NamedWorld{w.Name, id})
	}
	return pkgID, m, nil
}

type foreignRef struct {
	pkg         PackageName
	name        string
	span        syntax.Span
	stabilities []Stability
}

// foreignDeps maps the placeholders at the front of u's arenas to the items
// of already-resolved packages.
func (m *remap) foreignDeps(r *Resolve, pkgID PackageID, u *unresolvedPackage) []*syntax.Error {
	var errs []*syntax.Error
	ifaceRefs := map[int]foreignRef{}
	worldRefs := map[int]foreignRef{}
	for _, dep := range u.foreignDeps {
		for _, it := range dep.items {
			ref := foreignRef{dep.name, it.name, dep.span, it.stabilities}
			if it.ref.world {
				worldRefs[it.ref.id] = ref
			} else {
				ifaceRefs[it.ref.id] = ref
			}
		}
	}
	enabled := func(ref foreignRef, span syntax.Span) (bool, *syntax.Error) {
		for _, s := range ref.stabilities {
			ok, err := r.includeStability(s, pkgID, span)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}
	for i, iface := range u.interfaces {
		ref, ok := ifaceRefs[i]
		if !ok {
			break
		}
		pkg, err := r.packageNamed(ref.pkg, ref.span)
		if err != nil {
			if len(errs) == 0 || errs[len(errs)-1].Span != err.Span {
				errs = append(errs, err)
			}
			m.interfaces = append(m.interfaces, missing)
			continue
		}
		on, err := enabled(ref, iface.Span)
		if err != nil {
			return append(errs, err)
		}
		if !on {
			m.interfaces = append(m.interfaces, excluded)
			continue
		}
		id, found := pkg.Interface(ref.name)
		if !found {
			errs = append(errs, errAt(iface.Span, fmt.Sprintf("interface '%s' not found in package '%s'", ref.name, pkg.Name)))
			m.interfaces = append(m.interfaces, missing)
			continue
		}
		m.interfaces = append(m.interfaces, id)
	}
	for i, w := range u.worlds {
		ref, ok := worldRefs[i]
		if !ok {
			break
		}
		pkg, err := r.packageNamed(ref.pkg, ref.span)
		if err != nil {
			if len(errs) == 0 || errs[len(errs)-1].Span != err.Span {
				errs = append(errs, err)
			}
			m.worlds = append(m.worlds, missing)
			continue
		}
		on, err := enabled(ref, w.Span)
		if err != nil {
			return append(errs, err)
		}
		if !on {
			m.worlds = append(m.worlds, excluded)
			continue
		}
		id, found := pkg.World(ref.name)
		if !found {
			errs = append(errs, errAt(w.Span, fmt.Sprintf("world '%s' not found in package '%s'", ref.name, pkg.Name)))
			m.worlds = append(m.worlds, missing)
			continue
		}
		m.worlds = append(m.worlds, id)
	}
	for i, ty := range u.types {
		if ty.Kind != KindUnknown {
			break
		}
		ok, err := r.includeStability(ty.Stability, pkgID, ty.Span)
		if err != nil {
			return append(errs, err)
		}
		if !ok {
			m.types = append(m.types, excluded)
			continue
		}
		if o := int(ty.Owner.Interface); o < len(m.interfaces) && m.interfaces[o] == missing {
			m.types = append(m.types, missing)
			continue
		}
		iid, err := m.mapInterface(ty.Owner.Interface, syntax.Span{})
		if err != nil {
			return append(errs, err)
		}
		id, found := r.Interfaces[iid].Type(ty.Name)
		if !found {
			errs = append(errs, errAt(u.unknownTypeSpans[i], "type `"+ty.Name+"` not defined in interface"))
			m.types = append(m.types, missing)
			continue
		}
		m.types = append(m.types, id)
	}
	if len(errs) > 0 {
		return errs
	}
	for _, rr := range u.requiredResources {
		id, err := m.mapType(rr.id, rr.span)
		if err != nil {
			continue // gated off: any use of it is reported elsewhere
		}
		for {
			t := r.Types[id]
			if t.Kind == KindAlias && t.Elem.Prim == Ref {
				id = t.Elem.ID
				continue
			}
			if t.Kind != KindResource {
				errs = append(errs, errAt(rr.span, "type used in a handle must be a resource"))
			}
			break
		}
	}
	return errs
}

func (r *Resolve) packageNamed(name PackageName, span syntax.Span) (*Package, *syntax.Error) {
	if id, ok := r.PackageNames[name.String()]; ok {
		return r.Packages[id], nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "package '%s' not found", name)
	if len(r.Packages) > 0 {
		b.WriteString(". known packages:")
		for _, p := range r.Packages {
			b.WriteString("\n    " + p.Name.String())
		}
	}
	return nil, errAt(span, b.String())
}

// gate is includeStability for items of the package being pushed: a bad
// gate is reported (softly, so every one is) and the item kept.
func (m *remap) gate(r *Resolve, s Stability, pkgID PackageID, span syntax.Span) bool {
	ok, err := r.includeStability(s, pkgID, span)
	if err != nil {
		m.soft = append(m.soft, err)
		return true
	}
	return ok
}

// includeStability reports whether an item with this gate is part of the
// package being built.
func (r *Resolve) includeStability(s Stability, pkgID PackageID, span syntax.Span) (bool, *syntax.Error) {
	switch s.Kind {
	case StabilityStable:
		if int(pkgID) >= len(r.Packages) || s.Since == nil {
			return true, nil
		}
		p := r.Packages[pkgID].Name
		if p.Version == nil {
			return false, errAt(span, fmt.Sprintf("package [%s] contains a feature gate with a version specifier, so it must have a version", p))
		}
		if s.Since.Compare(*p.Version) > 0 {
			return false, errAt(span, fmt.Sprintf("feature gate cannot reference unreleased version %s of package [%s] (current version %s)", s.Since, p, p.Version))
		}
		return true, nil
	case StabilityUnstable:
		return r.AllFeatures || r.Features[s.Feature], nil
	}
	return true, nil
}

func (m *remap) updateTypeDef(r *Resolve, t *TypeDef, span syntax.Span) *syntax.Error {
	var err *syntax.Error
	upd := func(ty *Type, span syntax.Span) {
		if err == nil {
			err = m.updateType(r, ty, span)
		}
	}
	switch t.Kind {
	case KindOwn, KindBorrow:
		t.Resource, err = m.mapType(t.Resource, span)
	case KindRecord:
		for i := range t.Fields {
			upd(&t.Fields[i].Type, t.Fields[i].Span)
		}
	case KindTuple:
		for i := range t.Types {
			upd(&t.Types[i], span)
		}
	case KindVariant:
		for i := range t.Cases {
			upd(&t.Cases[i].Type, span)
		}
	case KindOption, KindList, KindFixedList, KindFuture, KindStream:
		upd(&t.Elem, span)
	case KindMap:
		upd(&t.Key, span)
		upd(&t.Elem, span)
	case KindResult:
		upd(&t.Ok, span)
		upd(&t.Err, span)
	case KindAlias:
		// Not updateType: `type a = r` for a resource r stays usable as the
		// resource itself rather than becoming an owned handle.
		if t.Elem.Prim == Ref {
			t.Elem.ID, err = m.mapType(t.Elem.ID, span)
		}
	}
	return err
}

// updateType maps a reference and turns a reference to a resource into an
// owned handle of it, as the component model reads a bare resource name.
func (m *remap) updateType(r *Resolve, t *Type, span syntax.Span) *syntax.Error {
	if t.Prim != Ref {
		return nil
	}
	id, err := m.mapType(t.ID, span)
	if err != nil {
		return err
	}
	t.ID = id
	cur := id
	for r.Types[cur].Kind == KindAlias && r.Types[cur].Elem.Prim == Ref {
		cur = r.Types[cur].Elem.ID
	}
	if r.Types[cur].Kind != KindResource {
		return nil
	}
	own, ok := m.ownHandles[id]
	if !ok {
		own = TypeID(len(r.Types))
		r.Types = append(r.Types, &TypeDef{Kind: KindOwn, Resource: id})
		m.ownHandles[id] = own
	}
	t.ID = own
	return nil
}

func (m *remap) updateInterface(r *Resolve, iface *Interface) *syntax.Error {
	kept := iface.Types[:0]
	for _, nt := range iface.Types {
		if m.types[nt.ID] != excluded {
			kept = append(kept, nt)
		}
	}
	iface.Types = kept
	for i := range iface.Types {
		id, err := m.mapType(iface.Types[i].ID, iface.Span)
		if err != nil {
			return err
		}
		iface.Types[i].ID = id
	}
	funcs := iface.Functions[:0]
	for _, f := range iface.Functions {
		ok := m.gate(r, f.Stability, *iface.Package, f.Span)
		if !ok {
			continue
		}
		if err := m.updateFunction(r, f, f.Span); err != nil {
			return err
		}
		funcs = append(funcs, f)
	}
	iface.Functions = funcs
	return nil
}

func (m *remap) updateFunction(r *Resolve, f *Function, span syntax.Span) *syntax.Error {
	if f.Kind != Freestanding && f.Kind != AsyncFreestanding {
		id, err := m.mapType(f.Resource, span)
		if err != nil {
			return err
		}
		f.Resource = id
	}
	for i := range f.Params {
		if err := m.updateType(r, &f.Params[i].Type, span); err != nil {
			return err
		}
	}
	if err := m.updateType(r, &f.Result, span); err != nil {
		return err
	}
	if m.typeHasBorrow(r, f.Result) {
		m.soft = append(m.soft, errAt(span, "function `"+f.Name+"` returns a type which contains a `borrow<T>` which is not supported"))
	}
	return nil
}

func (m *remap) typeHasBorrow(r *Resolve, t Type) bool {
	if t.Prim != Ref {
		return false
	}
	if v, ok := m.hasBorrow[t.ID]; ok {
		return v
	}
	td := r.Types[t.ID]
	v := false
	switch td.Kind {
	case KindBorrow:
		v = true
	case KindAlias, KindList, KindFixedList, KindOption, KindFuture, KindStream:
		v = m.typeHasBorrow(r, td.Elem)
	case KindMap:
		v = m.typeHasBorrow(r, td.Key) || m.typeHasBorrow(r, td.Elem)
	case KindResult:
		v = m.typeHasBorrow(r, td.Ok) || m.typeHasBorrow(r, td.Err)
	case KindRecord:
		for _, f := range td.Fields {
			v = v || m.typeHasBorrow(r, f.Type)
		}
	case KindVariant:
		for _, c := range td.Cases {
			v = v || m.typeHasBorrow(r, c.Type)
		}
	case KindTuple:
		for _, e := range td.Types {
			v = v || m.typeHasBorrow(r, e)
		}
	}
	m.hasBorrow[t.ID] = v
	return v
}

func (m *remap) updateWorld(r *Resolve, w *World, pkgID PackageID) *syntax.Error {
	imports, exports := w.Imports, w.Exports
	w.Imports, w.Exports = nil, nil
	for i, it := range append(imports, exports...) {
		span := it.Span
		if it.Kind == WorldType {
			id, err := m.mapType(it.Type, span)
			if err != nil {
				return err
			}
			it.Type = id
		}
		stab := it.Stability
		switch it.Kind {
		case WorldType:
			stab = r.Types[it.Type].Stability
		case WorldFunction:
			stab = it.Function.Stability
		}
		if !m.gate(r, stab, pkgID, span) {
			continue
		}
		var err *syntax.Error
		if it.Key.IsInterface {
			if it.Key.Interface, err = m.mapInterface(it.Key.Interface, span); err != nil {
				return err
			}
		}
		switch it.Kind {
		case WorldInterface:
			if it.Interface, err = m.mapInterface(it.Interface, span); err != nil {
				return err
			}
		case WorldFunction:
			if err := m.updateFunction(r, it.Function, span); err != nil {
				return err
			}
		}
		if i < len(imports) {
			w.Imports = append(w.Imports, it)
		} else {
			w.Exports = append(w.Exports, it)
		}
	}
	return nil
}
