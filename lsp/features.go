package lsp

import (
	"context"
	"strings"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/bigband-dev/bigband/lsp/analysis"
)

// Each handler resolves its document on the newest snapshot, asks package
// analysis in byte offsets and converts the answer. A document the server
// can't place answers empty, never an error the editor would show.

func (s *Server) loc(pkg *analysis.Package, path string, start, end int) protocol.Location {
	return protocol.Location{URI: s.sess.uriOf(path), Range: mapperFor(pkg, path).rng(start, end)}
}

func (s *Server) Hover(ctx context.Context, params *protocol.HoverParams) (*protocol.Hover, error) {
	pkg, f, m, err := s.fileFor(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, ignoreNoFile(err)
	}
	text, start, end, ok := pkg.Hover(f, m.offset(params.Position))
	if !ok {
		return nil, nil
	}
	r := m.rng(start, end)
	return &protocol.Hover{Contents: &protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: text}, Range: &r}, nil
}

func ignoreNoFile(err error) error {
	if err == errNoFile {
		return nil
	}
	return err
}

func (s *Server) Definition(ctx context.Context, params *protocol.DefinitionParams) (protocol.DefinitionResult, error) {
	pkg, f, m, err := s.fileFor(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, ignoreNoFile(err)
	}
	sym := pkg.Definition(f, m.offset(params.Position))
	if sym == nil {
		return protocol.LocationSlice{}, nil
	}
	return protocol.LocationSlice{s.loc(pkg, sym.File.Path, sym.Start, sym.End)}, nil
}

func (s *Server) TypeDefinition(ctx context.Context, params *protocol.TypeDefinitionParams) (protocol.DefinitionResult, error) {
	pkg, f, m, err := s.fileFor(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, ignoreNoFile(err)
	}
	sym := pkg.TypeDefinition(f, m.offset(params.Position))
	if sym == nil {
		return protocol.LocationSlice{}, nil
	}
	return protocol.LocationSlice{s.loc(pkg, sym.File.Path, sym.Start, sym.End)}, nil
}

func (s *Server) References(ctx context.Context, params *protocol.ReferenceParams) ([]protocol.Location, error) {
	pkg, f, m, err := s.fileFor(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, ignoreNoFile(err)
	}
	sym := pkg.Definition(f, m.offset(params.Position))
	out := []protocol.Location{}
	for _, l := range pkg.References(sym, params.Context.IncludeDeclaration) {
		out = append(out, s.loc(pkg, l.Path, l.Start, l.End))
	}
	return out, nil
}

func symbolKind(sym *analysis.Symbol) protocol.SymbolKind {
	switch sym.Kind {
	case analysis.KindInterface:
		return protocol.SymbolKindInterface
	case analysis.KindWorld:
		return protocol.SymbolKindNamespace
	case analysis.KindFunc:
		if sym.Detail == "method" {
			return protocol.SymbolKindMethod
		}
		return protocol.SymbolKindFunction
	case analysis.KindField:
		return protocol.SymbolKindField
	case analysis.KindCase:
		return protocol.SymbolKindEnumMember
	case analysis.KindParam:
		return protocol.SymbolKindVariable
	case analysis.KindExtern:
		return protocol.SymbolKindModule
	case analysis.KindType:
		switch sym.Detail {
		case "record":
			return protocol.SymbolKindStruct
		case "enum", "variant", "flags":
			return protocol.SymbolKindEnum
		case "resource":
			return protocol.SymbolKindClass
		}
		return protocol.SymbolKindTypeParameter
	}
	return protocol.SymbolKindPackage
}

func (s *Server) DocumentSymbol(ctx context.Context, params *protocol.DocumentSymbolParams) (protocol.DocumentSymbolResult, error) {
	pkg, f, m, err := s.fileFor(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, ignoreNoFile(err)
	}
	var conv func(sym *analysis.Symbol) protocol.DocumentSymbol
	conv = func(sym *analysis.Symbol) protocol.DocumentSymbol {
		ds := protocol.DocumentSymbol{Name: sym.Name, Kind: symbolKind(sym),
			Range: m.rng(min(sym.DeclStart, sym.Start), max(sym.DeclEnd, sym.End)), SelectionRange: m.rng(sym.Start, sym.End)}
		if sym.Detail != "" {
			d := sym.Detail
			ds.Detail = &d
		}
		for _, c := range sym.Children {
			if c.Kind != analysis.KindParam {
				ds.Children = append(ds.Children, conv(c))
			}
		}
		return ds
	}
	out := protocol.DocumentSymbolSlice{}
	for _, sym := range pkg.FileSymbols(f) {
		out = append(out, conv(sym))
	}
	return out, nil
}

// Symbols searches every package with an open buffer.
func (s *Server) Symbols(ctx context.Context, params *protocol.WorkspaceSymbolParams) (protocol.WorkspaceSymbolResult, error) {
	snap := s.sess.current()
	roots := map[string]bool{}
	for p := range snap.overlays {
		r, single := s.sess.placeOf(p, isVirtual(p))
		roots[r] = single
	}
	out := protocol.WorkspaceSymbolSlice{}
	seen := map[protocol.Location]bool{}
	for _, root := range sortedKeys(roots) {
		pkg, err := s.sess.pkg(ctx, snap, root, roots[root])
		if err != nil {
			return nil, err
		}
		for _, sym := range pkg.WorkspaceSymbols(params.Query) {
			l := s.loc(pkg, sym.File.Path, sym.Start, sym.End)
			if seen[l] || len(out) >= 1000 {
				continue
			}
			seen[l] = true
			ws := protocol.WorkspaceSymbol{Location: &l}
			ws.Name, ws.Kind = sym.Name, symbolKind(sym)
			if sym.Parent != nil {
				c := sym.Parent.Name
				ws.ContainerName = &c
			} else if sym.Pkg != "" {
				c := sym.Pkg
				ws.ContainerName = &c
			}
			out = append(out, ws)
		}
	}
	return out, nil
}

var completionKinds = map[string]protocol.CompletionItemKind{
	"keyword":   protocol.CompletionItemKindKeyword,
	"type":      protocol.CompletionItemKindClass,
	"interface": protocol.CompletionItemKindInterface,
	"world":     protocol.CompletionItemKindModule,
	"package":   protocol.CompletionItemKindModule,
}

func (s *Server) Completion(ctx context.Context, params *protocol.CompletionParams) (protocol.CompletionResult, error) {
	pkg, f, m, err := s.fileFor(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, ignoreNoFile(err)
	}
	off := m.offset(params.Position)
	c := pkg.Complete(f, off)
	list := &protocol.CompletionList{Items: []protocol.CompletionItem{}}
	r := m.rng(c.From, off)
	for _, it := range c.Items {
		ci := protocol.CompletionItem{Label: it.Label, Kind: completionKinds[it.Kind], TextEdit: &protocol.TextEdit{Range: r, NewText: it.Label}}
		if it.Detail != "" {
			ci.Detail = protocol.NewOptional(it.Detail)
		}
		list.Items = append(list.Items, ci)
	}
	return list, nil
}

func (s *Server) edits(pkg *analysis.Package, es []analysis.Edit) map[uri.URI][]protocol.TextEdit {
	out := map[uri.URI][]protocol.TextEdit{}
	for _, e := range es {
		u := s.sess.uriOf(e.Path)
		out[u] = append(out[u], protocol.TextEdit{Range: mapperFor(pkg, e.Path).rng(e.Start, e.End), NewText: e.Text})
	}
	return out
}

func (s *Server) Formatting(ctx context.Context, params *protocol.DocumentFormattingParams) ([]protocol.TextEdit, error) {
	pkg, f, _, err := s.fileFor(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, ignoreNoFile(err)
	}
	es, err := pkg.Format(f)
	if err != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.ErrInvalidRequest.Code, "%v", err)
	}
	return s.edits(pkg, es)[s.sess.uriOf(f.Path)], nil
}

func (s *Server) PrepareRename(ctx context.Context, params *protocol.PrepareRenameParams) (protocol.PrepareRenameResult, error) {
	pkg, f, m, err := s.fileFor(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, ignoreNoFile(err)
	}
	start, end, err := pkg.PrepareRename(f, m.offset(params.Position))
	if err != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.ErrInvalidRequest.Code, "%v", err)
	}
	r := m.rng(start, end)
	return &r, nil
}

func (s *Server) Rename(ctx context.Context, params *protocol.RenameParams) (*protocol.WorkspaceEdit, error) {
	pkg, f, m, err := s.fileFor(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, ignoreNoFile(err)
	}
	es, err := pkg.Rename(f, m.offset(params.Position), params.NewName)
	if err != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.ErrInvalidRequest.Code, "%v", err)
	}
	return &protocol.WorkspaceEdit{Changes: s.edits(pkg, es)}, nil
}

func (s *Server) SemanticTokensFull(ctx context.Context, params *protocol.SemanticTokensParams) (*protocol.SemanticTokens, error) {
	pkg, f, m, err := s.fileFor(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, ignoreNoFile(err)
	}
	typeIndex := map[string]uint32{}
	for i, t := range tokenTypes {
		typeIndex[t] = uint32(i)
	}
	data := []uint32{}
	var prevLine, prevChar uint32
	emit := func(start, end int, t analysis.Token) {
		if end <= start {
			return
		}
		a, b := m.position(start), m.position(end)
		if a.Line != b.Line {
			return
		}
		var mods uint32
		if t.Decl {
			mods |= 1
		}
		if t.Builtin {
			mods |= 2
		}
		dl := a.Line - prevLine
		dc := a.Character
		if dl == 0 {
			dc -= prevChar
		}
		data = append(data, dl, dc, b.Character-a.Character, typeIndex[t.Type], mods)
		prevLine, prevChar = a.Line, a.Character
	}
	for _, t := range pkg.SemanticTokens(f) {
		// Tokens may not span lines: split block comments.
		start := t.Start
		for i := t.Start; i < t.End; i++ {
			if f.Src[i] == '\n' {
				emit(start, i, t)
				start = i + 1
			}
		}
		emit(start, t.End, t)
	}
	return &protocol.SemanticTokens{Data: data}, nil
}

func (s *Server) FoldingRanges(ctx context.Context, params *protocol.FoldingRangeParams) ([]protocol.FoldingRange, error) {
	pkg, f, m, err := s.fileFor(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, ignoreNoFile(err)
	}
	out := []protocol.FoldingRange{}
	for _, fo := range pkg.Folds(f) {
		a, b := m.position(fo.Start), m.position(fo.End)
		if b.Line <= a.Line {
			continue
		}
		fr := protocol.FoldingRange{StartLine: a.Line, EndLine: b.Line}
		switch fo.Kind {
		case "comment":
			fr.Kind = protocol.FoldingRangeKindComment
		case "imports":
			fr.Kind = protocol.FoldingRangeKindImports
		}
		out = append(out, fr)
	}
	return out, nil
}

func (s *Server) DocumentLink(ctx context.Context, params *protocol.DocumentLinkParams) ([]protocol.DocumentLink, error) {
	pkg, f, m, err := s.fileFor(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, ignoreNoFile(err)
	}
	out := []protocol.DocumentLink{}
	for _, l := range pkg.Links(f) {
		target := s.sess.uriOf(l.Target.Path)
		line := mapperFor(pkg, l.Target.Path).position(l.Target.Start).Line + 1
		if strings.HasPrefix(string(target), "file:") {
			// Editors open file URIs at #L<line>.
			target = uri.URI(string(target) + "#L" + itoa(int(line)))
		}
		tip := "open " + l.Target.Path
		out = append(out, protocol.DocumentLink{Range: m.rng(l.Start, l.End), Target: &target, Tooltip: &tip})
	}
	return out, nil
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

func (s *Server) CodeAction(ctx context.Context, params *protocol.CodeActionParams) ([]protocol.CommandOrCodeAction, error) {
	pkg, f, m, err := s.fileFor(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, ignoreNoFile(err)
	}
	out := []protocol.CommandOrCodeAction{}
	quick := protocol.CodeActionKindQuickFix
	for _, a := range pkg.Actions(f, m.offset(params.Range.Start), m.offset(params.Range.End)) {
		ca := &protocol.CodeAction{Title: a.Title, Kind: &quick, Edit: &protocol.WorkspaceEdit{Changes: s.edits(pkg, a.Edits)}}
		if a.Preferred {
			t := true
			ca.IsPreferred = &t
		}
		ca.Diagnostics = s.sess.convertDiags(pkg, f.Path, []analysis.Diagnostic{a.Diag})
		out = append(out, ca)
	}
	return out, nil
}
