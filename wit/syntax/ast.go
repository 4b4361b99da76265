package syntax

// The AST mirrors the WIT grammar one node per construct. Every node records
// exact byte spans so diagnostics, navigation and the printer can point at
// source; comments are kept twice: the run of comments right before an item
// as its Docs (wit-parser's rule: every comment there is documentation), and
// every comment of the file in SourceFile.Comments for the printer.

// Ident is an identifier as written; Name has any leading '%' removed.
type Ident struct {
	Span Span
	Name string
}

// Comment is one `//` or `/* */` comment, Text including its delimiters.
type Comment struct {
	Span Span
	Text string
}

// Docs is the run of comments immediately before an item.
type Docs struct {
	Span     Span
	Comments []*Comment
}

// SourceFile is one parsed .wit file.
type SourceFile struct {
	File     *File
	Package  *PackageDecl // `package a:b@1.0.0;` header, or nil
	Items    []Item       // *Interface, *World, *TopUse, *NestedPackage
	Comments []*Comment   // every comment in source order
	// Broken names the declarations left out of Items because they failed
	// to parse (types, resources, interfaces, worlds whose name was read),
	// so a resolver need not report every use of them as unknown too.
	Broken []*Ident
}

// Version is a semver literal; Text is exactly as written.
type Version struct {
	Span Span
	Text string
}

// PackageName is `ns:name@version` (Version may be nil).
type PackageName struct {
	Span      Span
	Namespace *Ident
	Name      *Ident
	Version   *Version
}

// PackageDecl is the `package ns:name;` header of a file.
type PackageDecl struct {
	Docs Docs
	Span Span // the whole declaration, `package` through `;`
	Name *PackageName
}

// Item is a top-level declaration.
type Item interface {
	item()
	ItemSpan() Span
}

// NestedPackage is `package ns:name { ... }` inside a file.
type NestedPackage struct {
	Docs       Docs
	Attributes []*Attribute // always an error here; kept to report it
	Span       Span
	Name       *PackageName
	Items      []Item
}

// Interface is `interface name { ... }`.
type Interface struct {
	Docs       Docs
	Attributes []*Attribute
	Span       Span
	Name       *Ident
	Items      []InterfaceItem // *TypeDef, *NamedFunc, *Use
}

// World is `world name { ... }`.
type World struct {
	Docs       Docs
	Attributes []*Attribute
	Span       Span
	Name       *Ident
	Items      []WorldItem // *ImportExport, *Use, *TypeDef, *Include
}

// TopUse is a top-level `use path (as name)?;`.
type TopUse struct {
	Attributes []*Attribute
	Span       Span
	Path       *UsePath
	As         *Ident // nil without `as`
}

func (*NestedPackage) item()            {}
func (*Interface) item()                {}
func (*World) item()                    {}
func (*TopUse) item()                   {}
func (n *NestedPackage) ItemSpan() Span { return n.Span }
func (n *Interface) ItemSpan() Span     { return n.Span }
func (n *World) ItemSpan() Span         { return n.Span }
func (n *TopUse) ItemSpan() Span        { return n.Span }

// UsePath names an interface or world: either a bare `name` (Package nil) or
// `ns:pkg/name@version` (the version lives in Package.Version).
type UsePath struct {
	Span    Span
	Package *PackageName
	Name    *Ident
}

// InterfaceItem is an item of an interface body.
type InterfaceItem interface {
	interfaceItem()
	ItemSpan() Span
}

// WorldItem is an item of a world body.
type WorldItem interface {
	worldItem()
	ItemSpan() Span
}

// Use is `use path.{a, b as c};` inside an interface or world.
type Use struct {
	Attributes []*Attribute
	Span       Span
	From       *UsePath
	Names      []*UseName
}

// UseName is one `name (as alias)?` of a Use.
type UseName struct {
	Name *Ident
	As   *Ident // nil without `as`
}

// Include is `include path (with { a as b, ... })?;` in a world.
type Include struct {
	Attributes []*Attribute
	Span       Span
	From       *UsePath
	With       []*IncludeName
}

// IncludeName is one `name as alias` of an include's `with`.
type IncludeName struct {
	Name *Ident
	As   *Ident
}

// ExternKindTag says which form an import or export takes.
type ExternKindTag int

const (
	// ExternPath is `import ns:pkg/iface;` or `import iface;`.
	ExternPath ExternKindTag = iota
	// ExternFunc is `import name: func(...)`.
	ExternFunc
	// ExternInterface is `import name: interface { ... }`.
	ExternInterface
	// ExternNamedPath is `import name: path;` (an import that implements an interface).
	ExternNamedPath
)

// ImportExport is an `import` or `export` item of a world.
type ImportExport struct {
	Docs       Docs
	Attributes []*Attribute
	Span       Span
	Export     bool
	Kind       ExternKindTag
	Name       *Ident          // nil for ExternPath
	Path       *UsePath        // ExternPath, ExternNamedPath
	Func       *Func           // ExternFunc
	Items      []InterfaceItem // ExternInterface
	// Body spans the braces of an inline interface.
	Body Span
}

// NamedFunc is `name: func(...) -> T;` in an interface, or a method,
// static function or constructor of a resource.
type NamedFunc struct {
	Docs       Docs
	Attributes []*Attribute
	Span       Span
	Name       *Ident // `constructor` for constructors
	Func       *Func
}

// FuncKind distinguishes resource functions.
type FuncKind int

const (
	FuncFreestanding FuncKind = iota
	FuncMethod
	FuncStatic
	FuncConstructor
)

// Func is a function type.
type Func struct {
	Span   Span // the `func` keyword (or `constructor`)
	Kind   FuncKind
	Async  bool
	Params []*Param
	Result Type // nil for no result
}

// Param is `name: type`.
type Param struct {
	Name *Ident
	Type Type
}

// TypeDef is a named type: `type x = T;`, record, flags, variant, enum or
// resource. Type holds the definition (a *RecordType for records, ...).
type TypeDef struct {
	Docs       Docs
	Attributes []*Attribute
	Span       Span
	Name       *Ident
	Type       Type
}

func (*TypeDef) interfaceItem()        {}
func (*NamedFunc) interfaceItem()      {}
func (*Use) interfaceItem()            {}
func (*ImportExport) worldItem()       {}
func (*Use) worldItem()                {}
func (*TypeDef) worldItem()            {}
func (*Include) worldItem()            {}
func (n *TypeDef) ItemSpan() Span      { return n.Span }
func (n *NamedFunc) ItemSpan() Span    { return n.Span }
func (n *Use) ItemSpan() Span          { return n.Span }
func (n *ImportExport) ItemSpan() Span { return n.Span }
func (n *Include) ItemSpan() Span      { return n.Span }

// AttributeKind names the gate or annotation.
type AttributeKind int

const (
	AttrSince AttributeKind = iota
	AttrUnstable
	AttrDeprecated
	AttrExternalID
)

// Attribute is `@since(version = X)`, `@unstable(feature = f)`,
// `@deprecated(version = X)` or `@external-id("...")`.
type Attribute struct {
	Span    Span // the attribute's name, like wit-parser reports it
	Full    Span // `@` through `)`
	Kind    AttributeKind
	Version *Version // since, deprecated
	Feature *Ident   // unstable
	Value   string   // external-id, unescaped
}

// Type is a type expression.
type Type interface {
	typeNode()
	TypeSpan() Span
}

// PrimKind enumerates the primitive types.
type PrimKind int

const (
	Bool PrimKind = iota
	U8
	U16
	U32
	U64
	S8
	S16
	S32
	S64
	F32
	F64
	Char
	String
	ErrorContext
)

var primNames = [...]string{"bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "char", "string", "error-context"}

func (k PrimKind) String() string { return primNames[k] }

// Primitive is a built-in scalar type or string.
type Primitive struct {
	Span Span
	Kind PrimKind
}

// NamedType refers to a type by name.
type NamedType struct{ Name *Ident }

// HandleType is `own<r>` or `borrow<r>`.
type HandleType struct {
	Span     Span // the whole `borrow<r>`
	Borrow   bool
	Resource *Ident
}

// ListType is `list<T>` or, with Size set, `list<T, N>`.
type ListType struct {
	Span    Span
	Elem    Type
	Size    uint32
	HasSize bool
	SizeAt  Span
}

// MapType is `map<K, V>`.
type MapType struct {
	Span       Span
	Key, Value Type
}

// OptionType is `option<T>`.
type OptionType struct {
	Span Span
	Elem Type
}

// ResultType is `result`, `result<T>`, `result<_, E>` or `result<T, E>`.
type ResultType struct {
	Span    Span
	Ok, Err Type // nil when absent
}

// TupleType is `tuple<...>`.
type TupleType struct {
	Span  Span
	Types []Type
}

// FutureType is `future` or `future<T>`.
type FutureType struct {
	Span Span
	Elem Type // nil for bare future
}

// StreamType is `stream` or `stream<T>`.
type StreamType struct {
	Span Span
	Elem Type // nil for bare stream
}

// RecordType is a record definition's body.
type RecordType struct {
	Span   Span // braces
	Fields []*Field
}

// Field is a record field.
type Field struct {
	Docs Docs
	Name *Ident
	Type Type
}

// FlagsType is a flags definition's body.
type FlagsType struct {
	Span  Span
	Flags []*Flag
}

// Flag is one flag.
type Flag struct {
	Docs Docs
	Name *Ident
}

// VariantType is a variant definition's body.
type VariantType struct {
	Span  Span
	Cases []*Case
}

// Case is a variant case; Type is nil without a payload.
type Case struct {
	Docs Docs
	Name *Ident
	Type Type
}

// EnumType is an enum definition's body.
type EnumType struct {
	Span  Span
	Cases []*EnumCase
}

// EnumCase is one enum case.
type EnumCase struct {
	Docs Docs
	Name *Ident
}

// ResourceType is a resource definition; Funcs holds constructor, methods
// and static functions in source order. HasBody is false for `resource r;`.
type ResourceType struct {
	Span    Span
	HasBody bool
	Funcs   []*NamedFunc
}

func (*Primitive) typeNode()    {}
func (*NamedType) typeNode()    {}
func (*HandleType) typeNode()   {}
func (*ListType) typeNode()     {}
func (*MapType) typeNode()      {}
func (*OptionType) typeNode()   {}
func (*ResultType) typeNode()   {}
func (*TupleType) typeNode()    {}
func (*FutureType) typeNode()   {}
func (*StreamType) typeNode()   {}
func (*RecordType) typeNode()   {}
func (*FlagsType) typeNode()    {}
func (*VariantType) typeNode()  {}
func (*EnumType) typeNode()     {}
func (*ResourceType) typeNode() {}

func (t *Primitive) TypeSpan() Span    { return t.Span }
func (t *NamedType) TypeSpan() Span    { return t.Name.Span }
func (t *HandleType) TypeSpan() Span   { return t.Span }
func (t *ListType) TypeSpan() Span     { return t.Span }
func (t *MapType) TypeSpan() Span      { return t.Span }
func (t *OptionType) TypeSpan() Span   { return t.Span }
func (t *ResultType) TypeSpan() Span   { return t.Span }
func (t *TupleType) TypeSpan() Span    { return t.Span }
func (t *FutureType) TypeSpan() Span   { return t.Span }
func (t *StreamType) TypeSpan() Span   { return t.Span }
func (t *RecordType) TypeSpan() Span   { return t.Span }
func (t *FlagsType) TypeSpan() Span    { return t.Span }
func (t *VariantType) TypeSpan() Span  { return t.Span }
func (t *EnumType) TypeSpan() Span     { return t.Span }
func (t *ResourceType) TypeSpan() Span { return t.Span }
