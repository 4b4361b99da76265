package syntax

// Bodies of interfaces, worlds and resources, and their items.

type bodyKind int

const (
	interfaceBody bodyKind = iota
	worldBody
	resourceBody
)

// parseBody parses items up to and including the closing brace (the
// opening one is consumed). A failed item is skipped; an item position
// holding `interface`, `world` or `package` ends the body, as the brace
// was most likely forgotten.
func (p *parser) parseBody(kind bodyKind, item func(Docs, []*Attribute)) {
	for {
		docs := p.docs()
		if p.eat(TokRBrace) {
			return
		}
		start := p.pos
		if p.try(func() { item(docs, p.parseAttributes()) }) {
			continue
		}
		p.noteBroken(start)
		if p.endsBody() {
			return
		}
		p.syncBody(start, kind)
		if p.endsBody() {
			return
		}
	}
}

func (p *parser) endsBody() bool {
	switch p.tok() {
	case TokEOF, TokWorld, TokPackage:
		return true
	case TokInterface:
		return p.pos == 0 || p.toks[p.pos-1].kind != TokColon
	}
	return false
}

// syncBody skips the rest of a failed body item that started at token
// start: through its `;` or its closing brace, or up to the next line
// that starts like an item.
func (p *parser) syncBody(start int, kind bodyKind) {
	p.skipItem(start, false, func() bool {
		return p.endsBody() || p.toks[p.pos].nl && p.startsItem(kind)
	})
}

func (p *parser) startsItem(kind bodyKind) bool {
	k := p.tok()
	if k == TokAt {
		return true
	}
	switch kind {
	case interfaceBody:
		switch k {
		case TokType, TokFlags, TokEnum, TokVariant, TokResource, TokRecord, TokUse:
			return true
		}
		return isIDToken(k) && p.peekAt(1) == TokColon
	case worldBody:
		switch k {
		case TokImport, TokExport, TokUse, TokInclude, TokType, TokFlags, TokEnum, TokVariant, TokResource, TokRecord:
			return true
		}
	case resourceBody:
		return k == TokConstructor || isIDToken(k) && p.peekAt(1) == TokColon
	}
	return false
}

// parseInterfaceBody parses `{ items }` and returns the items and the
// braces' span.
func (p *parser) parseInterfaceBody() ([]InterfaceItem, Span) {
	lb := p.expect(TokLBrace)
	var items []InterfaceItem
	p.parseBody(interfaceBody, func(docs Docs, attrs []*Attribute) {
		items = append(items, p.parseInterfaceItem(docs, attrs))
	})
	return items, Span{lb.Start, p.prevEnd()}
}

func (p *parser) parseInterfaceItem(docs Docs, attrs []*Attribute) InterfaceItem {
	switch k := p.tok(); {
	case k == TokUse:
		return p.parseUse(attrs)
	case isIDToken(k):
		start := p.startPos()
		f := &NamedFunc{Docs: docs, Attributes: attrs, Name: p.parseID()}
		p.expect(TokColon)
		f.Func = p.parseFunc(FuncFreestanding)
		f.Span = Span{start, p.expect(TokSemicolon).End}
		return f
	}
	if td := p.parseTypeDef(docs, attrs); td != nil {
		return td
	}
	p.fail("`type`, `resource` or `func`")
	return nil
}

func (p *parser) parseWorldItem(docs Docs, attrs []*Attribute) WorldItem {
	switch p.tok() {
	case TokImport, TokExport:
		return p.parseImportExport(docs, attrs)
	case TokUse:
		return p.parseUse(attrs)
	case TokInclude:
		return p.parseInclude(attrs)
	}
	if td := p.parseTypeDef(docs, attrs); td != nil {
		return td
	}
	p.fail("`import`, `export`, `include`, `use`, or type definition")
	return nil
}

// parseImportExport disambiguates the forms of an import or export the
// way wit-parser does: `name: func`, `name: interface {`, `name: path;`,
// else a plain path (where `ns:pkg/iface` also starts with `id :`).
func (p *parser) parseImportExport(docs Docs, attrs []*Attribute) *ImportExport {
	kw := p.tokSpan(p.pos)
	ie := &ImportExport{Docs: docs, Attributes: attrs, Export: p.tok() == TokExport}
	p.next()
	finish := func() *ImportExport {
		ie.Span = Span{kw.Start, p.prevEnd()}
		return ie
	}
	if isIDToken(p.tok()) && p.peekAt(1) == TokColon {
		switch k := p.peekAt(2); {
		case k == TokFunc || k == TokAsync:
			ie.Name = p.parseID()
			p.next()
			ie.Kind = ExternFunc
			ie.Func = p.parseFunc(FuncFreestanding)
			p.expect(TokSemicolon)
			return finish()
		case k == TokInterface:
			ie.Name = p.parseID()
			p.next()
			p.next()
			ie.Kind = ExternInterface
			ie.Items, ie.Body = p.parseInterfaceBody()
			return finish()
		case !(isIDToken(k) && p.peekValidID(2) && p.peekAt(3) == TokSlash):
			ie.Name = p.parseID()
			p.next()
			ie.Kind = ExternNamedPath
			ie.Path = p.parseUsePath()
			p.expect(TokSemicolon)
			return finish()
		}
	}
	ie.Kind = ExternPath
	ie.Path = p.parseUsePath()
	p.expect(TokSemicolon)
	return finish()
}

func (p *parser) peekValidID(n int) bool {
	t := p.toks[p.pos+n]
	name := p.src[t.start:t.end]
	if t.kind == TokExplicitIdent {
		name = name[1:]
	}
	return validateID(name) == ""
}

func (p *parser) parseUse(attrs []*Attribute) *Use {
	kw := p.expect(TokUse)
	u := &Use{Attributes: attrs, From: p.parseUsePath()}
	p.expect(TokPeriod)
	p.expect(TokLBrace)
	p.parseList(TokRBrace, func(Docs) {
		n := &UseName{Name: p.parseID()}
		if p.eat(TokAs) {
			n.As = p.parseID()
		}
		u.Names = append(u.Names, n)
	})
	u.Span = Span{kw.Start, p.expect(TokSemicolon).End}
	return u
}

func (p *parser) parseInclude(attrs []*Attribute) *Include {
	kw := p.expect(TokInclude)
	in := &Include{Attributes: attrs, From: p.parseUsePath()}
	if p.eat(TokWith) {
		p.expect(TokLBrace)
		p.parseList(TokRBrace, func(Docs) {
			n := &IncludeName{Name: p.parseID()}
			p.expect(TokAs)
			n.As = p.parseID()
			in.With = append(in.With, n)
		})
	} else {
		p.expect(TokSemicolon)
	}
	in.Span = Span{kw.Start, p.prevEnd()}
	return in
}

// parseFunc parses `async? func(params) (-> type)?`.
func (p *parser) parseFunc(kind FuncKind) *Func {
	f := &Func{Kind: kind, Async: p.eat(TokAsync)}
	f.Span = p.expect(TokFunc)
	p.expect(TokLParen)
	f.Params = p.parseParams()
	if p.eat(TokArrow) {
		f.Result = p.parseType(0)
	}
	return f
}

// parseParams parses parameters up to and including `)`.
func (p *parser) parseParams() []*Param {
	var params []*Param
	p.parseList(TokRParen, func(Docs) {
		prm := &Param{Name: p.parseID()}
		p.expect(TokColon)
		prm.Type = p.parseType(0)
		params = append(params, prm)
	})
	return params
}

// parseTypeDef parses a type definition if one starts here, else returns nil.
func (p *parser) parseTypeDef(docs Docs, attrs []*Attribute) *TypeDef {
	kind := p.tok()
	switch kind {
	case TokType, TokRecord, TokFlags, TokVariant, TokEnum, TokResource:
	default:
		return nil
	}
	kw := p.tokSpan(p.pos)
	p.next()
	td := &TypeDef{Docs: docs, Attributes: attrs, Name: p.parseID()}
	switch kind {
	case TokType:
		p.expect(TokEquals)
		td.Type = p.parseType(0)
		p.expect(TokSemicolon)
	case TokResource:
		td.Type = p.parseResourceBody(td.Name)
	case TokRecord:
		r := &RecordType{}
		lb := p.expect(TokLBrace)
		p.parseList(TokRBrace, func(docs Docs) {
			f := &Field{Docs: docs, Name: p.parseID()}
			p.expect(TokColon)
			f.Type = p.parseType(0)
			r.Fields = append(r.Fields, f)
		})
		r.Span = Span{lb.Start, p.prevEnd()}
		td.Type = r
	case TokFlags:
		fl := &FlagsType{}
		lb := p.expect(TokLBrace)
		p.parseList(TokRBrace, func(docs Docs) {
			fl.Flags = append(fl.Flags, &Flag{Docs: docs, Name: p.parseID()})
		})
		fl.Span = Span{lb.Start, p.prevEnd()}
		td.Type = fl
	case TokVariant:
		v := &VariantType{}
		lb := p.expect(TokLBrace)
		p.parseList(TokRBrace, func(docs Docs) {
			c := &Case{Docs: docs, Name: p.parseID()}
			if p.eat(TokLParen) {
				c.Type = p.parseType(0)
				p.expect(TokRParen)
			}
			v.Cases = append(v.Cases, c)
		})
		v.Span = Span{lb.Start, p.prevEnd()}
		td.Type = v
	case TokEnum:
		e := &EnumType{}
		lb := p.expect(TokLBrace)
		p.parseList(TokRBrace, func(docs Docs) {
			e.Cases = append(e.Cases, &EnumCase{Docs: docs, Name: p.parseID()})
		})
		e.Span = Span{lb.Start, p.prevEnd()}
		td.Type = e
	}
	td.Span = Span{kw.Start, p.prevEnd()}
	return td
}

// parseResourceBody parses `;` or `{ functions }` after `resource name`.
func (p *parser) parseResourceBody(name *Ident) *ResourceType {
	r := &ResourceType{Span: name.Span}
	if p.tok() != TokLBrace {
		p.expect(TokSemicolon)
		return r
	}
	lb := p.tokSpan(p.pos)
	p.next()
	r.HasBody = true
	p.parseBody(resourceBody, func(docs Docs, attrs []*Attribute) {
		r.Funcs = append(r.Funcs, p.parseResourceFunc(docs, attrs))
	})
	r.Span = Span{lb.Start, p.prevEnd()}
	return r
}

func (p *parser) parseResourceFunc(docs Docs, attrs []*Attribute) *NamedFunc {
	f := &NamedFunc{Docs: docs, Attributes: attrs}
	switch k := p.tok(); {
	case k == TokConstructor:
		kw := p.tokSpan(p.pos)
		p.next()
		f.Name = &Ident{Span: kw, Name: "constructor"}
		f.Func = &Func{Span: kw, Kind: FuncConstructor}
		p.expect(TokLParen)
		f.Func.Params = p.parseParams()
		if p.eat(TokArrow) {
			f.Func.Result = p.parseType(0)
		}
	case isIDToken(k):
		f.Name = p.parseID()
		p.expect(TokColon)
		kind := FuncMethod
		if p.eat(TokStatic) {
			kind = FuncStatic
		}
		f.Func = p.parseFunc(kind)
	default:
		p.fail("`constructor` or identifier")
	}
	f.Span = Span{f.Name.Span.Start, p.expect(TokSemicolon).End}
	return f
}
