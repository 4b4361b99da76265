package analysis

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bigband-dev/bigband/wit/syntax"
)

// Loc is a byte range in a file.
type Loc struct {
	Path       string
	Start, End int
}

// Edit replaces [Start, End) of Path with Text.
type Edit struct {
	Path       string
	Start, End int
	Text       string
}

// At finds what is at byte offset off of f: a declaration's name or a
// reference. The end of an identifier counts, so a cursor just after a
// name still finds it.
func (p *Package) At(f *File, off int) (*Symbol, *Ref) {
	if p.Index == nil || f == nil {
		return nil, nil
	}
	refs := p.Index.refs[f]
	i := sort.Search(len(refs), func(i int) bool { return refs[i].End >= off })
	if i < len(refs) && refs[i].Start <= off {
		return nil, refs[i]
	}
	for _, s := range p.Index.defs[f] {
		if s.Start <= off && off <= s.End {
			return s, nil
		}
	}
	return nil, nil
}

// Definition is the declaration the name at off refers to (or is).
func (p *Package) Definition(f *File, off int) *Symbol {
	s, r := p.At(f, off)
	if r != nil {
		return r.Target
	}
	return s
}

// TypeDefinition is the declaration of the type of what is at off: for a
// field, parameter or alias, the named type its type mentions, followed
// through aliases; for a type reference, the type itself.
func (p *Package) TypeDefinition(f *File, off int) *Symbol {
	s := p.Definition(f, off)
	for range 16 {
		if s == nil {
			return nil
		}
		if s.typ == nil {
			return s
		}
		next := p.namedIn(s, s.typ)
		if next == nil {
			return s
		}
		if next.Detail != "type" { // an alias: keep following
			return next
		}
		s = next
	}
	return s
}

// namedIn finds the first named type mentioned by t, looked up from s's
// scope.
func (p *Package) namedIn(s *Symbol, t syntax.Type) *Symbol {
	var id *syntax.Ident
	var walk func(t syntax.Type)
	walk = func(t syntax.Type) {
		if id != nil || t == nil {
			return
		}
		switch n := t.(type) {
		case *syntax.NamedType:
			id = n.Name
		case *syntax.HandleType:
			id = n.Resource
		case *syntax.ListType:
			walk(n.Elem)
		case *syntax.OptionType:
			walk(n.Elem)
		case *syntax.ResultType:
			walk(n.Ok)
			walk(n.Err)
		case *syntax.TupleType:
			for _, e := range n.Types {
				walk(e)
			}
		case *syntax.MapType:
			walk(n.Value)
		case *syntax.FutureType:
			walk(n.Elem)
		case *syntax.StreamType:
			walk(n.Elem)
		}
	}
	walk(t)
	if id == nil {
		return nil
	}
	_, r := p.At(s.File, s.File.Offset(id.Span.Start))
	if r == nil {
		return nil
	}
	return r.Target
}

// References lists every reference to sym in the package and its deps,
// with the declaration first when includeDecl is set.
func (p *Package) References(sym *Symbol, includeDecl bool) []Loc {
	var out []Loc
	if sym == nil {
		return nil
	}
	if includeDecl {
		out = append(out, Loc{Path: sym.File.Path, Start: sym.Start, End: sym.End})
	}
	for _, f := range p.Files {
		for _, r := range p.Index.refs[f] {
			if r.Target == sym {
				out = append(out, Loc{Path: f.Path, Start: r.Start, End: r.End})
			}
		}
	}
	return out
}

// Hover describes what is at off as Markdown, and the range it covers.
func (p *Package) Hover(f *File, off int) (string, int, int, bool) {
	s, r := p.At(f, off)
	start, end := 0, 0
	switch {
	case r != nil:
		s, start, end = r.Target, r.Start, r.End
		if s == nil {
			return fmt.Sprintf("`%s`: not defined in scope", r.Name), start, end, true
		}
	case s != nil:
		start, end = s.Start, s.End
	default:
		return "", 0, 0, false
	}
	var b strings.Builder
	b.WriteString("```wit\n")
	b.WriteString(signature(s))
	b.WriteString("\n```")
	if where := location(s); where != "" {
		b.WriteString("\n\n" + where)
	}
	if s.Docs != "" {
		b.WriteString("\n\n" + s.Docs)
	}
	return b.String(), start, end, true
}

// signature is the declaration's source, shortened: whole for functions,
// fields and small types; the header for interfaces, worlds and big types.
func signature(s *Symbol) string {
	src := s.File.Src
	if s.DeclStart < 0 || s.DeclEnd > len(src) || s.DeclStart >= s.DeclEnd {
		return s.Name
	}
	text := string(src[s.DeclStart:s.DeclEnd])
	// Drop leading doc comments and attributes that the span may include.
	if i := strings.Index(text, s.Name); s.Kind != KindField && s.Kind != KindParam && s.Kind != KindCase && i > 0 {
		head := text[:i]
		if j := strings.LastIndex(head, "\n"); j >= 0 {
			text = strings.TrimLeft(text[j+1:], " \t")
		}
	}
	lines := strings.Split(text, "\n")
	switch {
	case s.Kind == KindInterface || s.Kind == KindWorld:
		return strings.TrimSuffix(strings.TrimSpace(lines[0]), "{") + "{ ... }"
	case len(lines) > 12:
		return strings.Join(lines[:10], "\n") + "\n  ...\n}"
	}
	return dedent(lines, declIndent(s))
}

// declIndent is the indentation of the line a declaration starts on.
func declIndent(s *Symbol) int {
	src := s.File.Src
	i := s.DeclStart
	for i > 0 && src[i-1] != '\n' {
		i--
	}
	n := 0
	for i+n < len(src) && (src[i+n] == ' ' || src[i+n] == '\t') {
		n++
	}
	return n
}

// dedent removes the declaration's own indentation from its later lines.
func dedent(lines []string, indent int) string {
	for i := 1; i < len(lines); i++ {
		l := lines[i]
		n := 0
		for n < indent && n < len(l) && (l[n] == ' ' || l[n] == '\t') {
			n++
		}
		lines[i] = l[n:]
	}
	return strings.Join(lines, "\n")
}

func location(s *Symbol) string {
	var parts []string
	for q := s.Parent; q != nil; q = q.Parent {
		parts = append([]string{q.Name}, parts...)
	}
	where := strings.Join(parts, ".")
	pkg := s.Pkg
	if pkg != "" {
		if where != "" {
			where = pkg + "/" + where
		} else {
			where = pkg
		}
	}
	if s.File.Dep != "" {
		where += " (deps/" + s.File.Dep + ")"
	}
	if where == "" {
		return ""
	}
	return "in `" + where + "`"
}

// FileSymbols lists the top-level symbols declared in f.
func (p *Package) FileSymbols(f *File) []*Symbol {
	var out []*Symbol
	for _, s := range p.Index.Symbols {
		if s.File == f {
			out = append(out, s)
		}
	}
	return out
}

// WorkspaceSymbols finds interfaces, worlds, types and functions whose
// name contains query (case-insensitively), main package first.
func (p *Package) WorkspaceSymbols(query string) []*Symbol {
	q := strings.ToLower(query)
	var main, deps []*Symbol
	var walk func(s *Symbol)
	walk = func(s *Symbol) {
		if s.Kind == KindParam {
			return
		}
		if strings.Contains(strings.ToLower(s.Name), q) {
			if s.File.Dep == "" {
				main = append(main, s)
			} else {
				deps = append(deps, s)
			}
		}
		for _, c := range s.Children {
			walk(c)
		}
	}
	for _, s := range p.Index.Symbols {
		walk(s)
	}
	return append(main, deps...)
}

// RenameError says why a rename is refused.
type RenameError struct{ Reason string }

func (e *RenameError) Error() string { return e.Reason }

// PrepareRename checks that what is at off can be renamed and returns the
// range of its name.
func (p *Package) PrepareRename(f *File, off int) (int, int, error) {
	s, r := p.At(f, off)
	start, end := 0, 0
	switch {
	case r != nil:
		s, start, end = r.Target, r.Start, r.End
	case s != nil:
		start, end = s.Start, s.End
	}
	if s == nil {
		return 0, 0, &RenameError{"nothing to rename here: put the cursor on a name defined in this package"}
	}
	if s.File.Dep != "" {
		return 0, 0, &RenameError{fmt.Sprintf("`%s` is defined in deps/%s, a copy of another package: rename it there and update the copy", s.Name, s.File.Dep)}
	}
	if r != nil && r.Name != s.Name {
		return 0, 0, &RenameError{"this name is a `use` alias of `" + s.Name + "`: rename the alias where it is declared"}
	}
	return start, end, nil
}

// Rename renames the symbol at off and every reference to it.
func (p *Package) Rename(f *File, off int, newName string) ([]Edit, error) {
	if _, _, err := p.PrepareRename(f, off); err != nil {
		return nil, err
	}
	if err := syntax.ValidateID(strings.TrimPrefix(newName, "%")); err != nil {
		return nil, &RenameError{fmt.Sprintf("`%s` is not a valid WIT identifier: %v", newName, err)}
	}
	sym := p.Definition(f, off)
	var edits []Edit
	for _, l := range p.References(sym, true) {
		file := p.byPath[l.Path]
		if file != nil && file.Dep != "" {
			continue // deps/ refer to their own copies
		}
		text := newName
		if l.Start < len(file.Src) && file.Src[l.Start] == '%' && !strings.HasPrefix(newName, "%") {
			text = "%" + newName
		}
		edits = append(edits, Edit{Path: l.Path, Start: l.Start, End: l.End, Text: text})
	}
	return edits, nil
}

// Format formats f with the wit printer: one edit replacing the text, or
// none when it is already formatted.
func (p *Package) Format(f *File) ([]Edit, error) {
	out, err := syntax.FormatSource(f.Path, f.Src)
	if err != nil {
		return nil, fmt.Errorf("not formatted: the file has syntax errors (%v)", firstLine(err.Error()))
	}
	if string(out) == string(f.Src) {
		return nil, nil
	}
	return []Edit{{Path: f.Path, Start: 0, End: len(f.Src), Text: string(out)}}, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
