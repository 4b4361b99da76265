package wit

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/bigband-dev/bigband/wit/syntax"
)

var primOf = [...]Prim{
	syntax.Bool: Bool, syntax.U8: U8, syntax.U16: U16, syntax.U32: U32, syntax.U64: U64,
	syntax.S8: S8, syntax.S16: S16, syntax.S32: S32, syntax.S64: S64,
	syntax.F32: F32, syntax.F64: F64, syntax.Char: Char, syntax.String: String,
	syntax.ErrorContext: ErrorContext,
}

// resolveTypeDef lowers a type expression to a definition (not yet
// allocated). nameSpan is where errors about a named definition point.
func (l *lowerer) resolveTypeDef(t syntax.Type, stab Stability, nameSpan syntax.Span) (*TypeDef, *syntax.Error) {
	// opt lowers a member type; a member that fails is reported and left
	// absent so the other members are still checked. err stays nil: the
	// definition itself is usable.
	var err *syntax.Error
	failed := false
	opt := func(t syntax.Type) Type {
		if t == nil {
			return Type{}
		}
		r, e := l.resolveType(t, stab)
		if e != nil {
			l.report(e)
			failed = true
		}
		return r
	}
	switch n := t.(type) {
	case *syntax.Primitive:
		return &TypeDef{Kind: KindAlias, Elem: Type{Prim: primOf[n.Kind]}}, nil
	case *syntax.NamedType:
		id, err := l.resolveTypeName(n.Name)
		if err != nil {
			return nil, err
		}
		return &TypeDef{Kind: KindAlias, Elem: TypeRef(id)}, nil
	case *syntax.ListType:
		td := &TypeDef{Kind: KindList, Elem: opt(n.Elem)}
		if n.HasSize {
			td.Kind, td.Size = KindFixedList, n.Size
		}
		return td, err
	case *syntax.MapType:
		td := &TypeDef{Kind: KindMap, Key: opt(n.Key)}
		td.Elem = opt(n.Value)
		if failed {
			return td, nil
		}
		switch td.Key.Prim {
		case Bool, U8, U16, U32, U64, S8, S16, S32, S64, Char, String:
		default:
			return nil, errAt(n.Span, "invalid map key type: map keys must be bool, u8, u16, u32, u64, s8, s16, s32, s64, char, or string")
		}
		return td, nil
	case *syntax.HandleType:
		id, err := l.validateResource(n.Resource)
		if err != nil {
			return nil, err
		}
		if n.Borrow {
			return &TypeDef{Kind: KindBorrow, Resource: id}, nil
		}
		return &TypeDef{Kind: KindOwn, Resource: id}, nil
	case *syntax.ResourceType:
		ctors := 0
		seen := map[string]bool{}
		for _, f := range n.Funcs {
			if f.Func.Kind == syntax.FuncConstructor {
				if ctors++; ctors > 1 {
					return nil, errAt(f.Name.Span, "duplicate constructors")
				}
				continue
			}
			if seen[f.Name.Name] {
				return nil, errAt(f.Name.Span, "duplicate function name `"+f.Name.Name+"`")
			}
			seen[f.Name.Name] = true
		}
		return &TypeDef{Kind: KindResource}, nil
	case *syntax.RecordType:
		td := &TypeDef{Kind: KindRecord, Fields: make([]Field, 0, len(n.Fields))}
		for _, f := range n.Fields {
			td.Fields = append(td.Fields, Field{Name: f.Name.Name, Docs: lowerDocs(f.Docs), Type: opt(f.Type), Span: f.Name.Span})
		}
		return td, err
	case *syntax.FlagsType:
		td := &TypeDef{Kind: KindFlags, Flags: make([]Flag, 0, len(n.Flags))}
		for _, f := range n.Flags {
			td.Flags = append(td.Flags, Flag{Name: f.Name.Name, Docs: lowerDocs(f.Docs), Span: f.Name.Span})
		}
		return td, nil
	case *syntax.TupleType:
		td := &TypeDef{Kind: KindTuple, Types: make([]Type, 0, len(n.Types))}
		for _, e := range n.Types {
			td.Types = append(td.Types, opt(e))
		}
		return td, err
	case *syntax.VariantType:
		if len(n.Cases) == 0 {
			return nil, errAt(nameSpan, "empty variant")
		}
		td := &TypeDef{Kind: KindVariant, Cases: make([]Case, 0, len(n.Cases))}
		for _, c := range n.Cases {
			td.Cases = append(td.Cases, Case{Name: c.Name.Name, Docs: lowerDocs(c.Docs), Type: opt(c.Type), Span: c.Name.Span})
		}
		return td, err
	case *syntax.EnumType:
		if len(n.Cases) == 0 {
			return nil, errAt(nameSpan, "empty enum")
		}
		td := &TypeDef{Kind: KindEnum, Enum: make([]EnumCase, 0, len(n.Cases))}
		for _, c := range n.Cases {
			td.Enum = append(td.Enum, EnumCase{Name: c.Name.Name, Docs: lowerDocs(c.Docs), Span: c.Name.Span})
		}
		return td, nil
	case *syntax.OptionType:
		return &TypeDef{Kind: KindOption, Elem: opt(n.Elem)}, err
	case *syntax.ResultType:
		td := &TypeDef{Kind: KindResult, Ok: opt(n.Ok)}
		td.Err = opt(n.Err)
		return td, err
	case *syntax.FutureType:
		return &TypeDef{Kind: KindFuture, Elem: opt(n.Elem)}, err
	case *syntax.StreamType:
		return &TypeDef{Kind: KindStream, Elem: opt(n.Elem)}, err
	}
	return nil, errAt(t.TypeSpan(), "unsupported type")
}

func (l *lowerer) resolveTypeName(name *syntax.Ident) (TypeID, *syntax.Error) {
	e, ok := l.typeLookup.m[name.Name]
	switch {
	case !ok:
		return 0, notFound(name.Span, "name", name.Name)
	case e.item != "":
		return 0, errAt(name.Span, "cannot use "+e.item+" `"+name.Name+"` as a type")
	}
	l.refs = append(l.refs, localRef{span: name.Span, kind: RefType, id: int(e.typ)})
	return e.typ, nil
}

// validateResource checks a handle names a resource. Placeholders from
// other packages are checked once those are known.
func (l *lowerer) validateResource(name *syntax.Ident) (TypeID, *syntax.Error) {
	id, err := l.resolveTypeName(name)
	if err != nil {
		return 0, err
	}
	for cur := id; ; {
		t := l.pkg.types[cur]
		switch {
		case t.Kind == KindResource, l.poisoned[cur]:
			return id, nil
		case t.Kind == KindAlias && t.Elem.Prim == Ref:
			cur = t.Elem.ID
		case t.Kind == KindUnknown:
			l.pkg.requiredResources = append(l.pkg.requiredResources, requiredResource{cur, name.Span})
			return id, nil
		default:
			return 0, errAt(name.Span, "type `"+name.Name+"` used in a handle must be a resource")
		}
	}
}

// resolveType lowers a type used inside another, interning anonymous types.
func (l *lowerer) resolveType(t syntax.Type, stab Stability) (Type, *syntax.Error) {
	// Primitives, names and owned handles never allocate a TypeDef: they
	// collapse to what they name (see anonType).
	switch n := t.(type) {
	case *syntax.Primitive:
		return Type{Prim: primOf[n.Kind]}, nil
	case *syntax.NamedType:
		id, err := l.resolveTypeName(n.Name)
		if err != nil {
			return Type{}, err
		}
		return TypeRef(id), nil
	case *syntax.HandleType:
		if !n.Borrow {
			id, err := l.validateResource(n.Resource)
			if err != nil {
				return Type{}, err
			}
			return TypeRef(id), nil
		}
	}
	td, err := l.resolveTypeDef(t, stab, t.TypeSpan())
	if err != nil {
		return Type{}, err
	}
	td.Stability = l.findStability(td, stab)
	td.Span = t.TypeSpan()
	return l.anonType(td), nil
}

// findStability lets an anonymous type inherit the gate of the first gated
// type it refers to, unless it was given one.
func (l *lowerer) findStability(td *TypeDef, stab Stability) Stability {
	if stab.Kind != StabilityUnknown {
		return stab
	}
	var found *Stability
	check := func(t Type) {
		if found == nil && t.Prim == Ref {
			if s := &l.pkg.types[t.ID].Stability; s.Kind != StabilityUnknown {
				found = s
			}
		}
	}
	switch td.Kind {
	case KindAlias, KindList, KindFixedList, KindOption, KindFuture, KindStream:
		check(td.Elem)
	case KindOwn, KindBorrow:
		check(TypeRef(td.Resource))
	case KindTuple:
		for _, t := range td.Types {
			check(t)
		}
	case KindMap:
		check(td.Key)
		check(td.Elem)
	case KindResult:
		check(td.Ok)
		check(td.Err)
	}
	if found == nil {
		return Stability{}
	}
	return *found
}

// anonType returns the Type for an anonymous definition: aliases and owned
// handles collapse to what they name, everything else is interned so equal
// structures share one TypeDef.
func (l *lowerer) anonType(td *TypeDef) Type {
	switch td.Kind {
	case KindAlias:
		return td.Elem
	case KindOwn:
		return TypeRef(td.Resource)
	}
	key := structuralKey(td)
	if id, ok := l.anon[key]; ok {
		return TypeRef(id)
	}
	id := l.allocType(td)
	l.anon[key] = id
	return TypeRef(id)
}

// structuralKey identifies an anonymous type by structure.
func structuralKey(td *TypeDef) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(int(td.Kind)))
	ty := func(t Type) {
		b.WriteByte(' ')
		if t.Prim == Ref {
			b.WriteByte('#')
			b.WriteString(strconv.Itoa(int(t.ID)))
		} else {
			b.WriteString(strconv.Itoa(int(t.Prim)))
		}
	}
	name := func(s string) {
		b.WriteByte(' ')
		b.WriteString(s)
	}
	switch td.Kind {
	case KindVariant:
		for _, c := range td.Cases {
			name(c.Name)
			ty(c.Type)
		}
	case KindRecord:
		for _, f := range td.Fields {
			name(f.Name)
			ty(f.Type)
		}
	case KindFlags:
		for _, f := range td.Flags {
			name(f.Name)
		}
	case KindEnum:
		for _, c := range td.Enum {
			name(c.Name)
		}
	case KindTuple:
		for _, t := range td.Types {
			ty(t)
		}
	case KindBorrow, KindOwn:
		ty(TypeRef(td.Resource))
	case KindFixedList:
		ty(td.Elem)
		name(strconv.FormatUint(uint64(td.Size), 10))
	case KindMap:
		ty(td.Key)
		ty(td.Elem)
	case KindResult:
		ty(td.Ok)
		ty(td.Err)
	default:
		ty(td.Elem)
	}
	return b.String()
}

// lowerDocs turns a comment run into documentation text the way wit-parser
// does: delimiters stripped, common indentation removed, blank lines kept.
func lowerDocs(d syntax.Docs) Docs {
	if len(d.Comments) == 0 {
		return Docs{}
	}
	lines := make([]string, 0, len(d.Comments))
	for _, c := range d.Comments {
		s := c.Text
		if rest, ok := strings.CutPrefix(s, "/**"); ok {
			s = strings.TrimSuffix(rest, "*/")
		} else {
			s = strings.TrimLeft(s, "/")
		}
		lines = append(lines, strings.TrimRightFunc(s, unicode.IsSpace))
	}
	minWS := -1
	for _, s := range lines {
		if s == "" {
			continue
		}
		n := 0
		for n < len(s) && isASCIISpace(s[n]) {
			n++
		}
		if minWS < 0 || n < minWS {
			minWS = n
		}
	}
	if minWS > 0 {
		pad := strings.Repeat(" ", minWS)
		for i, s := range lines {
			lines[i] = strings.TrimPrefix(s, pad)
		}
	}
	var b strings.Builder
	for _, s := range lines {
		if s == "" {
			b.WriteByte('\n')
			continue
		}
		for _, line := range strings.SplitAfter(s, "\n") {
			line = strings.TrimSuffix(line, "\n")
			line = strings.TrimSuffix(line, "\r")
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	out := strings.TrimRight(b.String(), "\n")
	return Docs{Contents: &out}
}

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// stability reads the gate attributes.
func (l *lowerer) stability(attrs []*syntax.Attribute) (Stability, *syntax.Error) {
	var since, deprecated *syntax.Attribute
	var unstable *syntax.Attribute
	for _, a := range attrs {
		switch a.Kind {
		case syntax.AttrSince:
			if since != nil {
				return Stability{}, errAt(a.Span, "cannot specify @since twice")
			}
			since = a
		case syntax.AttrDeprecated:
			if deprecated != nil {
				return Stability{}, errAt(a.Span, "cannot specify @deprecated twice")
			}
			deprecated = a
		case syntax.AttrUnstable:
			if unstable != nil {
				return Stability{}, errAt(a.Span, "cannot specify @unstable twice")
			}
			unstable = a
		}
	}
	version := func(a *syntax.Attribute) *Version {
		if a == nil || a.Version == nil {
			return nil
		}
		v, err := syntax.ParseSemver(a.Version.Text)
		if err != nil {
			return nil
		}
		return &v
	}
	switch {
	case since != nil && unstable != nil:
		return Stability{}, errAt(since.Span, "cannot specify both @since and @unstable")
	case since != nil:
		return Stability{Kind: StabilityStable, Since: version(since), Deprecated: version(deprecated)}, nil
	case unstable != nil:
		return Stability{Kind: StabilityUnstable, Feature: unstable.Feature.Name, Deprecated: version(deprecated)}, nil
	case deprecated != nil:
		return Stability{}, errAt(deprecated.Span, "cannot specify both @deprecated without @since or @unstable")
	}
	return Stability{}, nil
}

func externalID(attrs []*syntax.Attribute) (string, *syntax.Error) {
	id, seen := "", false
	for _, a := range attrs {
		if a.Kind != syntax.AttrExternalID {
			continue
		}
		if seen {
			return "", errAt(a.Span, "cannot specify @external-id twice")
		}
		id, seen = a.Value, true
	}
	return id, nil
}
