package syntax

import (
	"strconv"
)

// parseList parses comma-separated elements (trailing comma allowed) up to
// and including end; the opening token is already consumed. A failed
// element is skipped up to the next comma; a missing comma before what
// looks like another element is reported once and parsing goes on.
func (p *parser) parseList(end Token, elem func(Docs)) {
	for {
		docs := p.docs()
		if p.eat(end) {
			return
		}
		start := p.pos
		if !p.try(func() { elem(docs) }) {
			p.syncElem(start, end)
			switch p.tok() {
			case end:
				p.next()
				return
			case TokComma:
				p.next()
				continue
			}
			p.bail()
		}
		if p.eat(TokComma) {
			continue
		}
		if p.eat(end) {
			return
		}
		p.errorExpected(end.Describe())
		if !isIDToken(p.tok()) {
			p.bail()
		}
	}
}

// syncElem skips the rest of a failed list element that started at token
// start, stopping at a comma or the list's end at the element's nesting
// level, or where the list's structure ends (`;`, an unmatched closer).
func (p *parser) syncElem(start int, end Token) {
	var parens, braces, angles int
	count := func(k Token) bool {
		switch k {
		case TokLParen:
			parens++
		case TokLBrace:
			braces++
		case TokLess:
			angles++
		case TokRParen:
			if parens == 0 {
				return false
			}
			parens--
		case TokRBrace:
			if braces == 0 {
				return false
			}
			braces--
		case TokGreater:
			if angles > 0 {
				angles--
			} else if end == TokGreater {
				return false
			}
		case TokComma:
			return parens+braces+angles > 0
		case TokSemicolon:
			return parens+braces > 0
		case TokEOF:
			return false
		}
		return true
	}
	for _, t := range p.toks[start:p.pos] {
		count(t.kind)
	}
	if p.pos == start && p.tok() != end && p.tok() != TokComma {
		if !count(p.tok()) {
			return
		}
		p.next()
	}
	for count(p.tok()) {
		p.next()
	}
}

// parseType parses a type; depth counts enclosing types, limited like
// wit-parser's.
func (p *parser) parseType(depth int) Type {
	t := p.toks[p.pos]
	sp := p.tokSpan(p.pos)
	if depth >= maxTypeDepth {
		if t.kind != TokIllegal && !(t.kind == TokEOF && p.badEOF) {
			p.error(sp, "type nesting too deep")
		}
		p.bail()
	}
	if prim, ok := primitiveKind(t.kind); ok {
		p.next()
		return &Primitive{Span: sp, Kind: prim}
	}
	switch t.kind {
	case TokIdent, TokExplicitIdent:
		return &NamedType{Name: p.parseID()}
	case TokTuple:
		p.next()
		tt := &TupleType{}
		p.expect(TokLess)
		p.parseListStrict(TokGreater, func() { tt.Types = append(tt.Types, p.parseType(depth+1)) })
		tt.Span = Span{sp.Start, p.prevEnd()}
		return tt
	case TokList:
		p.next()
		lt := &ListType{}
		p.expect(TokLess)
		lt.Elem = p.parseType(depth + 1)
		if p.eat(TokComma) {
			if p.tok() != TokInteger {
				p.fail("fixed-length")
			}
			lt.SizeAt = p.tokSpan(p.pos)
			lt.HasSize = true
			n, err := strconv.ParseUint(p.src[p.toks[p.pos].start:p.toks[p.pos].end], 10, 32)
			if err != nil {
				p.error(lt.SizeAt, "invalid list size: number too large to fit in target type")
			}
			lt.Size = uint32(n)
			p.next()
		}
		lt.Span = Span{sp.Start, p.expect(TokGreater).End}
		return lt
	case TokMap:
		p.next()
		mt := &MapType{}
		p.expect(TokLess)
		mt.Key = p.parseType(depth + 1)
		p.expect(TokComma)
		mt.Value = p.parseType(depth + 1)
		mt.Span = Span{sp.Start, p.expect(TokGreater).End}
		return mt
	case TokOption:
		p.next()
		ot := &OptionType{}
		p.expect(TokLess)
		ot.Elem = p.parseType(depth + 1)
		ot.Span = Span{sp.Start, p.expect(TokGreater).End}
		return ot
	case TokResult:
		p.next()
		rt := &ResultType{Span: sp}
		if p.eat(TokLess) {
			if p.eat(TokUnderscore) {
				p.expect(TokComma)
				rt.Err = p.parseType(depth + 1)
			} else {
				rt.Ok = p.parseType(depth + 1)
				if p.eat(TokComma) {
					rt.Err = p.parseType(depth + 1)
				}
			}
			rt.Span.End = p.expect(TokGreater).End
		}
		return rt
	case TokFuture, TokStream:
		p.next()
		var elem Type
		end := sp.End
		if p.eat(TokLess) {
			elem = p.parseType(depth + 1)
			end = p.expect(TokGreater).End
		}
		if t.kind == TokFuture {
			return &FutureType{Span: Span{sp.Start, end}, Elem: elem}
		}
		return &StreamType{Span: Span{sp.Start, end}, Elem: elem}
	case TokOwn, TokBorrow:
		p.next()
		h := &HandleType{Borrow: t.kind == TokBorrow}
		p.expect(TokLess)
		h.Resource = p.parseID()
		h.Span = Span{sp.Start, p.expect(TokGreater).End}
		return h
	}
	p.fail("a type")
	return nil
}

func primitiveKind(k Token) (PrimKind, bool) {
	switch k {
	case TokBool:
		return Bool, true
	case TokU8:
		return U8, true
	case TokU16:
		return U16, true
	case TokU32:
		return U32, true
	case TokU64:
		return U64, true
	case TokS8:
		return S8, true
	case TokS16:
		return S16, true
	case TokS32:
		return S32, true
	case TokS64:
		return S64, true
	case TokF32:
		return F32, true
	case TokF64:
		return F64, true
	case TokChar:
		return Char, true
	case TokStringKw:
		return String, true
	case TokErrorContext:
		return ErrorContext, true
	}
	return 0, false
}

// parseListStrict is parseList without recovery, for lists inside types.
func (p *parser) parseListStrict(end Token, elem func()) {
	for {
		if p.eat(end) {
			return
		}
		elem()
		if !p.eat(TokComma) {
			p.expect(end)
			return
		}
	}
}

func (p *parser) parseOptVersion() *Version {
	if p.eat(TokAt) {
		return p.parseVersion()
	}
	return nil
}

// parseVersion parses major.minor.patch from integer tokens, then any
// pre-release and build parts from the tokens after `-` and `+`, and
// checks the source text they cover as semver.
func (p *parser) parseVersion() *Version {
	start := p.expect(TokInteger).Start
	p.expect(TokPeriod)
	p.expect(TokInteger)
	p.expect(TokPeriod)
	end := p.expect(TokInteger).End
	end = p.eatVersionParts(TokMinus, end)
	end = p.eatVersionParts(TokPlus, end)
	f := p.file
	v := &Version{Span: Span{start, end}, Text: p.src[f.Offset(start):f.Offset(end)]}
	if _, err := ParseSemver(v.Text); err != nil {
		p.error(v.Span, err.Error())
	}
	return v
}

// eatVersionParts eats prefix and then identifiers, integers, `-` and
// `.`-separated continuations, returning the new end of the version.
// A `.` not followed by one of those belongs to the syntax after the
// version, as in `use a:b/c@1.0.0-rc.{x}`.
func (p *parser) eatVersionParts(prefix Token, end Pos) Pos {
	if !p.eat(prefix) {
		return end
	}
	part := func(k Token) bool { return k == TokIdent || k == TokInteger || k == TokMinus }
	for {
		switch {
		case part(p.tok()):
		case p.tok() == TokPeriod && part(p.peekAt(1)):
			p.next()
		default:
			return end
		}
		end = p.tokSpan(p.pos).End
		p.next()
	}
}

// parseAttributes parses the `@name(...)` gates and annotations before an item.
func (p *parser) parseAttributes() []*Attribute {
	var attrs []*Attribute
	for p.tok() == TokAt {
		at := p.tokSpan(p.pos)
		p.next()
		id := p.parseID()
		a := &Attribute{Span: id.Span}
		switch id.Name {
		case "since", "deprecated":
			a.Kind = AttrSince
			if id.Name == "deprecated" {
				a.Kind = AttrDeprecated
			}
			p.expect(TokLParen)
			p.expectName("version")
			p.expect(TokEquals)
			a.Version = p.parseVersion()
		case "unstable":
			a.Kind = AttrUnstable
			p.expect(TokLParen)
			p.expectName("feature")
			p.expect(TokEquals)
			a.Feature = p.parseID()
		case "external-id":
			a.Kind = AttrExternalID
			p.expect(TokLParen)
			if p.tok() == TokString {
				a.Value, _, _, _ = decodeString(p.file.Source(), int(p.toks[p.pos].start))
			}
			p.expect(TokString)
		default:
			p.error(id.Span, "unknown attribute `"+id.Name+"`")
			p.skipParens()
			continue
		}
		a.Full = Span{at.Start, p.expect(TokRParen).End}
		attrs = append(attrs, a)
	}
	return attrs
}

// expectName consumes an identifier that must be name (like `version` in
// `@since(version = ...)`).
func (p *parser) expectName(name string) {
	id := p.parseID()
	if id.Name != name {
		p.error(id.Span, "expected `"+name+"`, found `"+id.Name+"`")
	}
}

// skipParens skips the argument list of an unknown attribute.
func (p *parser) skipParens() {
	if p.tok() != TokLParen {
		return
	}
	depth := 0
	for {
		switch p.tok() {
		case TokLParen:
			depth++
		case TokRParen:
			depth--
			if depth == 0 {
				p.next()
				return
			}
		case TokEOF, TokSemicolon, TokLBrace, TokRBrace:
			return
		}
		p.next()
	}
}
