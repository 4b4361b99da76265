package component

import (
	"fmt"

	"github.com/bigband-dev/bigband/wit"
)

// decoder holds what the whole component tree shares.
type decoder struct {
	r         *reader
	res       *wit.Resolve
	resources map[wit.TypeID]*Resource
	// budget bounds TypeDefs created by substitution on instantiation, so
	// that many instantiations of a type-heavy component cannot explode.
	budget  int
	depths  []uint16 // nesting depth of each TypeDef of res
	borrows []bool   // whether each TypeDef of res contains a borrow

	modExports map[*CoreModuleType]map[string]CoreExternKind
}

// scope is a component, component type or instance type being decoded:
// the index spaces that outer aliases and type references see.
type scope struct {
	parent *scope
	comp   *Component // nil for a component or instance type
	depth  int

	types       []Type
	coreTypes   []CoreType
	instances   []*InstanceType
	components  []*ComponentType
	funcs       []*wit.Function
	coreModules []*CoreModuleType
	coreInsts   []*coreInstance // component scopes only

	// Component and instance types collect their imports and exports.
	imports, exports []Extern
	importNames      map[string]bool
	exportNames      map[string]bool
}

// coreInstance records what a core instance exports, when known, to check
// core export aliases.
type coreInstance struct {
	exports map[string]CoreExternKind // nil: unknown (an imported module type without exports is still known)
}

func newScope(parent *scope, comp *Component) *scope {
	s := &scope{parent: parent, comp: comp, importNames: map[string]bool{}, exportNames: map[string]bool{}}
	if parent != nil {
		s.depth = parent.depth + 1
	}
	return s
}

// outer returns the scope count levels out.
func (d *decoder) outer(s *scope, count uint32) *scope {
	t := s
	for i := uint32(0); i < count && t != nil; i++ {
		t = t.parent
	}
	if t == nil {
		d.r.fail("outer alias count %d exceeds the %d enclosing scopes", count, s.depth)
	}
	return t
}

// typeAt returns type i of s, failing on a bad index.
func (d *decoder) typeAt(s *scope, i uint32) (Type, bool) {
	if !d.r.ok() {
		return Type{}, false
	}
	if int64(i) >= int64(len(s.types)) {
		d.r.fail("type index %d out of range (%d types defined)", i, len(s.types))
		return Type{}, false
	}
	return s.types[i], true
}

func (d *decoder) typeOfKind(s *scope, i uint32, k TypeKind) (Type, bool) {
	t, ok := d.typeAt(s, i)
	if ok && t.Kind != k {
		d.r.fail("type index %d is a %s, not a %s", i, t.Kind, k)
		return Type{}, false
	}
	return t, ok
}

func (d *decoder) coreTypeAt(s *scope, i uint32) (CoreType, bool) {
	if !d.r.ok() {
		return CoreType{}, false
	}
	if int64(i) >= int64(len(s.coreTypes)) {
		d.r.fail("core type index %d out of range (%d core types defined)", i, len(s.coreTypes))
		return CoreType{}, false
	}
	return s.coreTypes[i], true
}

// checkIndex fails unless i is a valid index of sort srt in component scope s.
func (d *decoder) checkIndex(s *scope, srt Sort, i uint32) bool {
	if !d.r.ok() {
		return false
	}
	n := d.spaceLen(s, srt)
	if int64(i) >= int64(n) {
		d.r.fail("%s index %d out of range (%d defined)", srt, i, n)
		return false
	}
	return true
}

func (d *decoder) spaceLen(s *scope, srt Sort) int {
	switch srt {
	case SortType:
		return len(s.types)
	case SortCoreType:
		return len(s.coreTypes)
	case SortInstance:
		return len(s.instances)
	case SortComponent:
		return len(s.components)
	case SortFunc:
		return len(s.funcs)
	case SortCoreModule:
		return len(s.coreModules)
	}
	if s.comp != nil {
		return len(s.comp.Spaces[srt])
	}
	return 0
}

// newTypeDef adds a TypeDef to the shared Resolve.
func (d *decoder) newTypeDef(t *wit.TypeDef) wit.TypeID {
	depth, borrow := 0, t.Kind == wit.KindBorrow
	t.EachType(func(c wit.Type) {
		if c.Prim == wit.Ref && int(c.ID) < len(d.depths) && int(d.depths[c.ID]) >= depth {
			depth = int(d.depths[c.ID]) + 1
		}
		borrow = borrow || d.hasBorrow(c)
	})
	if depth > maxTypeDepth {
		d.r.fail("value types nested more than %d deep", maxTypeDepth)
		depth = maxTypeDepth
	}
	d.res.Types = append(d.res.Types, t)
	d.depths = append(d.depths, uint16(depth))
	d.borrows = append(d.borrows, borrow)
	return wit.TypeID(len(d.res.Types) - 1)
}

// newResource creates a resource type named name.
func (d *decoder) newResource(name string, s *scope, defined bool) *Resource {
	id := d.newTypeDef(&wit.TypeDef{Name: name, Kind: wit.KindResource})
	res := &Resource{ID: id, Defined: defined, TypeName: name}
	if s != nil {
		res.Scope = s.comp
	}
	d.resources[id] = res
	return res
}

// resourceOf finds the Resource a resource-typed wit.Type refers to.
func (d *decoder) resourceOf(t wit.Type) *Resource {
	u := Underlying(d.res, t)
	if u.Prim != wit.Ref {
		return nil
	}
	return d.resources[u.ID]
}

// namedAlias creates the new type index an eq-bound import/export or a
// type export mints: a named alias of t, keeping the identity distinct like
// the component model does.
func (d *decoder) namedAlias(name string, t Type) Type {
	switch t.Kind {
	case TypeValue, TypeResource:
		id := d.newTypeDef(&wit.TypeDef{Name: name, Kind: wit.KindAlias, Elem: t.Value})
		if t.Resource != nil && t.Resource.Defined && d.res.Types[t.Resource.ID].Name == "" {
			// A defined resource is known by the first name it is given.
			d.res.Types[t.Resource.ID].Name = name
			t.Resource.TypeName = name
		}
		return Type{Kind: t.Kind, Value: wit.TypeRef(id), Resource: t.Resource}
	}
	return t
}

// mint adds an item described by desc to the typed index space of its sort.
func (s *scope) mint(desc ExternDesc) {
	switch desc.Sort {
	case SortType:
		s.types = append(s.types, desc.Type)
	case SortFunc:
		s.funcs = append(s.funcs, desc.Func)
	case SortInstance:
		s.instances = append(s.instances, desc.Instance)
	case SortComponent:
		s.components = append(s.components, desc.Component)
	case SortCoreModule:
		s.coreModules = append(s.coreModules, desc.CoreModule)
	}
}

// push appends a definition to a component scope and records the index it
// mints; the caller has set the def's index to the current space length.
func (s *scope) push(def Def) {
	c := s.comp
	srt, idx := def.Minted()
	if int(idx) != len(c.Spaces[srt]) {
		panic(fmt.Sprintf("component: internal error: %s index %d minted out of order", srt, idx))
	}
	c.Spaces[srt] = append(c.Spaces[srt], len(c.Defs))
	c.Defs = append(c.Defs, def)
}

func (s *scope) next(srt Sort) uint32 { return uint32(len(s.comp.Spaces[srt])) }
