package contract

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bigband-dev/bigband/wit"
	"github.com/bigband-dev/bigband/wit/syntax"
)

// comparer decides whether a guest's types (in g) are structurally equal to
// the contract's (in c).
//
// Equality is what the canonical ABI and the host's lifting need: the same
// shape all the way down, record fields and variant cases with the same
// names in the same order. Type names do not matter (a guest may call its
// record `my-route`), because the ABI never sees them; field names do,
// because the host reads records by field name. An extra record field is a
// mismatch too: it moves every later field in memory, so the host would
// read garbage rather than ignore it.
//
// Mismatches inside a record, variant, enum or flags definition are
// collected as details naming that definition, the most precise place to
// point at. A mismatch in the shape around them (a list where a result
// belongs) is reported by typ returning false, and the caller names the
// whole type.
type comparer struct {
	g, c    *wit.Resolve
	memo    map[[2]wit.TypeID]bool
	details []detail
}

type detail struct {
	msg  string
	span syntax.Span
}

func newComparer(g, c *wit.Resolve) *comparer {
	return &comparer{g: g, c: c, memo: map[[2]wit.TypeID]bool{}}
}

// typ reports whether g and w have the same shape; mismatches inside
// definitions are added to details without making it false.
func (c *comparer) typ(g, w wit.Type) bool {
	g, w = resolveHandle(c.g, g), resolveHandle(c.c, w)
	if g.Prim != wit.Ref || w.Prim != wit.Ref {
		return g.Prim == w.Prim
	}
	gd, wd := c.g.Types[g.ID], c.c.Types[w.ID]
	if gd.Kind != wd.Kind {
		return false
	}
	key := [2]wit.TypeID{g.ID, w.ID}
	if ok, done := c.memo[key]; done {
		return ok // compared before: its details are already in
	}
	c.memo[key] = true // WIT types cannot recurse; this only dedups details
	ok := c.def(gd, wd)
	c.memo[key] = ok
	return ok
}

// def compares two definitions of the same kind.
func (c *comparer) def(gd, wd *wit.TypeDef) bool {
	switch gd.Kind {
	case wit.KindRecord:
		c.record(gd, wd)
		return true
	case wit.KindVariant:
		c.variant(gd, wd)
		return true
	case wit.KindEnum:
		c.names("enum", gd, wd, "cases are", enumNames(gd), enumNames(wd))
		return true
	case wit.KindFlags:
		c.names("flags", gd, wd, "are", flagNames(gd), flagNames(wd))
		return true
	case wit.KindResource:
		// Resources are nominal: the handle's meaning is the host's
		// implementation, so only the name can tie them together.
		return gd.Name == wd.Name
	case wit.KindBorrow:
		return c.typ(wit.TypeRef(gd.Resource), wit.TypeRef(wd.Resource))
	case wit.KindTuple:
		if len(gd.Types) != len(wd.Types) {
			return false
		}
		ok := true
		for i := range gd.Types {
			ok = c.typ(gd.Types[i], wd.Types[i]) && ok
		}
		return ok
	case wit.KindResult:
		ok := c.typ(gd.Ok, wd.Ok)
		return c.typ(gd.Err, wd.Err) && ok
	case wit.KindMap:
		ok := c.typ(gd.Key, wd.Key)
		return c.typ(gd.Elem, wd.Elem) && ok
	case wit.KindFixedList:
		return c.typ(gd.Elem, wd.Elem) && gd.Size == wd.Size
	case wit.KindOption, wit.KindList, wit.KindFuture, wit.KindStream:
		return c.typ(gd.Elem, wd.Elem)
	}
	return false // unknown: nothing to go on
}

func (c *comparer) add(span syntax.Span, format string, args ...any) {
	c.details = append(c.details, detail{fmt.Sprintf(format, args...), span})
}

func (c *comparer) record(gd, wd *wit.TypeDef) {
	name := defName(gd, wd)
	var gnames, wnames []string
	for _, f := range gd.Fields {
		gnames = append(gnames, f.Name)
	}
	for _, f := range wd.Fields {
		wnames = append(wnames, f.Name)
	}
	same := true
	for _, wf := range wd.Fields {
		if !slices.Contains(gnames, wf.Name) {
			same = false
			c.add(gd.Span, "record `%s` has no field `%s`, the contract needs `%s: %s`",
				name, wf.Name, wf.Name, wit.TypeString(c.c, wf.Type))
		}
	}
	for _, gf := range gd.Fields {
		if !slices.Contains(wnames, gf.Name) {
			same = false
			c.add(gf.Span, "record `%s` field `%s` is not in the contract (an extra field changes the canonical ABI layout)",
				name, gf.Name)
		}
	}
	if same && !slices.Equal(gnames, wnames) {
		c.add(gd.Span, "record `%s` fields are in the order `%s`, the contract needs `%s` (field order is part of the canonical ABI layout)",
			name, strings.Join(gnames, ", "), strings.Join(wnames, ", "))
	}
	for _, wf := range wd.Fields {
		i := slices.Index(gnames, wf.Name)
		if i < 0 {
			continue
		}
		if gf := gd.Fields[i]; !c.typ(gf.Type, wf.Type) {
			c.add(gf.Span, "record `%s` field `%s` is `%s`, the contract needs `%s`",
				name, gf.Name, wit.TypeString(c.g, gf.Type), wit.TypeString(c.c, wf.Type))
		}
	}
}

func (c *comparer) variant(gd, wd *wit.TypeDef) {
	name := defName(gd, wd)
	var gnames, wnames []string
	for _, cs := range gd.Cases {
		gnames = append(gnames, cs.Name)
	}
	for _, cs := range wd.Cases {
		wnames = append(wnames, cs.Name)
	}
	same := true
	for _, wc := range wd.Cases {
		if !slices.Contains(gnames, wc.Name) {
			same = false
			c.add(gd.Span, "variant `%s` has no case `%s`, the contract needs `%s`",
				name, wc.Name, caseString(c.c, wc))
		}
	}
	for _, gc := range gd.Cases {
		if !slices.Contains(wnames, gc.Name) {
			same = false
			c.add(gc.Span, "variant `%s` case `%s` is not in the contract (an extra case changes the canonical ABI layout)",
				name, gc.Name)
		}
	}
	if same && !slices.Equal(gnames, wnames) {
		c.add(gd.Span, "variant `%s` cases are in the order `%s`, the contract needs `%s` (case order is part of the canonical ABI layout)",
			name, strings.Join(gnames, ", "), strings.Join(wnames, ", "))
	}
	for _, wc := range wd.Cases {
		i := slices.Index(gnames, wc.Name)
		if i < 0 {
			continue
		}
		if gc := gd.Cases[i]; !c.typ(gc.Type, wc.Type) {
			c.add(gc.Span, "variant `%s` case `%s` has %s, the contract needs %s",
				name, gc.Name, payload(c.g, gc.Type), payload(c.c, wc.Type))
		}
	}
}

// names compares enums and flags, whose names are their whole shape.
func (c *comparer) names(kind string, gd, wd *wit.TypeDef, verb string, g, w []string) {
	if !slices.Equal(g, w) {
		c.add(gd.Span, "%s `%s` %s `%s`, the contract needs `%s`",
			kind, defName(gd, wd), verb, strings.Join(g, ", "), strings.Join(w, ", "))
	}
}

// resolveHandle looks through aliases (`type a = b`, `use`) and owned
// handles, which the resolver spells as a reference to the resource itself
// and a component binary as an `own` definition.
func resolveHandle(r *wit.Resolve, t wit.Type) wit.Type {
	for t.Prim == wit.Ref {
		td := r.Types[t.ID]
		switch td.Kind {
		case wit.KindAlias:
			t = td.Elem
		case wit.KindOwn:
			t = wit.TypeRef(td.Resource)
		default:
			return t
		}
	}
	return t
}

// defName names a definition after the guest's spelling, which is what its
// author can search for, or the contract's when the guest's is anonymous
// (as types decoded from a binary can be).
func defName(gd, wd *wit.TypeDef) string {
	if gd.Name != "" {
		return gd.Name
	}
	return wd.Name
}

func caseString(r *wit.Resolve, c wit.Case) string {
	if c.Type.IsNone() {
		return c.Name
	}
	return c.Name + "(" + wit.TypeString(r, c.Type) + ")"
}

func payload(r *wit.Resolve, t wit.Type) string {
	if t.IsNone() {
		return "no payload"
	}
	return "payload `" + wit.TypeString(r, t) + "`"
}

func enumNames(td *wit.TypeDef) []string {
	var s []string
	for _, e := range td.Enum {
		s = append(s, e.Name)
	}
	return s
}

func flagNames(td *wit.TypeDef) []string {
	var s []string
	for _, f := range td.Flags {
		s = append(s, f.Name)
	}
	return s
}
