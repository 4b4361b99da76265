package syntax

import (
	"sort"
	"strconv"
	"strings"
)

// The printer walks the AST and the source in lockstep. Every token it prints
// that also exists in the source is matched to its source position (nodes
// carry spans; keywords and punctuation are found by scanning the gap after
// the previous token), and every comment that starts before that position is
// printed first. So each comment stays between the same two tokens it sat
// between in the source, which keeps docs attached to the same items, and no
// comment can be lost: whatever is left at the end is printed there.
//
// Layout: a comment that starts a line keeps its own line; a comment after a
// token on the same source line stays at the end of that line; a line comment
// inside an item (between two tokens of a type, say) ends the line there and
// the item continues on the next line, indented one more step.

// Format prints f in the canonical style. f.File must hold the source f was
// parsed from; the printer reads comments and blank lines from it.
func Format(f *SourceFile) []byte {
	p := &printer{comments: f.Comments}
	if f.File != nil {
		p.src, p.base = f.File.Source(), f.File.Base()
		p.cursor = p.base
	}
	p.sourceFile(f)
	return p.finish()
}

// FormatError is why FormatSource refused to format: the file's syntax
// errors, with the FileSet that renders their positions.
type FormatError struct {
	Files  *FileSet
	Errors ErrorList
}

func (e *FormatError) Error() string {
	lines := make([]string, len(e.Errors))
	for i, err := range e.Errors {
		lines[i] = e.Files.Position(err.Span.Start).String() + ": " + err.Msg
	}
	return strings.Join(lines, "\n")
}

func (e *FormatError) Unwrap() error { return e.Errors }

// FormatSource parses src and formats it. It refuses files with syntax
// errors (returning a *FormatError) rather than guess at their meaning, and
// binary input (not UTF-8, or with NUL bytes) at once, before parsing it.
func FormatSource(filename string, src []byte) ([]byte, error) {
	if err := CheckText(filename, src); err != nil {
		return nil, err
	}
	fset := NewFileSet()
	f, errs := ParseFile(fset, filename, src)
	if len(errs) > 0 {
		return nil, &FormatError{Files: fset, Errors: errs}
	}
	return Format(f), nil
}

type printer struct {
	src      []byte
	base     Pos
	comments []*Comment
	ci       int // next comment to print
	// cursor is the end of the last source token or comment printed; the
	// next source token is searched for from here.
	cursor Pos
	buf    []byte
	indent int
	cont   bool // the current line continues one broken by a line comment
	// spaceDue asks for a space after an inline block comment unless
	// punctuation that hugs its left neighbour comes next.
	spaceDue  bool
	needBlank bool // a blank line is due before the next line
}

// --- source access ---

func (p *printer) off(pos Pos) int { return int(pos - p.base) }

func (p *printer) inSource(pos Pos) bool {
	return pos.IsValid() && p.src != nil && p.off(pos) >= 0 && p.off(pos) <= len(p.src)
}

// commentAt returns the comment starting at offset off, or nil.
func (p *printer) commentAt(off int) *Comment {
	pos := p.base + Pos(off)
	i := sort.Search(len(p.comments), func(i int) bool { return p.comments[i].Span.Start >= pos })
	if i < len(p.comments) && p.comments[i].Span.Start == pos {
		return p.comments[i]
	}
	return nil
}

// skipTrivia returns the offset of the first byte at or after off that is
// neither whitespace nor inside a comment.
func (p *printer) skipTrivia(off int) int {
	for off < len(p.src) {
		switch p.src[off] {
		case ' ', '\t', '\n', '\r':
			off++
			continue
		}
		c := p.commentAt(off)
		if c == nil || c.Span.End <= c.Span.Start {
			return off
		}
		off = p.off(c.Span.End)
	}
	return off
}

// nextToken is the position of the next source token after the cursor (the
// end of the file if there is none).
func (p *printer) nextToken() Pos {
	if !p.inSource(p.cursor) {
		return NoPos
	}
	return p.base + Pos(p.skipTrivia(p.off(p.cursor)))
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// find locates the keyword or punctuation s as the next source token. A
// separator the printer drops (a trailing comma) is stepped over. It returns
// NoPos when s is not there, i.e. when the printer inserts it.
func (p *printer) find(s string) Pos {
	if !p.inSource(p.cursor) {
		return NoPos
	}
	off := p.off(p.cursor)
	for range 4 {
		off = p.skipTrivia(off)
		if p.matchAt(off, s) {
			return p.base + Pos(off)
		}
		if off >= len(p.src) || p.src[off] != ',' && p.src[off] != ';' {
			return NoPos
		}
		off++
	}
	return NoPos
}

// matchAt reports whether the source at off holds the token s (a whole
// word, if s is one).
func (p *printer) matchAt(off int, s string) bool {
	end := off + len(s)
	return end <= len(p.src) && string(p.src[off:end]) == s &&
		(!isWordByte(s[len(s)-1]) || end == len(p.src) || !isWordByte(p.src[end]))
}

// peek reports whether the next source token is s.
func (p *printer) peek(s string) bool {
	next := p.nextToken()
	return next.IsValid() && p.matchAt(p.off(next), s)
}

// srcBlank reports whether the source has an empty line between a and b.
func (p *printer) srcBlank(a, b Pos) bool {
	if !p.inSource(a) || !p.inSource(b) || a >= b {
		return false
	}
	newlines := 0
	for _, c := range p.src[p.off(a):p.off(b)] {
		switch c {
		case '\n':
			newlines++
			if newlines >= 2 {
				return true
			}
		case ' ', '\t', '\r':
		default:
			newlines = 0
		}
	}
	return false
}

// sameLine reports whether no line break separates a and b in the source.
func (p *printer) sameLine(a, b Pos) bool {
	if !p.inSource(a) || !p.inSource(b) || a > b {
		return false
	}
	return !strings.Contains(string(p.src[p.off(a):p.off(b)]), "\n")
}

// --- output ---

func (p *printer) atLineStart() bool { return len(p.buf) == 0 || p.buf[len(p.buf)-1] == '\n' }

// afterOpen reports whether the last output line ends with an opening brace.
func (p *printer) afterOpen() bool {
	n := len(p.buf)
	return n >= 2 && p.buf[n-1] == '\n' && p.buf[n-2] == '{'
}

// startLine decides on a blank line before a line starting at source
// position at: one is kept where the source had one, or where the layout
// wants one, but never right after `{` or before `}`.
func (p *printer) startLine(at Pos, closer bool) {
	blank := p.needBlank || p.srcBlank(p.cursor, at)
	p.needBlank = false
	if blank && !closer && !p.cont && len(p.buf) > 0 && !p.afterOpen() {
		p.buf = append(p.buf, '\n')
	}
	n := p.indent
	if p.cont {
		n++
	}
	for range n {
		p.buf = append(p.buf, "  "...)
	}
}

// tok prints s, found in the source at at (NoPos if inserted).
func (p *printer) tok(s string, at Pos) {
	if at.IsValid() {
		p.flush(at)
	}
	if p.atLineStart() {
		p.startLine(at, s == "}")
	} else if p.spaceDue && !strings.Contains(",;)>", s) {
		p.buf = append(p.buf, ' ')
	}
	p.spaceDue = false
	p.buf = append(p.buf, s...)
	if at.IsValid() {
		p.cursor = at + Pos(len(s))
	}
}

// kw prints a keyword or punctuation token.
func (p *printer) kw(s string) { p.tok(s, p.find(s)) }

// kwSp prints a token and a space; spKwSp surrounds it with spaces.
func (p *printer) kwSp(s string)   { p.kw(s); p.sp() }
func (p *printer) spKwSp(s string) { p.sp(); p.kwSp(s) }

// kws prints tokens with nothing between them.
func (p *printer) kws(ss ...string) {
	for _, s := range ss {
		p.kw(s)
	}
}

// end prints a token that ends the line.
func (p *printer) end(s string) { p.kw(s); p.newline() }

// head prints `keyword name`.
func (p *printer) head(kw string, name *Ident) { p.kwSp(kw); p.ident(name) }

// tokSpan prints a token whose node knows its span.
func (p *printer) tokSpan(s string, sp Span) {
	p.tok(s, sp.Start)
	if sp.End.IsValid() {
		p.cursor = sp.End
	}
}

func (p *printer) sp() {
	if !p.atLineStart() {
		p.buf = append(p.buf, ' ')
	}
}

// newline ends the current line, taking along comments that follow on the
// same source line.
func (p *printer) newline() {
	next := p.nextToken()
	for p.ci < len(p.comments) {
		c := p.comments[p.ci]
		if next.IsValid() && c.Span.Start >= next || !p.sameLine(p.cursor, c.Span.Start) || isDocComment(c.Text) {
			break
		}
		p.ci++
		p.buf = append(p.buf, ' ')
		p.buf = append(p.buf, commentText(c.Text)...)
		p.cursor = c.Span.End
	}
	p.trimLine()
	p.buf = append(p.buf, '\n')
	p.cont = false
	p.spaceDue = false
}

func (p *printer) trimLine() {
	for n := len(p.buf); n > 0 && (p.buf[n-1] == ' ' || p.buf[n-1] == '\t'); n-- {
		p.buf = p.buf[:n-1]
	}
}

// flush prints every comment that starts before at.
func (p *printer) flush(at Pos) {
	for p.ci < len(p.comments) && p.comments[p.ci].Span.Start < at {
		p.comment(p.comments[p.ci])
	}
}

func (p *printer) comment(c *Comment) {
	p.ci++
	text := commentText(c.Text)
	if p.atLineStart() {
		p.startLine(c.Span.Start, false)
		p.buf = append(p.buf, text...)
		p.cursor = c.Span.End
		p.newline()
		return
	}
	if last := p.buf[len(p.buf)-1]; last != ' ' && last != '(' && last != '<' {
		p.buf = append(p.buf, ' ')
	}
	p.spaceDue = false
	p.buf = append(p.buf, text...)
	p.cursor = c.Span.End
	if strings.HasPrefix(text, "//") {
		// Nothing may follow a line comment on its line.
		p.newline()
		p.cont = true
		return
	}
	p.spaceDue = true
}

// isDocComment reports whether text is a `///` or `/**` doc comment. Those
// document the next item, so the printer puts them on their own line before
// it rather than at the end of the previous one.
func isDocComment(text string) bool {
	return strings.HasPrefix(text, "///") || strings.HasPrefix(text, "/**") && text != "/**/"
}

// commentText normalises a comment for output: no trailing blanks on line
// comments, \n line endings inside block comments.
func commentText(s string) string {
	if strings.HasPrefix(s, "//") {
		return strings.TrimRight(s, " \t\r\n")
	}
	for strings.Contains(s, "\r\n") { // \r\r\n needs two rounds
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	return s
}

func (p *printer) finish() []byte {
	for p.ci < len(p.comments) {
		if !p.atLineStart() {
			p.newline()
			continue
		}
		p.comment(p.comments[p.ci])
	}
	if !p.atLineStart() {
		p.newline()
	}
	// Exactly one trailing newline (none for an empty file).
	for len(p.buf) >= 2 && p.buf[len(p.buf)-1] == '\n' && p.buf[len(p.buf)-2] == '\n' {
		p.buf = p.buf[:len(p.buf)-1]
	}
	return p.buf
}

// --- nodes ---

// ident prints an identifier exactly as written, `%` included.
func (p *printer) ident(id *Ident) {
	text := id.Name
	if p.inSource(id.Span.Start) && p.inSource(id.Span.End) && id.Span.End > id.Span.Start {
		raw := string(p.src[p.off(id.Span.Start):p.off(id.Span.End)])
		if strings.TrimPrefix(raw, "%") == id.Name {
			text = raw
		}
	}
	p.tokSpan(text, id.Span)
}

func (p *printer) version(v *Version) {
	p.kw("@")
	p.tokSpan(v.Text, v.Span)
}

func (p *printer) packageName(n *PackageName) {
	p.ident(n.Namespace)
	p.kw(":")
	p.ident(n.Name)
	if n.Version != nil {
		p.version(n.Version)
	}
}

func (p *printer) usePath(u *UsePath) {
	if u.Package == nil {
		p.ident(u.Name)
		return
	}
	p.ident(u.Package.Namespace)
	p.kw(":")
	p.ident(u.Package.Name)
	p.kw("/")
	p.ident(u.Name)
	if u.Package.Version != nil {
		p.version(u.Package.Version) // written after the name: ns:pkg/name@1.0.0
	}
}

func (p *printer) attributes(attrs []*Attribute) {
	for _, a := range attrs {
		p.kw("@")
		switch a.Kind {
		case AttrSince, AttrDeprecated:
			p.kws(pick(a.Kind == AttrSince, "since", "deprecated"), "(")
			p.kwSp("version")
			p.kwSp("=")
			if a.Version != nil {
				p.tokSpan(a.Version.Text, a.Version.Span)
			}
		case AttrUnstable:
			p.kws("unstable", "(")
			p.kwSp("feature")
			p.kwSp("=")
			if a.Feature != nil {
				p.ident(a.Feature)
			}
		case AttrExternalID:
			p.kws("external-id", "(")
			p.stringLit(a.Value)
		}
		p.end(")")
	}
}

// stringLit prints the string literal at the cursor as written, or value
// quoted when the source does not have it.
func (p *printer) stringLit(value string) {
	at := p.find(`"`)
	if !at.IsValid() {
		p.tok(strconv.Quote(value), NoPos)
		return
	}
	off := p.off(at) + 1
	for off < len(p.src) && p.src[off] != '"' && p.src[off] != '\n' {
		if p.src[off] == '\\' {
			off++
		}
		off++
	}
	end := min(off+1, len(p.src))
	p.tok(string(p.src[p.off(at):end]), at)
}

func (p *printer) sourceFile(f *SourceFile) {
	if f.Package != nil {
		p.kwSp("package")
		p.packageName(f.Package.Name)
		p.end(";")
	}
	p.topItems(f.Items)
}

func (p *printer) topItems(items []Item) {
	for i, it := range items {
		// Items stand apart, except runs of top-level uses.
		_, use := it.(*TopUse)
		prevUse := false
		if i > 0 {
			_, prevUse = items[i-1].(*TopUse)
		}
		p.needBlank = !use || !prevUse
		switch it := it.(type) {
		case *Interface:
			p.attributes(it.Attributes)
			p.head("interface", it.Name)
			p.interfaceBody(it.Items)
		case *World:
			p.attributes(it.Attributes)
			p.head("world", it.Name)
			p.worldBody(it.Items)
		case *TopUse:
			p.attributes(it.Attributes)
			p.kwSp("use")
			p.usePath(it.Path)
			if it.As != nil {
				p.spKwSp("as")
				p.ident(it.As)
			}
			p.kw(";")
		case *NestedPackage:
			p.attributes(it.Attributes)
			p.kwSp("package")
			p.packageName(it.Name)
			p.block(len(it.Items), func(int) bool { return true }, func(i int) { p.topItems(it.Items[i : i+1]) })
		}
		p.newline()
	}
}

// block prints `{ ... }` around n items, each printing its own lines.
// blankBefore says which items get a blank line before them whatever the
// source had. A body with neither items nor comments prints as `{}`.
func (p *printer) block(n int, blankBefore func(i int) bool, item func(i int)) {
	p.sp()
	p.kw("{")
	if next := p.nextToken(); n == 0 && (p.ci >= len(p.comments) || !next.IsValid() || p.comments[p.ci].Span.Start >= next) {
		p.kw("}")
		return
	}
	p.newline()
	p.indent++
	for i := range n {
		if i > 0 && blankBefore(i) {
			p.needBlank = true
		}
		item(i)
	}
	if at := p.find("}"); at.IsValid() {
		p.flush(at)
	}
	p.indent--
	p.kw("}")
}

func noBlank(int) bool { return false }

func (p *printer) interfaceBody(items []InterfaceItem) {
	p.block(len(items), func(i int) bool { return hasBody(items[i-1]) }, func(i int) {
		switch it := items[i].(type) {
		case *TypeDef:
			p.typeDef(it)
		case *NamedFunc:
			p.namedFunc(it)
		case *Use:
			p.use(it)
		}
	})
}

func (p *printer) worldBody(items []WorldItem) {
	p.block(len(items), func(i int) bool { return hasBody(items[i-1]) }, func(i int) {
		switch it := items[i].(type) {
		case *ImportExport:
			p.importExport(it)
		case *Use:
			p.use(it)
		case *TypeDef:
			p.typeDef(it)
		case *Include:
			p.include(it)
		}
	})
}

// hasBody reports whether an item prints over several lines; a blank line
// follows such items so that bodies stand apart.
func hasBody(it any) bool {
	switch it := it.(type) {
	case *TypeDef:
		n := 0
		switch t := it.Type.(type) {
		case *RecordType:
			n = len(t.Fields)
		case *FlagsType:
			n = len(t.Flags)
		case *VariantType:
			n = len(t.Cases)
		case *EnumType:
			n = len(t.Cases)
		case *ResourceType:
			n = len(t.Funcs)
		}
		return n > 0
	case *ImportExport:
		return it.Kind == ExternInterface && len(it.Items) > 0
	}
	return false
}

func (p *printer) use(u *Use) {
	p.attributes(u.Attributes)
	p.kwSp("use")
	p.usePath(u.From)
	p.kws(".", "{")
	for i, n := range u.Names {
		if i > 0 {
			p.kwSp(",")
		}
		p.ident(n.Name)
		if n.As != nil {
			p.spKwSp("as")
			p.ident(n.As)
		}
	}
	p.kw("}")
	p.end(";")
}

func (p *printer) include(in *Include) {
	p.attributes(in.Attributes)
	p.kwSp("include")
	p.usePath(in.From)
	if len(in.With) == 0 && !p.peek("with") {
		p.end(";")
		return
	}
	p.spKwSp("with")
	p.kw("{")
	for i, n := range in.With {
		if i > 0 {
			p.kw(",")
		}
		p.sp()
		p.ident(n.Name)
		p.spKwSp("as")
		p.ident(n.As)
	}
	if len(in.With) > 0 {
		p.sp()
	}
	p.end("}") // no `;` after a with-clause
}

func (p *printer) importExport(ie *ImportExport) {
	p.attributes(ie.Attributes)
	p.kwSp(pick(ie.Export, "export", "import"))
	if ie.Kind != ExternPath {
		p.ident(ie.Name)
		p.kwSp(":")
	}
	switch ie.Kind {
	case ExternPath, ExternNamedPath:
		p.usePath(ie.Path)
		p.kw(";")
	case ExternFunc:
		p.funcType(ie.Func)
		p.kw(";")
	case ExternInterface:
		p.kw("interface")
		p.interfaceBody(ie.Items)
	}
	p.newline()
}

func (p *printer) namedFunc(nf *NamedFunc) {
	p.attributes(nf.Attributes)
	p.ident(nf.Name)
	if nf.Func.Kind == FuncConstructor {
		p.params(nf.Func)
	} else {
		p.kwSp(":")
		p.funcType(nf.Func)
	}
	p.end(";")
}

func (p *printer) funcType(f *Func) {
	if f.Kind == FuncStatic {
		p.kwSp("static")
	}
	if f.Async {
		p.kwSp("async")
	}
	p.kw("func")
	p.params(f)
}

// params prints a parameter list and the result arrow, if any.
func (p *printer) params(f *Func) {
	p.kw("(")
	for i, param := range f.Params {
		if i > 0 {
			p.kwSp(",")
		}
		p.ident(param.Name)
		p.kwSp(":")
		p.typ(param.Type)
	}
	p.kw(")")
	if f.Result != nil {
		p.spKwSp("->")
		p.typ(f.Result)
	}
}

func (p *printer) typeDef(td *TypeDef) {
	p.attributes(td.Attributes)
	switch t := td.Type.(type) {
	case *RecordType:
		p.head("record", td.Name)
		p.block(len(t.Fields), noBlank, func(i int) {
			p.ident(t.Fields[i].Name)
			p.kwSp(":")
			p.typ(t.Fields[i].Type)
			p.end(",")
		})
	case *FlagsType:
		p.head("flags", td.Name)
		p.block(len(t.Flags), noBlank, func(i int) { p.ident(t.Flags[i].Name); p.end(",") })
	case *VariantType:
		p.head("variant", td.Name)
		p.block(len(t.Cases), noBlank, func(i int) {
			p.ident(t.Cases[i].Name)
			if t.Cases[i].Type != nil {
				p.kw("(")
				p.typ(t.Cases[i].Type)
				p.kw(")")
			}
			p.end(",")
		})
	case *EnumType:
		p.head("enum", td.Name)
		p.block(len(t.Cases), noBlank, func(i int) { p.ident(t.Cases[i].Name); p.end(",") })
	case *ResourceType:
		p.head("resource", td.Name)
		if !t.HasBody {
			p.kw(";")
			break
		}
		p.block(len(t.Funcs), noBlank, func(i int) { p.namedFunc(t.Funcs[i]) })
	default:
		p.head("type", td.Name)
		p.spKwSp("=")
		p.typ(td.Type)
		p.kw(";")
	}
	p.newline()
}

// typ prints a type expression on the current line; nil is the `_` of
// `result<_, E>`.
func (p *printer) typ(t Type) {
	switch t := t.(type) {
	case nil:
		p.kw("_")
	case *Primitive:
		p.tokSpan(t.Kind.String(), t.Span)
	case *NamedType:
		p.ident(t.Name)
	case *HandleType:
		p.kws(pick(t.Borrow, "borrow", "own"), "<")
		p.ident(t.Resource)
		p.kw(">")
	case *ListType:
		p.kws("list", "<")
		p.typ(t.Elem)
		if t.HasSize {
			p.kwSp(",")
			p.tokSpan(strconv.FormatUint(uint64(t.Size), 10), t.SizeAt)
		}
		p.kw(">")
	case *MapType:
		p.kw("map")
		p.typeArgs(t.Key, t.Value)
	case *OptionType:
		p.kw("option")
		p.typeArgs(t.Elem)
	case *ResultType:
		p.kw("result")
		switch {
		case t.Ok == nil && t.Err == nil:
		case t.Err == nil:
			p.typeArgs(t.Ok)
		default:
			p.typeArgs(t.Ok, t.Err)
		}
	case *TupleType:
		p.kw("tuple")
		p.typeArgs(t.Types...)
	case *FutureType:
		p.kw("future")
		if t.Elem != nil {
			p.typeArgs(t.Elem)
		}
	case *StreamType:
		p.kw("stream")
		if t.Elem != nil {
			p.typeArgs(t.Elem)
		}
	}
}

func (p *printer) typeArgs(ts ...Type) {
	p.kw("<")
	for i, t := range ts {
		if i > 0 {
			p.kwSp(",")
		}
		p.typ(t)
	}
	p.kw(">")
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}
