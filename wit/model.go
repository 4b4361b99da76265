// Package wit is the project's single type model for WIT: packages,
// interfaces, worlds, types and functions, resolved and cross-referenced by
// index. The resolver fills it from source (see Load), the host fills it from
// component binaries, and everyone else (canonical ABI, contract checks, the
// language server) reads it.
//
// The shape follows wit-parser's Resolve on purpose: arenas indexed by ID,
// items in definition order. That makes JSON output byte-compatible with
// `wasm-tools component wit -j` and lets other tools consume ours.
package wit

import "github.com/bigband-dev/bigband/wit/syntax"

// Version is a semantic version.
type Version = syntax.Semver

// IDs index the Resolve's arenas.
type (
	TypeID      int
	InterfaceID int
	WorldID     int
	PackageID   int
)

// Resolve holds every package that has been loaded, in dependency order.
type Resolve struct {
	Worlds     []*World
	Interfaces []*Interface
	Types      []*TypeDef
	Packages   []*Package

	// PackageNames maps a package's full name (with version) to its ID.
	PackageNames map[string]PackageID
	// Features enables `@unstable(feature = ...)` items; AllFeatures enables all.
	Features    map[string]bool
	AllFeatures bool

	// Files holds the sources spans refer to.
	Files *syntax.FileSet
}

// Package is one resolved package.
type Package struct {
	Name       PackageName
	Docs       Docs
	Interfaces []NamedInterface // in definition order
	Worlds     []NamedWorld
}

// NamedInterface is an entry of Package.Interfaces.
type NamedInterface struct {
	Name string
	ID   InterfaceID
}

// NamedWorld is an entry of Package.Worlds.
type NamedWorld struct {
	Name string
	ID   WorldID
}

// Interface looks up an interface of p by name.
func (p *Package) Interface(name string) (InterfaceID, bool) {
	for _, e := range p.Interfaces {
		if e.Name == name {
			return e.ID, true
		}
	}
	return 0, false
}

// World looks up a world of p by name.
func (p *Package) World(name string) (WorldID, bool) {
	for _, e := range p.Worlds {
		if e.Name == name {
			return e.ID, true
		}
	}
	return 0, false
}

// PackageName is `namespace:name@version`.
type PackageName struct {
	Namespace string
	Name      string
	Version   *Version // nil when unversioned
}

// String renders the name as WIT writes it.
func (n PackageName) String() string {
	s := n.Namespace + ":" + n.Name
	if n.Version != nil {
		s += "@" + n.Version.String()
	}
	return s
}

// InterfaceID renders `namespace:name/iface@version`, the name an interface
// is imported and exported under.
func (n PackageName) InterfaceID(iface string) string {
	s := n.Namespace + ":" + n.Name + "/" + iface
	if n.Version != nil {
		s += "@" + n.Version.String()
	}
	return s
}

// Docs is an item's documentation; Contents is nil when there is none (an
// empty doc comment gives a non-nil empty string).
type Docs struct {
	Contents *string
}

// StabilityKind says whether an item is gated.
type StabilityKind int

const (
	StabilityUnknown StabilityKind = iota
	StabilityUnstable
	StabilityStable
)

// Stability is an item's feature gate.
type Stability struct {
	Kind       StabilityKind
	Feature    string   // unstable
	Since      *Version // stable
	Deprecated *Version // either, optional
}

// Interface is a named or anonymous (world-inline) interface.
type Interface struct {
	Name      *string // nil for an inline interface of a world
	Types     []NamedType
	Functions []*Function
	Docs      Docs
	Stability Stability
	Package   *PackageID // nil only for interfaces not yet placed in a package
	CloneOf   *InterfaceID
	Span      syntax.Span
}

// NamedType is an entry of Interface.Types or world type imports.
type NamedType struct {
	Name string
	ID   TypeID
}

// Type looks up a type of i by name.
func (i *Interface) Type(name string) (TypeID, bool) {
	for _, t := range i.Types {
		if t.Name == name {
			return t.ID, true
		}
	}
	return 0, false
}

// Function looks up a function of i by name.
func (i *Interface) Function(name string) *Function {
	for _, f := range i.Functions {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// World is a set of imports and exports.
type World struct {
	Name      string
	Imports   []*WorldItem
	Exports   []*WorldItem
	Package   *PackageID
	Docs      Docs
	Stability Stability
	Includes  []WorldInclude // consumed when the world is elaborated
	Span      syntax.Span
}

// WorldInclude records an `include` before elaboration.
type WorldInclude struct {
	Stability Stability
	World     WorldID
	Names     []IncludeName
	Span      syntax.Span
}

// IncludeName is one `name as alias` of an include.
type IncludeName struct {
	Name, As string
}

// WorldKey names an import or export: a plain name, or an interface
// (imported or exported under its full interface name).
type WorldKey struct {
	Name      string // set when IsInterface is false
	Interface InterfaceID
	// IsInterface selects Interface as the key.
	IsInterface bool
}

// WorldItemKind tags a WorldItem.
type WorldItemKind int

const (
	WorldInterface WorldItemKind = iota
	WorldFunction
	WorldType
)

// WorldItem is one import or export of a world.
type WorldItem struct {
	Key        WorldKey
	Kind       WorldItemKind
	Interface  InterfaceID // WorldInterface
	Function   *Function   // WorldFunction
	Type       TypeID      // WorldType
	Stability  Stability   // WorldInterface (functions and types carry their own)
	ExternalID string      // WorldInterface; "" when absent
	Docs       Docs        // WorldInterface
	Span       syntax.Span
}

// TypeDefKind tags a TypeDef.
type TypeDefKind int

const (
	KindRecord TypeDefKind = iota
	KindResource
	KindOwn
	KindBorrow
	KindFlags
	KindTuple
	KindVariant
	KindEnum
	KindOption
	KindResult
	KindList
	KindMap
	KindFixedList
	KindFuture
	KindStream
	KindAlias // `type x = T`
	KindUnknown
)

var kindNames = [...]string{"record", "resource", "own", "borrow", "flags", "tuple", "variant", "enum", "option", "result", "list", "map", "fixed-length list", "future", "stream", "type", "unknown"}

func (k TypeDefKind) String() string { return kindNames[k] }

// OwnerKind tags an Owner.
type OwnerKind int

const (
	OwnerNone OwnerKind = iota
	OwnerWorld
	OwnerInterface
)

// Owner is where a named type was defined.
type Owner struct {
	Kind      OwnerKind
	World     WorldID
	Interface InterfaceID
}

// TypeDef is a named or anonymous type. Only the fields of its Kind are set.
type TypeDef struct {
	Name      string // "" for anonymous types
	Kind      TypeDefKind
	Owner     Owner
	Docs      Docs
	Stability Stability
	Span      syntax.Span

	Fields     []Field    // record
	Flags      []Flag     // flags
	Cases      []Case     // variant
	Enum       []EnumCase // enum
	Types      []Type     // tuple
	Elem       Type       // option, list, fixed list, future/stream (may be None), alias, map value
	Key        Type       // map key
	Ok, Err    Type       // result (either may be None)
	Size       uint32     // fixed list
	Resource   TypeID     // own, borrow
	ExternalID string     // "" when absent
}

// EachType calls f with each type t refers to directly: fields, cases,
// tuple members, element, key, ok and err types, and a handle's resource.
// Absent types (None) are passed too; callers skip what they don't need.
func (t *TypeDef) EachType(f func(Type)) {
	for _, x := range t.Fields {
		f(x.Type)
	}
	for _, x := range t.Cases {
		f(x.Type)
	}
	for _, x := range t.Types {
		f(x)
	}
	f(t.Elem)
	f(t.Key)
	f(t.Ok)
	f(t.Err)
	if t.Kind == KindOwn || t.Kind == KindBorrow {
		f(TypeRef(t.Resource))
	}
}

// Field is a record field.
type Field struct {
	Name string
	Type Type
	Docs Docs
	Span syntax.Span
}

// Flag is one flag.
type Flag struct {
	Name string
	Docs Docs
	Span syntax.Span
}

// Case is a variant case; Type is None without a payload.
type Case struct {
	Name string
	Type Type
	Docs Docs
	Span syntax.Span
}

// EnumCase is one enum case.
type EnumCase struct {
	Name string
	Docs Docs
	Span syntax.Span
}

// Prim enumerates the built-in types a Type can be.
type Prim uint8

const (
	None Prim = iota // no type: an absent result, payload or element
	Bool
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
	Ref // a TypeDef, see Type.ID
)

var primNames = [...]string{"", "bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "char", "string", "error-context", ""}

// Type is a primitive or a reference to a TypeDef. The zero Type is None.
type Type struct {
	Prim Prim
	ID   TypeID // when Prim == Ref
}

// TypeRef returns a Type referring to a TypeDef.
func TypeRef(id TypeID) Type { return Type{Prim: Ref, ID: id} }

// IsNone reports whether t is the absent type.
func (t Type) IsNone() bool { return t.Prim == None }

// PrimName is the WIT spelling of a primitive ("" for None and Ref).
func (t Type) PrimName() string { return primNames[t.Prim] }

// FunctionKind tags a Function.
type FunctionKind int

const (
	Freestanding FunctionKind = iota
	AsyncFreestanding
	Method
	AsyncMethod
	Static
	AsyncStatic
	Constructor
)

var funcKindNames = [...]string{"freestanding", "async-freestanding", "method", "async-method", "static", "async-static", "constructor"}

func (k FunctionKind) String() string { return funcKindNames[k] }

// IsAsync reports whether the kind is an async function.
func (k FunctionKind) IsAsync() bool {
	return k == AsyncFreestanding || k == AsyncMethod || k == AsyncStatic
}

// Function is a function of an interface or world, or of a resource (then
// Name is `[method]r.f`, `[static]r.f` or `[constructor]r` and Resource set).
type Function struct {
	Name       string
	Kind       FunctionKind
	Resource   TypeID // method, static, constructor
	Params     []Param
	Result     Type // None for no result
	Docs       Docs
	Stability  Stability
	ExternalID string
	Span       syntax.Span
}

// Param is a named parameter.
type Param struct {
	Name string
	Type Type
	Span syntax.Span
}
