package syntax

import (
	"fmt"
	"slices"
)

// The parser follows wit-parser's grammar and control flow closely so that
// the first error of a file is the one wit-parser reports, with the same
// message and position. Unlike wit-parser it keeps going: a failed
// construct unwinds (via a bailout panic) to the nearest list element,
// body item or top-level item, which skips ahead to a likely boundary and
// continues.

// token is one non-trivia token of the file.
type token struct {
	kind       Token
	nl         bool  // a line break separates it from the previous token
	start, end int32 // byte offsets
	ncmt       int32 // number of comments before it
}

type parser struct {
	file     *File
	src      string // the source as a string, so names and comments share it
	toks     []token
	comments []*Comment
	pos      int
	badEOF   bool // the lexer already reported running into the end of file

	pre      ErrorList // input-wide checks, reported before anything else
	lexErrs  ErrorList
	errs     ErrorList
	deferred ErrorList // errors wit-parser finds after parsing the file

	idents []Ident  // allocation slab for identifiers
	broken []*Ident // names of declarations that failed to parse

	truncated bool // errors were dropped past MaxErrors
}

// MaxErrors bounds the errors kept per list (input-wide, lexical, syntax)
// of one file, so binary or garbage input costs bounded memory: past it,
// the parser stops and reports that it did.
const MaxErrors = 1000

// bailout unwinds the parse of a construct after its error was reported.
type bailout struct{}

const (
	maxTypeDepth    = 100
	maxPackageDepth = 100
)

// ParseFile parses one .wit file, registering it in fset under filename.
// It always returns a *SourceFile, partial when there are errors, and
// every error it found: the first one is the error wit-parser reports for
// the file (if wit-parser fails while lexing or parsing it).
func ParseFile(fset *FileSet, filename string, src []byte) (*SourceFile, ErrorList) {
	return Parse(fset.AddFile(filename, src))
}

// Parse parses a file already registered in a FileSet. Unlike ParseFile it
// touches no shared state, so several files can be parsed concurrently.
func Parse(f *File) (*SourceFile, ErrorList) {
	p := newParser(f)
	return p.parseFile(), p.errorList()
}

func newParser(f *File) *parser {
	p := &parser{file: f, src: string(f.Source())}
	target := &p.pre
	s := NewScanner(f, ScanTrivia, func(span Span, msg string) {
		if len(*target) < MaxErrors {
			*target = append(*target, &Error{Span: span, Msg: msg})
		} else {
			p.truncated = true
		}
	})
	target = &p.lexErrs
	p.toks = make([]token, 0, len(p.src)/8+16)
	var slab []Comment
	nl := false
	for {
		kind, start, end := s.scan()
		if p.truncated {
			// Past the error bound (input-wide or lexical) the rest is
			// garbage, not worth tokenizing.
			kind, start, end = TokEOF, len(p.src), len(p.src)
		}
		switch kind {
		case TokWhitespace:
			nl = nl || containsNewline(p.src[start:end])
			continue
		case TokComment:
			if len(slab) == cap(slab) {
				slab = make([]Comment, 0, 16)
			}
			slab = append(slab, Comment{Span: p.span(start, end), Text: p.src[start:end]})
			p.comments = append(p.comments, &slab[len(slab)-1])
			nl = nl || p.src[start+1] == '/' || containsNewline(p.src[start:end])
			continue
		}
		p.toks = append(p.toks, token{kind: kind, nl: nl, start: int32(start), end: int32(end), ncmt: int32(len(p.comments))})
		nl = false
		if kind == TokEOF {
			break
		}
	}
	p.badEOF = s.badEOF
	return p
}

func containsNewline(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return true
		}
	}
	return false
}

// errorList orders the errors as wit-parser would meet them: input-wide
// checks first, then lexical and syntax errors by position (lexical first
// at the same spot), then the checks wit-parser makes after parsing.
func (p *parser) errorList() ErrorList {
	var out ErrorList
	out = append(out, p.pre...)
	rest := append(slices.Clip(p.lexErrs), p.errs...)
	slices.SortStableFunc(rest, func(a, b *Error) int { return int(a.Span.Start - b.Span.Start) })
	// Both lists are in position order (the input-wide check scans
	// forwards), so one merge pass drops the errors at a spot the
	// input-wide check already reported: linear, where a lookup per error
	// was quadratic on binary input.
	j := 0
	for _, e := range rest {
		for j < len(p.pre) && p.pre[j].Span.Start < e.Span.Start {
			j++
		}
		if j < len(p.pre) && p.pre[j].Span.Start == e.Span.Start {
			continue
		}
		out = append(out, e)
	}
	out = append(out, p.deferred...)
	if p.truncated {
		end := p.file.Pos(p.file.Size())
		out = append(out, &Error{Span: Span{end, end}, Msg: fmt.Sprintf("too many errors (over %d); the rest of the file was not checked", MaxErrors)})
	}
	return out
}

// ---- token access ----

func (p *parser) span(start, end int) Span { return Span{p.file.Pos(start), p.file.Pos(end)} }

func (p *parser) tok() Token { return p.toks[p.pos].kind }

func (p *parser) peekAt(n int) Token {
	if i := p.pos + n; i < len(p.toks) {
		return p.toks[i].kind
	}
	return TokEOF
}

func (p *parser) tokSpan(i int) Span {
	t := p.toks[i]
	return p.span(int(t.start), int(t.end))
}

func (p *parser) next() {
	if p.pos < len(p.toks)-1 {
		p.pos++
	}
}

// prevEnd is the end of the last consumed token.
func (p *parser) prevEnd() Pos {
	if p.pos == 0 {
		return p.file.Pos(int(p.toks[0].start))
	}
	return p.file.Pos(int(p.toks[p.pos-1].end))
}

func (p *parser) startPos() Pos { return p.file.Pos(int(p.toks[p.pos].start)) }

func (p *parser) eat(k Token) bool {
	if p.tok() == k {
		p.next()
		return true
	}
	return false
}

func (p *parser) expect(k Token) Span {
	if p.tok() != k {
		p.fail(k.Describe())
	}
	s := p.tokSpan(p.pos)
	p.next()
	return s
}

// ---- errors ----

func (p *parser) error(span Span, msg string) {
	if n := len(p.errs); n > 0 && p.errs[n-1].Span.Start == span.Start {
		return // one error per spot; the rest would be fallout
	}
	if len(p.errs) >= MaxErrors {
		p.truncated = true
		return
	}
	p.errs = append(p.errs, &Error{Span: span, Msg: msg})
}

// errorExpected reports "expected X, found <current token>" unless the
// current token is already an error (a lexical one, or the end of a file
// that ended inside a comment or string).
func (p *parser) errorExpected(what string) {
	t := p.toks[p.pos]
	switch {
	case t.kind == TokIllegal, t.kind == TokEOF && p.badEOF:
	case t.kind == TokEOF:
		p.error(p.tokSpan(p.pos), "expected "+what+", found eof")
	default:
		p.error(p.tokSpan(p.pos), "expected "+what+", found "+t.kind.Describe())
	}
}

func (p *parser) fail(what string) {
	p.errorExpected(what)
	panic(bailout{})
}

func (p *parser) bail() { panic(bailout{}) }

// try runs f and reports whether it finished without bailing out.
func (p *parser) try(f func()) (ok bool) {
	defer func() {
		if !ok {
			if r := recover(); r != nil {
				if _, isBail := r.(bailout); !isBail {
					panic(r)
				}
			}
		}
	}()
	f()
	return true
}

// noteBroken records the name of a declaration that started at token
// start and failed: past its attributes, a declaring keyword and a name.
func (p *parser) noteBroken(start int) {
	i := start
	for i+1 < len(p.toks) && p.toks[i].kind == TokAt {
		// @name(...) : skip to the closing parenthesis.
		i += 2
		if i < len(p.toks) && p.toks[i].kind == TokLParen {
			for i < len(p.toks) && p.toks[i].kind != TokRParen && p.toks[i].kind != TokEOF {
				i++
			}
			i++
		}
	}
	if i+1 >= len(p.toks) {
		return
	}
	switch p.toks[i].kind {
	case TokType, TokRecord, TokFlags, TokVariant, TokEnum, TokResource, TokInterface, TokWorld:
	default:
		return
	}
	t := p.toks[i+1]
	if !isIDToken(t.kind) {
		return
	}
	name := p.src[t.start:t.end]
	if t.kind == TokExplicitIdent {
		name = name[1:]
	}
	p.broken = append(p.broken, &Ident{Span: p.span(int(t.start), int(t.end)), Name: name})
}

// ---- identifiers and docs ----

func isIDToken(k Token) bool { return k == TokIdent || k == TokExplicitIdent }

func (p *parser) parseID() *Ident {
	t := p.toks[p.pos]
	if !isIDToken(t.kind) {
		p.fail("an identifier or string")
	}
	p.next()
	if len(p.idents) == cap(p.idents) {
		p.idents = make([]Ident, 0, 64)
	}
	name := p.src[t.start:t.end]
	if t.kind == TokExplicitIdent {
		name = name[1:]
	}
	p.idents = append(p.idents, Ident{Span: p.span(int(t.start), int(t.end)), Name: name})
	id := &p.idents[len(p.idents)-1]
	if msg := validateID(name); msg != "" {
		p.error(id.Span, msg)
	}
	return id
}

// docs returns the comments between the previous token and the current
// one: wit-parser treats all of them as the next construct's docs.
func (p *parser) docs() Docs {
	lo := 0
	if p.pos > 0 {
		lo = int(p.toks[p.pos-1].ncmt)
	}
	hi := int(p.toks[p.pos].ncmt)
	if lo == hi {
		return Docs{}
	}
	cs := p.comments[lo:hi:hi]
	return Docs{Span: Span{cs[0].Span.Start, cs[len(cs)-1].Span.End}, Comments: cs}
}

// ---- file and top-level items ----

func (p *parser) parseFile() *SourceFile {
	sf := &SourceFile{File: p.file, Comments: p.comments}
	if p.tok() == TokPackage {
		// `package a:b;` is the header; `package a:b {` a nested package,
		// parsed as an item below.
		save := p.pos
		docs := p.docs()
		var decl *PackageDecl
		ok := p.try(func() {
			start := p.startPos()
			p.next()
			name := p.parsePackageName()
			if p.tok() == TokSemicolon {
				end := p.tokSpan(p.pos).End
				p.next()
				decl = &PackageDecl{Docs: docs, Span: Span{start, end}, Name: name}
			}
		})
		switch {
		case !ok:
			p.syncTop(save, false)
		case decl == nil:
			p.pos = save
		}
		sf.Package = decl
	}
	sf.Items = p.parseDeclList(false, 0)
	sf.Broken = p.broken
	return sf
}

// parseDeclList parses package items up to the end of the file or, when
// nested, up to and including the closing brace.
func (p *parser) parseDeclList(nested bool, depth int) []Item {
	var items []Item
	for {
		docs := p.docs()
		if nested && p.eat(TokRBrace) {
			return items
		}
		if !nested && p.tok() == TokEOF {
			return items
		}
		if p.truncated || len(p.errs) >= MaxErrors {
			// Garbage input: stop rather than recover error after error.
			p.truncated = true
			p.pos = len(p.toks) - 1
			return items
		}
		start := p.pos
		var item Item
		if p.try(func() { item = p.parseItem(docs, depth) }) {
			items = append(items, item)
			continue
		}
		p.noteBroken(start)
		p.syncTop(start, nested)
		if p.tok() == TokEOF {
			return items
		}
	}
}

func (p *parser) parseItem(docs Docs, depth int) Item {
	attrs := p.parseAttributes()
	switch p.tok() {
	case TokInterface:
		return p.parseInterface(docs, attrs)
	case TokWorld:
		return p.parseWorld(docs, attrs)
	case TokUse:
		return p.parseTopUse(attrs)
	case TokPackage:
		return p.parseNestedPackage(docs, attrs, depth)
	}
	p.fail("`world`, `interface` or `use`")
	return nil
}

// syncTop skips to the next top-level item after an error in the item
// that started at token start.
func (p *parser) syncTop(start int, nested bool) {
	// A stray `}` at the top level of a file is skipped; in a nested
	// package it closes the package.
	p.skipItem(start, !nested, func() bool {
		switch p.tok() {
		case TokInterface, TokWorld, TokPackage, TokUse:
			return true
		case TokAt:
			return p.toks[p.pos].nl
		}
		return false
	})
}

// skipItem skips the rest of a failed item that started at token start:
// through its `;` or its closing brace, or up to a token at brace depth 0
// where startsItem says the next item begins. A `}` closing an enclosing
// block ends the skip, unless skipStray says to pass over it.
func (p *parser) skipItem(start int, skipStray bool, startsItem func() bool) {
	if p.pos == start {
		p.next()
	}
	depth := p.braceDepth(start)
	for {
		switch p.tok() {
		case TokEOF:
			return
		case TokLBrace:
			depth++
		case TokRBrace:
			if depth == 0 {
				if !skipStray {
					return
				}
				break
			}
			depth--
			if depth == 0 {
				p.next()
				return
			}
		case TokSemicolon:
			if depth == 0 {
				p.next()
				return
			}
		default:
			if depth == 0 && startsItem() {
				return
			}
		}
		p.next()
	}
}

// braceDepth counts the braces opened and not closed since token start.
func (p *parser) braceDepth(start int) int {
	depth := 0
	for _, t := range p.toks[start:p.pos] {
		switch t.kind {
		case TokLBrace:
			depth++
		case TokRBrace:
			if depth > 0 {
				depth--
			}
		}
	}
	return depth
}

func (p *parser) parseNestedPackage(docs Docs, attrs []*Attribute, depth int) *NestedPackage {
	kw := p.expect(TokPackage)
	if len(attrs) > 0 {
		p.error(kw, "cannot place attributes on nested packages")
	}
	if depth >= maxPackageDepth {
		p.error(kw, "package nesting too deep")
		p.bail()
	}
	n := &NestedPackage{Docs: docs, Attributes: attrs, Name: p.parsePackageName()}
	p.expect(TokLBrace)
	if depth == 1 {
		// wit-parser parses these and rejects them when resolving the
		// enclosing nested package, so after all syntax errors.
		p.deferred = append(p.deferred, &Error{Span: n.Name.Span, Msg: "nested packages must be placed at the top-level"})
	}
	n.Items = p.parseDeclList(true, depth+1)
	n.Span = Span{kw.Start, p.prevEnd()}
	return n
}

func (p *parser) parsePackageName() *PackageName {
	ns := p.parseID()
	p.expect(TokColon)
	name := p.parseID()
	pn := &PackageName{Namespace: ns, Name: name, Version: p.parseOptVersion()}
	pn.Span = Span{ns.Span.Start, name.Span.End}
	if pn.Version != nil {
		pn.Span.End = pn.Version.Span.End
	}
	return pn
}

func (p *parser) parseTopUse(attrs []*Attribute) *TopUse {
	kw := p.expect(TokUse)
	u := &TopUse{Attributes: attrs, Path: p.parseUsePath()}
	if p.eat(TokAs) {
		u.As = p.parseID()
	}
	u.Span = Span{kw.Start, p.expect(TokSemicolon).End}
	return u
}

// parseUsePath parses `name` or `ns:pkg/name@version`.
func (p *parser) parseUsePath() *UsePath {
	first := p.parseID()
	up := &UsePath{Name: first}
	if p.eat(TokColon) {
		pkg := p.parseID()
		p.expect(TokSlash)
		up.Name = p.parseID()
		up.Package = &PackageName{Span: Span{first.Span.Start, pkg.Span.End}, Namespace: first, Name: pkg, Version: p.parseOptVersion()}
	}
	up.Span = Span{first.Span.Start, p.prevEnd()}
	return up
}

func (p *parser) parseInterface(docs Docs, attrs []*Attribute) *Interface {
	kw := p.expect(TokInterface)
	it := &Interface{Docs: docs, Attributes: attrs, Name: p.parseID()}
	it.Items, _ = p.parseInterfaceBody()
	it.Span = Span{kw.Start, p.prevEnd()}
	return it
}

func (p *parser) parseWorld(docs Docs, attrs []*Attribute) *World {
	kw := p.expect(TokWorld)
	w := &World{Docs: docs, Attributes: attrs, Name: p.parseID()}
	p.expect(TokLBrace)
	p.parseBody(worldBody, func(docs Docs, attrs []*Attribute) {
		w.Items = append(w.Items, p.parseWorldItem(docs, attrs))
	})
	w.Span = Span{kw.Start, p.prevEnd()}
	return w
}
