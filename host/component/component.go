// Package component decodes WebAssembly component binaries (and core
// modules carrying component-type metadata) into a form an interpreter can
// execute directly: per component scope, its definitions in binary order and
// the resulting index spaces. Component-level types are expressed in the
// project's one type model, package wit: value types and resources become
// TypeDefs of a wit.Resolve owned by the decoded Component, function types
// are *wit.Function values.
//
// The decoder validates structure, indices and sorts; it does not check type
// equality of instantiation arguments or export ascriptions (the runtime
// matches imports by name and type when it links).
package component

import (
	"fmt"

	"github.com/bigband-dev/bigband/wit"
)

// Sort names an index space.
type Sort uint8

const (
	SortCoreFunc Sort = iota
	SortCoreTable
	SortCoreMemory
	SortCoreGlobal
	SortCoreTag
	SortCoreType
	SortCoreModule
	SortCoreInstance
	SortFunc
	SortValue
	SortType
	SortComponent
	SortInstance
	numSorts
)

var sortNames = [...]string{"core func", "core table", "core memory", "core global", "core tag", "core type", "core module", "core instance", "func", "value", "type", "component", "instance"}

func (s Sort) String() string {
	if int(s) < len(sortNames) {
		return sortNames[s]
	}
	return fmt.Sprintf("sort(%d)", uint8(s))
}

// IsCore reports whether s is one of the core sorts.
func (s Sort) IsCore() bool { return s <= SortCoreInstance }

// Component is one component scope: the top-level component or a nested one.
type Component struct {
	// Offset and End delimit the component's bytes in the top-level input.
	Offset, End int
	// Defs are the definitions in binary order; executing them in order
	// instantiates the component.
	Defs []Def
	// Imports and Exports point into Defs, in order.
	Imports []*Import
	Exports []*Export
	// Customs are the custom sections of this scope.
	Customs []Custom

	// Spaces maps every index of every sort to the position in Defs of the
	// definition that minted it.
	Spaces [numSorts][]int

	// Typed views of some index spaces, parallel to Spaces.
	Types       []Type            // SortType
	CoreTypes   []CoreType        // SortCoreType
	Funcs       []*wit.Function   // SortFunc: each function's type
	Instances   []*InstanceType   // SortInstance: each instance's (inferred) type
	Components  []*ComponentType  // SortComponent
	CoreModules []*CoreModuleType // SortCoreModule: imports/exports when known

	// Resolve holds every value type and resource of the whole component
	// tree (nested components share it).
	Resolve *wit.Resolve
	// Resources describes every KindResource TypeDef of Resolve.
	Resources map[wit.TypeID]*Resource

	Parent *Component // nil at the top level
	depth  int
}

// Len reports the size of an index space.
func (c *Component) Len(s Sort) int { return len(c.Spaces[s]) }

// Def returns the definition that minted index i of sort s.
func (c *Component) Def(s Sort, i uint32) (Def, error) {
	if s >= numSorts || int64(i) >= int64(len(c.Spaces[s])) {
		return nil, fmt.Errorf("%s index %d out of range (%d defined)", s, i, c.Len(s))
	}
	return c.Defs[c.Spaces[s][i]], nil
}

// Custom is a custom section.
type Custom struct {
	Name   string
	Data   []byte
	Offset int
}

// Resource is a resource type: defined in a component (Rep and Dtor set)
// or abstract (imported, or declared `(sub resource)` in a type).
type Resource struct {
	ID       wit.TypeID // the KindResource TypeDef
	Defined  bool
	Rep      ValType // defined: the core representation (i32)
	Dtor     *uint32 // defined: optional destructor core func index
	Scope    *Component
	TypeName string // the declaring import/export name, or the first name given to a defined resource
}

// ExternName is an import or export name with its attributes.
type ExternName struct {
	Name          string
	Implements    string // `implements` attribute, "" when absent
	VersionSuffix string
	ExternalID    string
	Legacy        bool // encoded with the pre-2023 0x01 "interface name" prefix
}

// TypeBound is the bound of an imported or exported type.
type TypeBound uint8

const (
	BoundEq TypeBound = iota
	BoundSubResource
)

// ExternDesc is the type of an import or export.
type ExternDesc struct {
	Sort      Sort   // SortCoreModule, SortFunc, SortValue, SortType, SortComponent, SortInstance
	TypeIndex uint32 // type (core type for modules) index named by the binary; for BoundEq the referenced type

	Func       *wit.Function   // SortFunc
	Instance   *InstanceType   // SortInstance
	Component  *ComponentType  // SortComponent
	CoreModule *CoreModuleType // SortCoreModule
	Bound      TypeBound       // SortType
	Type       Type            // SortType: the type this import/export mints
}

// Extern is one import or export of a component or instance type.
type Extern struct {
	Name ExternName
	Desc ExternDesc
}

// InstanceType is the type of a component instance: its exports.
type InstanceType struct {
	Exports []Extern
	byName  map[string]int
}

func newInstanceType(exports []Extern) *InstanceType {
	t := &InstanceType{Exports: exports}
	if len(exports) > 8 {
		t.byName = make(map[string]int, len(exports))
		for i, e := range exports {
			t.byName[e.Name.Name] = i
		}
	}
	return t
}

// Export looks up an export by name.
func (t *InstanceType) Export(name string) *Extern {
	if t == nil {
		return nil
	}
	if t.byName != nil {
		if i, ok := t.byName[name]; ok {
			return &t.Exports[i]
		}
		return nil
	}
	for i := range t.Exports {
		if t.Exports[i].Name.Name == name {
			return &t.Exports[i]
		}
	}
	return nil
}

// ComponentType is the type of a component: its imports and exports.
type ComponentType struct {
	Imports []Extern
	Exports []Extern
}

// TypeKind tags a Type.
type TypeKind uint8

const (
	TypeValue     TypeKind = iota // a value type: Value
	TypeResource                  // a resource: Value refers to it (possibly through named aliases), Resource describes it
	TypeFunc                      // Func
	TypeComponent                 // Component
	TypeInstance                  // Instance
)

var typeKindNames = [...]string{"value type", "resource type", "func type", "component type", "instance type"}

func (k TypeKind) String() string { return typeKindNames[k] }

// Type is an entry of a component's type index space.
type Type struct {
	Kind      TypeKind
	Value     wit.Type // TypeValue, TypeResource
	Resource  *Resource
	Func      *wit.Function
	Component *ComponentType
	Instance  *InstanceType
}

// Underlying follows named aliases (KindAlias TypeDefs) to the type they name.
func Underlying(r *wit.Resolve, t wit.Type) wit.Type {
	for i := 0; t.Prim == wit.Ref && i < len(r.Types); i++ {
		d := r.Types[t.ID]
		if d.Kind != wit.KindAlias {
			return t
		}
		t = d.Elem
	}
	return t
}
