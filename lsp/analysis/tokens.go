package analysis

import (
	"sort"

	"github.com/bigband-dev/bigband/wit/syntax"
)

// Token is a classified range for semantic highlighting. Type is one of
// the LSP's standard token type names; Decl and Builtin are modifiers.
type Token struct {
	Start, End int
	Type       string
	Decl       bool
	Builtin    bool
}

func symbolTokenType(s *Symbol) string {
	switch s.Kind {
	case KindInterface:
		return "interface"
	case KindWorld:
		return "namespace"
	case KindFunc, KindExtern:
		return "function"
	case KindField:
		return "property"
	case KindCase:
		return "enumMember"
	case KindParam:
		return "parameter"
	case KindType:
		switch s.Detail {
		case "record":
			return "struct"
		case "enum", "variant", "flags":
			return "enum"
		case "resource":
			return "class"
		}
		return "type"
	}
	return "namespace"
}

func isPrimitive(t syntax.Token) bool {
	switch t {
	case syntax.TokU8, syntax.TokU16, syntax.TokU32, syntax.TokU64, syntax.TokS8, syntax.TokS16, syntax.TokS32, syntax.TokS64,
		syntax.TokF32, syntax.TokF64, syntax.TokChar, syntax.TokBool, syntax.TokStringKw, syntax.TokErrorContext,
		syntax.TokOption, syntax.TokResult, syntax.TokList, syntax.TokTuple, syntax.TokFuture, syntax.TokStream, syntax.TokMap,
		syntax.TokOwn, syntax.TokBorrow:
		return true
	}
	return false
}

// SemanticTokens classifies every token of f, in order, without overlap.
// Comments may span lines; the protocol layer splits them.
func (p *Package) SemanticTokens(f *File) []Token {
	if f == nil || f.sf == nil {
		return nil
	}
	ids := map[int]Token{}
	if p.Index != nil {
		for _, s := range p.Index.defs[f] {
			ids[s.Start] = Token{Start: s.Start, End: s.End, Type: symbolTokenType(s), Decl: true}
		}
		for _, r := range p.Index.refs[f] {
			t := Token{Start: r.Start, End: r.End, Type: "type"}
			if r.Target != nil {
				t.Type = symbolTokenType(r.Target)
			} else if r.IsPath {
				t.Type = "interface"
			}
			ids[r.Start] = t
		}
	}
	var out []Token
	sc := syntax.NewScanner(f.sf, syntax.ScanTrivia, nil)
	prevColon := false
	for {
		tok, span := sc.Next()
		if tok == syntax.TokEOF {
			break
		}
		start, end := f.Offset(span.Start), f.Offset(span.End)
		switch {
		case tok == syntax.TokComment:
			out = append(out, Token{Start: start, End: end, Type: "comment"})
		case tok == syntax.TokString:
			out = append(out, Token{Start: start, End: end, Type: "string"})
		case tok == syntax.TokInteger:
			out = append(out, Token{Start: start, End: end, Type: "number"})
		case isPrimitive(tok):
			out = append(out, Token{Start: start, End: end, Type: "type", Builtin: true})
		case tok.IsKeyword():
			if t, ok := ids[start]; ok { // a keyword used as a name, like `constructor`
				out = append(out, t)
			} else {
				out = append(out, Token{Start: start, End: end, Type: "keyword"})
			}
		case tok == syntax.TokIdent || tok == syntax.TokExplicitIdent:
			if t, ok := ids[start]; ok {
				out = append(out, t)
			} else if prevColon || (end < len(f.Src) && f.Src[end] == ':') {
				out = append(out, Token{Start: start, End: end, Type: "namespace"})
			}
		}
		if tok != syntax.TokWhitespace && tok != syntax.TokComment {
			prevColon = tok == syntax.TokColon
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// Fold is a foldable range; Kind is "comment", "imports" or "".
type Fold struct {
	Start, End int
	Kind       string
}

// Folds lists the foldable ranges of f: bodies of interfaces, worlds and
// types, multi-line functions, doc comment runs and runs of top-level use.
func (p *Package) Folds(f *File) []Fold {
	if f == nil || f.AST == nil {
		return nil
	}
	var out []Fold
	multi := func(start, end int) bool {
		for i := start; i < end && i < len(f.Src); i++ {
			if f.Src[i] == '\n' {
				return true
			}
		}
		return false
	}
	add := func(s syntax.Span, kind string) {
		start, end := f.Offset(s.Start), f.Offset(s.End)
		if s.IsValid() && multi(start, end) {
			out = append(out, Fold{Start: start, End: end, Kind: kind})
		}
	}
	docs := func(d syntax.Docs) {
		if len(d.Comments) > 0 {
			add(syntax.Span{Start: d.Comments[0].Span.Start, End: d.Comments[len(d.Comments)-1].Span.End}, "comment")
		}
	}
	typeDef := func(n *syntax.TypeDef) {
		docs(n.Docs)
		add(n.Span, "")
		if rt, ok := n.Type.(*syntax.ResourceType); ok {
			for _, m := range rt.Funcs {
				docs(m.Docs)
				add(m.Span, "")
			}
		}
	}
	ifaceItems := func(items []syntax.InterfaceItem) {
		for _, it := range items {
			switch n := it.(type) {
			case *syntax.TypeDef:
				typeDef(n)
			case *syntax.NamedFunc:
				docs(n.Docs)
				add(n.Span, "")
			}
		}
	}
	var items func(its []syntax.Item)
	items = func(its []syntax.Item) {
		var useRun []syntax.Span
		flush := func() {
			if len(useRun) > 1 {
				add(syntax.Span{Start: useRun[0].Start, End: useRun[len(useRun)-1].End}, "imports")
			}
			useRun = nil
		}
		for _, it := range its {
			if u, ok := it.(*syntax.TopUse); ok {
				useRun = append(useRun, u.Span)
				continue
			}
			flush()
			switch n := it.(type) {
			case *syntax.Interface:
				docs(n.Docs)
				add(n.Span, "")
				ifaceItems(n.Items)
			case *syntax.World:
				docs(n.Docs)
				add(n.Span, "")
				for _, wi := range n.Items {
					switch w := wi.(type) {
					case *syntax.TypeDef:
						typeDef(w)
					case *syntax.ImportExport:
						docs(w.Docs)
						add(w.Span, "")
						ifaceItems(w.Items)
					}
				}
			case *syntax.NestedPackage:
				docs(n.Docs)
				add(n.Span, "")
				items(n.Items)
			}
		}
		flush()
	}
	if f.AST.Package != nil {
		docs(f.AST.Package.Docs)
	}
	items(f.AST.Items)
	return out
}

// Link is a document link from a use path to the file declaring it.
type Link struct {
	Start, End int
	Target     Loc
}

// Links lists the use, import, export and include paths of f that name an
// interface or world declared in another file.
func (p *Package) Links(f *File) []Link {
	if f == nil || p.Index == nil {
		return nil
	}
	var out []Link
	for _, r := range p.Index.refs[f] {
		if !r.IsPath || r.Target == nil || r.Target.File == f {
			continue
		}
		out = append(out, Link{Start: r.PathStart, End: r.PathEnd, Target: Loc{Path: r.Target.File.Path, Start: r.Target.Start, End: r.Target.End}})
	}
	return out
}
