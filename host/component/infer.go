package component

import "github.com/bigband-dev/bigband/wit"

// maxTypeDepth caps how deeply value types nest, so that every recursive
// walk over them (here, in the canonical ABI, in printers) stays shallow.
const maxTypeDepth = 500

// instantiate computes the type of an instance of ct: its exports, with
// every abstract resource the component imports replaced by the resource
// the arguments supply.
func (d *decoder) instantiate(s *scope, ct *ComponentType, args []InstantiateArg, off int) *InstanceType {
	r := d.r
	subst := map[wit.TypeID]wit.TypeID{}
	byName := make(map[string]*InstantiateArg, len(args))
	for i := range args {
		byName[args[i].Name] = &args[i]
	}
	for _, imp := range ct.Imports {
		arg := byName[imp.Name.Name]
		if arg == nil {
			r.failAt(off, "instantiate: no argument for import %q", imp.Name.Name)
			return nil
		}
		if arg.Sort != imp.Desc.Sort {
			r.failAt(off, "instantiate: argument %q is a %s, the import wants a %s", arg.Name, arg.Sort, imp.Desc.Sort)
			return nil
		}
		d.bind(arg.Name, imp.Desc, d.itemDesc(s, arg.Sort, arg.Index), subst, off, 0)
		if !r.ok() {
			return nil
		}
	}
	if len(subst) == 0 {
		return newInstanceType(ct.Exports)
	}
	x := &substituter{d: d, m: subst, memo: map[wit.TypeID]wit.TypeID{}, insts: map[*InstanceType]*InstanceType{}}
	return newInstanceType(x.externs(ct.Exports))
}

// bind records in subst which resources the argument got supplies for the
// abstract resources of the import type want.
func (d *decoder) bind(arg string, want, got ExternDesc, subst map[wit.TypeID]wit.TypeID, off, depth int) {
	r := d.r
	if depth > maxDepth {
		r.failAt(off, "instantiate: argument %q: instance types nested too deep", arg)
		return
	}
	switch want.Sort {
	case SortType:
		if want.Bound != BoundSubResource || want.Type.Resource == nil {
			return
		}
		if got.Type.Kind != TypeResource || got.Type.Resource == nil {
			r.failAt(off, "instantiate: argument %q: want a resource, got a %s", arg, got.Type.Kind)
			return
		}
		subst[want.Type.Resource.ID] = got.Type.Resource.ID
		if res := got.Type.Resource; res.Defined && d.res.Types[res.ID].Name == "" {
			// wit-component passes a defined resource as `import-type-<name>`.
			name := want.Name()
			if len(name) > len("import-type-") && name[:len("import-type-")] == "import-type-" {
				name = name[len("import-type-"):]
			}
			d.res.Types[res.ID].Name = name
			res.TypeName = name
		}
	case SortInstance:
		if want.Instance == nil || got.Instance == nil {
			return
		}
		for _, e := range want.Instance.Exports {
			g := got.Instance.Export(e.Name.Name)
			if g == nil || g.Desc.Sort != e.Desc.Sort {
				r.failAt(off, "instantiate: argument %q has no %s export %q", arg, e.Desc.Sort, e.Name.Name)
				return
			}
			d.bind(arg, e.Desc, g.Desc, subst, off, depth+1)
		}
	}
}

// Name is the name of the abstract resource a (sub resource) type bound
// declares, "" otherwise.
func (e ExternDesc) Name() string {
	if e.Type.Resource != nil {
		return e.Type.Resource.TypeName
	}
	return ""
}

// substituter rewrites types with some resources replaced, copying only
// what changes.
type substituter struct {
	d     *decoder
	m     map[wit.TypeID]wit.TypeID
	memo  map[wit.TypeID]wit.TypeID
	insts map[*InstanceType]*InstanceType
}

func (x *substituter) spend() bool {
	x.d.budget--
	if x.d.budget < 0 {
		x.d.r.fail("instantiation creates too many types")
		return false
	}
	return true
}

func (x *substituter) typ(t wit.Type) wit.Type {
	if t.Prim != wit.Ref {
		return t
	}
	return wit.TypeRef(x.id(t.ID))
}

func (x *substituter) id(id wit.TypeID) wit.TypeID {
	if n, ok := x.m[id]; ok {
		return n
	}
	if n, ok := x.memo[id]; ok {
		return n
	}
	x.memo[id] = id
	def := x.d.res.Types[id]
	if def.Kind == wit.KindResource {
		return id
	}
	changed := false
	sub := func(t wit.Type) wit.Type {
		n := x.typ(t)
		if n != t {
			changed = true
		}
		return n
	}
	c := *def
	c.Fields = make([]wit.Field, len(def.Fields))
	for i, f := range def.Fields {
		f.Type = sub(f.Type)
		c.Fields[i] = f
	}
	c.Cases = make([]wit.Case, len(def.Cases))
	for i, k := range def.Cases {
		k.Type = sub(k.Type)
		c.Cases[i] = k
	}
	c.Types = make([]wit.Type, len(def.Types))
	for i, t := range def.Types {
		c.Types[i] = sub(t)
	}
	c.Elem, c.Key, c.Ok, c.Err = sub(def.Elem), sub(def.Key), sub(def.Ok), sub(def.Err)
	if def.Kind == wit.KindOwn || def.Kind == wit.KindBorrow {
		if n := x.id(def.Resource); n != def.Resource {
			c.Resource = n
			changed = true
		}
	}
	if !changed || !x.spend() {
		return id
	}
	n := x.d.newTypeDef(&c)
	x.memo[id] = n
	return n
}

func (x *substituter) fn(f *wit.Function) *wit.Function {
	if f == nil {
		return nil
	}
	g := *f
	changed := false
	g.Params = make([]wit.Param, len(f.Params))
	for i, p := range f.Params {
		n := x.typ(p.Type)
		changed = changed || n != p.Type
		p.Type = n
		g.Params[i] = p
	}
	g.Result = x.typ(f.Result)
	if !changed && g.Result == f.Result {
		return f
	}
	return &g
}

func (x *substituter) typeEntry(t Type) Type {
	switch t.Kind {
	case TypeValue, TypeResource:
		t.Value = x.typ(t.Value)
		if t.Kind == TypeResource {
			t.Resource = x.d.resourceOf(t.Value)
		}
	case TypeFunc:
		t.Func = x.fn(t.Func)
	case TypeInstance:
		t.Instance = x.inst(t.Instance)
	case TypeComponent:
		t.Component = x.comp(t.Component)
	}
	return t
}

func (x *substituter) desc(e ExternDesc) ExternDesc {
	switch e.Sort {
	case SortFunc:
		e.Func = x.fn(e.Func)
	case SortType:
		e.Type = x.typeEntry(e.Type)
	case SortInstance:
		e.Instance = x.inst(e.Instance)
	case SortComponent:
		e.Component = x.comp(e.Component)
	}
	return e
}

func (x *substituter) externs(in []Extern) []Extern {
	out := make([]Extern, len(in))
	for i, e := range in {
		if !x.spend() {
			return out[:i]
		}
		out[i] = Extern{Name: e.Name, Desc: x.desc(e.Desc)}
	}
	return out
}

func (x *substituter) inst(t *InstanceType) *InstanceType {
	if t == nil {
		return nil
	}
	if n, ok := x.insts[t]; ok {
		return n
	}
	n := newInstanceType(x.externs(t.Exports))
	x.insts[t] = n
	return n
}

func (x *substituter) comp(t *ComponentType) *ComponentType {
	if t == nil {
		return nil
	}
	return &ComponentType{Imports: x.externs(t.Imports), Exports: x.externs(t.Exports)}
}
