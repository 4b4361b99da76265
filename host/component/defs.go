package component

import "github.com/bigband-dev/bigband/wit"

// Def is one definition of a component scope. The set is closed: the
// concrete types below are all there is. Index fields name the index the
// definition mints in its sort's space.
type Def interface {
	// Minted reports the sort and index the definition adds.
	Minted() (Sort, uint32)
	isDef()
}

// CoreModuleDef is an embedded core module (section 1).
type CoreModuleDef struct {
	Index  uint32
	Offset int    // offset of the module's bytes in the top-level input
	Bytes  []byte // the module, sharing the input's memory
	Type   *CoreModuleType
}

// CoreInstantiate instantiates a core module (section 2, 0x00).
type CoreInstantiate struct {
	Index  uint32 // core instance
	Module uint32
	Args   []CoreInstantiateArg
}

// CoreInstantiateArg supplies core instance Instance for import module Name.
type CoreInstantiateArg struct {
	Name     string
	Instance uint32
}

// CoreInlineExports builds a core instance from existing items (section 2, 0x01).
type CoreInlineExports struct {
	Index   uint32 // core instance
	Exports []CoreInlineExport
}

// CoreInlineExport is one item of a CoreInlineExports.
type CoreInlineExport struct {
	Name  string
	Sort  Sort // a core sort
	Index uint32
}

// CoreTypeDef defines a core type (section 3).
type CoreTypeDef struct {
	Index uint32
	Type  CoreType
}

// NestedComponent defines a component inside this one (section 4).
type NestedComponent struct {
	Index     uint32
	Component *Component
}

// Instantiate instantiates a component (section 5, 0x00).
type Instantiate struct {
	Index     uint32 // instance
	Component uint32
	Args      []InstantiateArg
}

// InstantiateArg supplies item (Sort, Index) for the import named Name.
type InstantiateArg struct {
	Name  string
	Sort  Sort
	Index uint32
}

// InlineExports builds an instance from existing items (section 5, 0x01).
type InlineExports struct {
	Index   uint32 // instance
	Exports []InlineExport
}

// InlineExport is one item of an InlineExports.
type InlineExport struct {
	Name  ExternName
	Sort  Sort
	Index uint32
}

// AliasExport aliases export Name of instance Instance (section 6, 0x00).
type AliasExport struct {
	Sort     Sort
	Index    uint32 // minted
	Instance uint32
	Name     string
}

// AliasCoreExport aliases export Name of core instance Instance (section 6, 0x01).
type AliasCoreExport struct {
	Sort     Sort // a core sort
	Index    uint32
	Instance uint32
	Name     string
}

// AliasOuter aliases index Target of the scope Count levels out (section 6, 0x02).
type AliasOuter struct {
	Sort   Sort // core module, core type, type or component
	Index  uint32
	Count  uint32
	Target uint32
}

// TypeDef defines a component type (section 7).
type TypeDef struct {
	Index uint32
	Type  Type
}

// StringEncoding is a canon option.
type StringEncoding uint8

const (
	UTF8 StringEncoding = iota
	UTF16
	Latin1UTF16
)

func (e StringEncoding) String() string {
	return [...]string{"utf8", "utf16", "latin1+utf16"}[e]
}

// CanonOptions are the options of a canon lift or lower.
type CanonOptions struct {
	StringEncoding StringEncoding
	Memory         *uint32 // core memory index
	Realloc        *uint32 // core func index
	PostReturn     *uint32 // core func index
}

// CanonLift lifts core func CoreFunc to a component func of type Type (section 8, 0x00).
type CanonLift struct {
	Index     uint32 // func
	CoreFunc  uint32
	Options   CanonOptions
	TypeIndex uint32
	Type      *wit.Function
}

// CanonLower lowers component func Func to a core func (section 8, 0x01).
type CanonLower struct {
	Index   uint32 // core func
	Func    uint32
	Options CanonOptions
	Type    *wit.Function // Func's type
}

// ResourceNew is `canon resource.new` (section 8, 0x02).
type ResourceNew struct {
	Index     uint32 // core func
	TypeIndex uint32
	Resource  *Resource
}

// ResourceDrop is `canon resource.drop` (section 8, 0x03).
type ResourceDrop struct {
	Index     uint32
	TypeIndex uint32
	Resource  *Resource
}

// ResourceRep is `canon resource.rep` (section 8, 0x04).
type ResourceRep struct {
	Index     uint32
	TypeIndex uint32
	Resource  *Resource
}

// Import is an import (section 10).
type Import struct {
	Index uint32 // in Desc.Sort's space
	Name  ExternName
	Desc  ExternDesc
}

// Export is an export (section 11). Like an alias it mints a new index.
type Export struct {
	Index    uint32 // minted in Sort's space
	Name     ExternName
	Sort     Sort
	Target   uint32      // the exported item
	Ascribed *ExternDesc // the optional type given in the binary
	Desc     ExternDesc  // the export's type: Ascribed, or inferred from the item
}

func (d *CoreModuleDef) Minted() (Sort, uint32)     { return SortCoreModule, d.Index }
func (d *CoreInstantiate) Minted() (Sort, uint32)   { return SortCoreInstance, d.Index }
func (d *CoreInlineExports) Minted() (Sort, uint32) { return SortCoreInstance, d.Index }
func (d *CoreTypeDef) Minted() (Sort, uint32)       { return SortCoreType, d.Index }
func (d *NestedComponent) Minted() (Sort, uint32)   { return SortComponent, d.Index }
func (d *Instantiate) Minted() (Sort, uint32)       { return SortInstance, d.Index }
func (d *InlineExports) Minted() (Sort, uint32)     { return SortInstance, d.Index }
func (d *AliasExport) Minted() (Sort, uint32)       { return d.Sort, d.Index }
func (d *AliasCoreExport) Minted() (Sort, uint32)   { return d.Sort, d.Index }
func (d *AliasOuter) Minted() (Sort, uint32)        { return d.Sort, d.Index }
func (d *TypeDef) Minted() (Sort, uint32)           { return SortType, d.Index }
func (d *CanonLift) Minted() (Sort, uint32)         { return SortFunc, d.Index }
func (d *CanonLower) Minted() (Sort, uint32)        { return SortCoreFunc, d.Index }
func (d *ResourceNew) Minted() (Sort, uint32)       { return SortCoreFunc, d.Index }
func (d *ResourceDrop) Minted() (Sort, uint32)      { return SortCoreFunc, d.Index }
func (d *ResourceRep) Minted() (Sort, uint32)       { return SortCoreFunc, d.Index }
func (d *Import) Minted() (Sort, uint32)            { return d.Desc.Sort, d.Index }
func (d *Export) Minted() (Sort, uint32)            { return d.Sort, d.Index }

func (*CoreModuleDef) isDef()     {}
func (*CoreInstantiate) isDef()   {}
func (*CoreInlineExports) isDef() {}
func (*CoreTypeDef) isDef()       {}
func (*NestedComponent) isDef()   {}
func (*Instantiate) isDef()       {}
func (*InlineExports) isDef()     {}
func (*AliasExport) isDef()       {}
func (*AliasCoreExport) isDef()   {}
func (*AliasOuter) isDef()        {}
func (*TypeDef) isDef()           {}
func (*CanonLift) isDef()         {}
func (*CanonLower) isDef()        {}
func (*ResourceNew) isDef()       {}
func (*ResourceDrop) isDef()      {}
func (*ResourceRep) isDef()       {}
func (*Import) isDef()            {}
func (*Export) isDef()            {}
