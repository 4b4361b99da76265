package wit

import "fmt"

// Merge adds every package of src to r (a package r already has is
// matched, not duplicated: its items are found by name). It returns the ID
// in r of each of src's packages, in src's order. Used for dependencies
// that arrive already resolved, such as WIT packages encoded as wasm.
func (r *Resolve) Merge(src *Resolve) ([]PackageID, error) {
	m := &merger{r: r, src: src}
	if err := m.plan(); err != nil {
		return nil, err
	}
	m.copy()
	return m.pkgs, nil
}

type merger struct {
	r, src *Resolve
	pkgs   []PackageID
	exists []bool // per src package: already in r
	ifaces []InterfaceID
	worlds []WorldID
	types  []TypeID
	newI   []InterfaceID // src interfaces to copy, in order
	newW   []WorldID
	newT   []TypeID
}

func (m *merger) plan() error {
	r, src := m.r, m.src
	nextP := PackageID(len(r.Packages))
	for _, p := range src.Packages {
		if id, ok := r.PackageNames[p.Name.String()]; ok {
			m.pkgs = append(m.pkgs, id)
			m.exists = append(m.exists, true)
			continue
		}
		m.pkgs = append(m.pkgs, nextP)
		m.exists = append(m.exists, false)
		nextP++
	}
	existing := func(p *PackageID) bool { return p != nil && m.exists[*p] }

	nextW := WorldID(len(r.Worlds))
	m.worlds = make([]WorldID, len(src.Worlds))
	for i, w := range src.Worlds {
		if existing(w.Package) {
			id, ok := r.Packages[m.pkgs[*w.Package]].World(w.Name)
			if !ok {
				return fmt.Errorf("package %s has no world %s to merge with", src.Packages[*w.Package].Name, w.Name)
			}
			m.worlds[i] = id
			continue
		}
		m.worlds[i] = nextW
		m.newW = append(m.newW, WorldID(i))
		nextW++
	}

	nextI := InterfaceID(len(r.Interfaces))
	m.ifaces = make([]InterfaceID, len(src.Interfaces))
	for i, iface := range src.Interfaces {
		if existing(iface.Package) {
			if iface.Name == nil {
				return fmt.Errorf("can't merge an anonymous interface of existing package %s", src.Packages[*iface.Package].Name)
			}
			id, ok := r.Packages[m.pkgs[*iface.Package]].Interface(*iface.Name)
			if !ok {
				return fmt.Errorf("package %s has no interface %s to merge with", src.Packages[*iface.Package].Name, *iface.Name)
			}
			m.ifaces[i] = id
			continue
		}
		m.ifaces[i] = nextI
		m.newI = append(m.newI, InterfaceID(i))
		nextI++
	}

	// Types of existing packages are found by name; anonymous types are
	// copied only when something new refers to them (directly or through
	// other types), so a dependency r already has isn't duplicated.
	need := make([]bool, len(src.Types))
	var mark func(t Type)
	mark = func(t Type) {
		if t.Prim != Ref || need[t.ID] {
			return
		}
		need[t.ID] = true
		src.Types[t.ID].EachType(mark)
	}
	markFn := func(f *Function) {
		for _, p := range f.Params {
			mark(p.Type)
		}
		mark(f.Result)
		if f.Kind != Freestanding && f.Kind != AsyncFreestanding {
			mark(TypeRef(f.Resource))
		}
	}
	for _, id := range m.newI {
		for _, nt := range src.Interfaces[id].Types {
			mark(TypeRef(nt.ID))
		}
		for _, f := range src.Interfaces[id].Functions {
			markFn(f)
		}
	}
	for _, id := range m.newW {
		for _, it := range append(append([]*WorldItem(nil), src.Worlds[id].Imports...), src.Worlds[id].Exports...) {
			switch it.Kind {
			case WorldType:
				mark(TypeRef(it.Type))
			case WorldFunction:
				markFn(it.Function)
			}
		}
	}

	nextT := TypeID(len(r.Types))
	m.types = make([]TypeID, len(src.Types))
	for i, t := range src.Types {
		if t.Owner.Kind == OwnerInterface && existing(src.Interfaces[t.Owner.Interface].Package) {
			id, ok := r.Interfaces[m.ifaces[t.Owner.Interface]].Type(t.Name)
			if !ok {
				return fmt.Errorf("interface %s has no type %s to merge with", r.InterfaceName(m.ifaces[t.Owner.Interface]), t.Name)
			}
			m.types[i] = id
			continue
		}
		if t.Owner.Kind == OwnerWorld && existing(src.Worlds[t.Owner.World].Package) {
			found := false
			for _, it := range r.Worlds[m.worlds[t.Owner.World]].Imports {
				if it.Kind == WorldType && r.Types[it.Type].Name == t.Name {
					m.types[i], found = it.Type, true
				}
			}
			if !found {
				return fmt.Errorf("world %s has no type %s to merge with", r.Worlds[m.worlds[t.Owner.World]].Name, t.Name)
			}
			continue
		}
		if t.Owner.Kind == OwnerNone && !need[i] {
			continue
		}
		m.types[i] = nextT
		m.newT = append(m.newT, TypeID(i))
		nextT++
	}
	return nil
}

func (m *merger) ty(t Type) Type {
	if t.Prim == Ref {
		t.ID = m.types[t.ID]
	}
	return t
}

func (m *merger) fn(f *Function) *Function {
	c := f.clone()
	if c.Kind != Freestanding && c.Kind != AsyncFreestanding {
		c.Resource = m.types[c.Resource]
	}
	for i := range c.Params {
		c.Params[i].Type = m.ty(c.Params[i].Type)
	}
	c.Result = m.ty(c.Result)
	return c
}

func (m *merger) pkg(p *PackageID) *PackageID {
	if p == nil {
		return nil
	}
	id := m.pkgs[*p]
	return &id
}

func (m *merger) copy() {
	r, src := m.r, m.src
	for i, p := range src.Packages {
		if m.exists[i] {
			continue
		}
		np := &Package{Name: p.Name, Docs: p.Docs}
		for _, e := range p.Interfaces {
			np.Interfaces = append(np.Interfaces, NamedInterface{e.Name, m.ifaces[e.ID]})
		}
		for _, e := range p.Worlds {
			np.Worlds = append(np.Worlds, NamedWorld{e.Name, m.worlds[e.ID]})
		}
		r.Packages = append(r.Packages, np)
		r.PackageNames[p.Name.String()] = m.pkgs[i]
	}
	for _, id := range m.newT {
		t := src.Types[id].clone()
		switch t.Owner.Kind {
		case OwnerInterface:
			t.Owner.Interface = m.ifaces[t.Owner.Interface]
		case OwnerWorld:
			t.Owner.World = m.worlds[t.Owner.World]
		}
		for i := range t.Fields {
			t.Fields[i].Type = m.ty(t.Fields[i].Type)
		}
		for i := range t.Cases {
			t.Cases[i].Type = m.ty(t.Cases[i].Type)
		}
		for i := range t.Types {
			t.Types[i] = m.ty(t.Types[i])
		}
		t.Elem, t.Key, t.Ok, t.Err = m.ty(t.Elem), m.ty(t.Key), m.ty(t.Ok), m.ty(t.Err)
		if t.Kind == KindOwn || t.Kind == KindBorrow {
			t.Resource = m.types[t.Resource]
		}
		r.Types = append(r.Types, t)
	}
	for _, id := range m.newI {
		s := src.Interfaces[id]
		c := *s
		c.Package = m.pkg(s.Package)
		c.Types = make([]NamedType, len(s.Types))
		for i, nt := range s.Types {
			c.Types[i] = NamedType{nt.Name, m.types[nt.ID]}
		}
		c.Functions = make([]*Function, len(s.Functions))
		for i, f := range s.Functions {
			c.Functions[i] = m.fn(f)
		}
		if s.CloneOf != nil {
			o := m.ifaces[*s.CloneOf]
			c.CloneOf = &o
		}
		r.Interfaces = append(r.Interfaces, &c)
	}
	for _, id := range m.newW {
		s := src.Worlds[id]
		c := *s
		c.Package = m.pkg(s.Package)
		items := func(in []*WorldItem) []*WorldItem {
			out := make([]*WorldItem, len(in))
			for i, it := range in {
				n := it.clone()
				if n.Key.IsInterface {
					n.Key.Interface = m.ifaces[n.Key.Interface]
				}
				switch n.Kind {
				case WorldInterface:
					n.Interface = m.ifaces[n.Interface]
				case WorldType:
					n.Type = m.types[n.Type]
				case WorldFunction:
					n.Function = m.fn(it.Function)
				}
				out[i] = n
			}
			return out
		}
		c.Imports, c.Exports, c.Includes = items(s.Imports), items(s.Exports), nil
		r.Worlds = append(r.Worlds, &c)
	}
}
