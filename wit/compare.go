package wit

import (
	"slices"

	"github.com/bigband-dev/bigband/wit/syntax"
)

// Comparer decides whether types in one Resolve (A, usually a guest's) are
// structurally equal to types in another (B, the reference: a contract,
// WASI's own WIT).
//
// Equality is what the canonical ABI and the host's lifting need: the same
// shape all the way down, record fields and variant cases with the same
// names in the same order. Type names do not matter (a guest may call its
// record `my-route`), because the ABI never sees them; field names do,
// because the host reads records by field name. An extra record field is a
// mismatch too: it moves every later field in memory, so the host would
// read garbage rather than ignore it. Resources are nominal: only their
// names tie a guest's handle to the host's implementation.
//
// Differences inside a record, variant, enum or flags definition are
// collected in Diffs, naming that definition, the most precise place to
// point at; they do not make Type false. A difference in the shape around
// them (a list where a result belongs) makes Type false, and the caller
// names the whole type. Each pair of definitions is compared once per
// Comparer, so its Diffs are reported once.
type Comparer struct {
	A, B  *Resolve
	Diffs []Diff
	memo  map[[2]TypeID]bool
}

// NewComparer compares types of a with types of b.
func NewComparer(a, b *Resolve) *Comparer {
	return &Comparer{A: a, B: b, memo: map[[2]TypeID]bool{}}
}

// DiffKind says how two definitions differ.
type DiffKind int

const (
	MissingField DiffKind = iota // B's field Item is not in A's record
	ExtraField                   // A's field Item is not in B's record
	FieldOrder                   // same fields, in the orders ANames and BNames
	FieldType                    // field Item is AType in A, BType in B
	MissingCase                  // B's case Item (payload BType) is not in A's variant
	ExtraCase                    // A's case Item is not in B's variant
	CaseOrder                    // same cases, in the orders ANames and BNames
	CaseType                     // case Item has payload AType in A, BType in B
	EnumCases                    // enum cases ANames, want BNames
	FlagNames                    // flags ANames, want BNames
)

// Diff is one difference inside a pair of definitions.
type Diff struct {
	Kind DiffKind
	// Def names the definition as A spells it, which is what A's author can
	// search for, or as B does when A's is anonymous (as types decoded from
	// a binary can be).
	Def          string
	Item         string      // the field or case
	AType, BType Type        // in A and B; None when absent or not applicable
	ANames       []string    // FieldOrder, CaseOrder, EnumCases, FlagNames
	BNames       []string    // likewise
	Span         syntax.Span // in A: the item, or the definition when the item is B's
}

// Type reports whether a (in A) and b (in B) have the same shape;
// differences inside definitions are added to Diffs without making it false.
func (c *Comparer) Type(a, b Type) bool {
	a, b = Deref(c.A, a), Deref(c.B, b)
	if a.Prim != Ref || b.Prim != Ref {
		return a.Prim == b.Prim
	}
	if !valid(c.A, a) || !valid(c.B, b) {
		return false
	}
	ad, bd := c.A.Types[a.ID], c.B.Types[b.ID]
	if ad.Kind != bd.Kind {
		return false
	}
	key := [2]TypeID{a.ID, b.ID}
	if ok, done := c.memo[key]; done {
		return ok // compared before: its diffs are already in
	}
	c.memo[key] = true // WIT types cannot recurse; this only dedups diffs
	ok := c.def(ad, bd)
	c.memo[key] = ok
	return ok
}

// def compares two definitions of the same kind.
func (c *Comparer) def(ad, bd *TypeDef) bool {
	switch ad.Kind {
	case KindRecord:
		c.record(ad, bd)
		return true
	case KindVariant:
		c.variant(ad, bd)
		return true
	case KindEnum:
		c.names(EnumCases, ad, bd, enumNames(ad), enumNames(bd))
		return true
	case KindFlags:
		c.names(FlagNames, ad, bd, flagNames(ad), flagNames(bd))
		return true
	case KindResource:
		return ad.Name == bd.Name
	case KindBorrow:
		return c.Type(TypeRef(ad.Resource), TypeRef(bd.Resource))
	case KindTuple:
		if len(ad.Types) != len(bd.Types) {
			return false
		}
		ok := true
		for i := range ad.Types {
			ok = c.Type(ad.Types[i], bd.Types[i]) && ok
		}
		return ok
	case KindResult:
		ok := c.Type(ad.Ok, bd.Ok)
		return c.Type(ad.Err, bd.Err) && ok
	case KindMap:
		ok := c.Type(ad.Key, bd.Key)
		return c.Type(ad.Elem, bd.Elem) && ok
	case KindFixedList:
		return c.Type(ad.Elem, bd.Elem) && ad.Size == bd.Size
	case KindOption, KindList, KindFuture, KindStream:
		return c.Type(ad.Elem, bd.Elem)
	}
	return false // unknown: nothing to go on
}

func (c *Comparer) record(ad, bd *TypeDef) {
	field := func(f Field) member { return member{f.Name, f.Type, f.Span} }
	c.members(ad, mapSlice(ad.Fields, field), mapSlice(bd.Fields, field),
		memberKinds{MissingField, ExtraField, FieldOrder, FieldType}, bd)
}

func (c *Comparer) variant(ad, bd *TypeDef) {
	vcase := func(cs Case) member { return member{cs.Name, cs.Type, cs.Span} }
	c.members(ad, mapSlice(ad.Cases, vcase), mapSlice(bd.Cases, vcase),
		memberKinds{MissingCase, ExtraCase, CaseOrder, CaseType}, bd)
}

// member is a record field or a variant case: what record and variant
// comparisons have in common.
type member struct {
	name string
	ty   Type
	span syntax.Span
}

// memberKinds names the diffs of one kind of member.
type memberKinds struct{ missing, extra, order, typ DiffKind }

// members compares the named, typed members of two definitions: missing
// and extra ones, their order when the names agree, and each one's type.
func (c *Comparer) members(ad *TypeDef, am, bm []member, k memberKinds, bd *TypeDef) {
	name := defName(ad, bd)
	an := mapSlice(am, func(m member) string { return m.name })
	bn := mapSlice(bm, func(m member) string { return m.name })
	same := true
	for _, b := range bm {
		if !slices.Contains(an, b.name) {
			same = false
			c.Diffs = append(c.Diffs, Diff{Kind: k.missing, Def: name, Item: b.name, BType: b.ty, Span: ad.Span})
		}
	}
	for _, a := range am {
		if !slices.Contains(bn, a.name) {
			same = false
			c.Diffs = append(c.Diffs, Diff{Kind: k.extra, Def: name, Item: a.name, AType: a.ty, Span: a.span})
		}
	}
	if same && !slices.Equal(an, bn) {
		c.Diffs = append(c.Diffs, Diff{Kind: k.order, Def: name, ANames: an, BNames: bn, Span: ad.Span})
	}
	for _, b := range bm {
		i := slices.Index(an, b.name)
		if i < 0 {
			continue
		}
		if a := am[i]; !c.Type(a.ty, b.ty) {
			c.Diffs = append(c.Diffs, Diff{Kind: k.typ, Def: name, Item: a.name, AType: a.ty, BType: b.ty, Span: a.span})
		}
	}
}

func mapSlice[T, U any](ts []T, f func(T) U) []U {
	var out []U
	for _, t := range ts {
		out = append(out, f(t))
	}
	return out
}

// names compares enums and flags, whose names are their whole shape.
func (c *Comparer) names(k DiffKind, ad, bd *TypeDef, a, b []string) {
	if !slices.Equal(a, b) {
		c.Diffs = append(c.Diffs, Diff{Kind: k, Def: defName(ad, bd), ANames: a, BNames: b, Span: ad.Span})
	}
}

// FuncDiff is how two functions' types differ, position by position.
type FuncDiff struct {
	// Shape is set when async-ness or the number of parameters differ:
	// then nothing else was compared.
	Shape bool
	// Params lists the indexes of parameters whose types differ.
	// Parameter names are not compared: the canonical ABI passes
	// parameters by position.
	Params []int
	// Result is set when the results differ (either may be None).
	Result bool
}

// Same reports whether the functions' shapes agree; Diffs may still hold
// differences inside the definitions they use.
func (d FuncDiff) Same() bool { return !d.Shape && len(d.Params) == 0 && !d.Result }

// Func compares the types of function a (in A) and b (in B); differences
// inside definitions are added to Diffs.
func (c *Comparer) Func(a, b *Function) FuncDiff {
	if a.Kind.IsAsync() != b.Kind.IsAsync() || len(a.Params) != len(b.Params) {
		return FuncDiff{Shape: true}
	}
	var d FuncDiff
	for i, p := range a.Params {
		if !c.Type(p.Type, b.Params[i].Type) {
			d.Params = append(d.Params, i)
		}
	}
	if a.Result.IsNone() != b.Result.IsNone() || !a.Result.IsNone() && !c.Type(a.Result, b.Result) {
		d.Result = true
	}
	return d
}

// Deref looks through aliases (`type a = b`, `use`) and owned handles,
// which the resolver spells as a reference to the resource itself and a
// component binary as an `own` definition, to the type that gives t its
// shape.
func Deref(r *Resolve, t Type) Type {
	for i := 0; t.Prim == Ref && int(t.ID) >= 0 && int(t.ID) < len(r.Types) && i <= len(r.Types); i++ {
		td := r.Types[t.ID]
		switch td.Kind {
		case KindAlias:
			t = td.Elem
		case KindOwn:
			t = TypeRef(td.Resource)
		default:
			return t
		}
	}
	return t
}

func valid(r *Resolve, t Type) bool { return int(t.ID) >= 0 && int(t.ID) < len(r.Types) }

func defName(ad, bd *TypeDef) string {
	if ad.Name != "" {
		return ad.Name
	}
	return bd.Name
}

func enumNames(td *TypeDef) []string {
	var s []string
	for _, e := range td.Enum {
		s = append(s, e.Name)
	}
	return s
}

func flagNames(td *TypeDef) []string {
	var s []string
	for _, f := range td.Flags {
		s = append(s, f.Name)
	}
	return s
}
