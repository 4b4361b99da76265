package lsp

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

var update = flag.Bool("update", false, "rewrite the golden sections of testdata/*.txtar")

// A golden test is a txtar archive: the files of a workspace, in which
// «name» marks a position (the marker is removed before the files are
// written), a `queries` section with one request per line, and a `golden`
// section holding the rendered answers. -update rewrites the golden
// section. Queries:
//
//	open FILE                  didOpen, then wait for the package's diagnostics
//	edit FILE SECTION          replace the buffer with section SECTION (not written to disk)
//	diags                      every published diagnostic
//	hover|def|typedef|refs|complete|prepare|actions MARK
//	rename MARK NEWNAME
//	symbols|format|tokens|folds|links FILE
//	wsymbols QUERY

type archive struct {
	comment  string
	sections []section
}

type section struct {
	name string
	data string
}

func parseTxtar(s string) archive {
	var a archive
	lines := strings.SplitAfter(s, "\n")
	cur := -1
	for _, l := range lines {
		t := strings.TrimRight(l, "\n")
		if strings.HasPrefix(t, "-- ") && strings.HasSuffix(t, " --") && len(t) > 6 {
			a.sections = append(a.sections, section{name: t[3 : len(t)-3]})
			cur = len(a.sections) - 1
			continue
		}
		if cur < 0 {
			a.comment += l
		} else {
			a.sections[cur].data += l
		}
	}
	return a
}

func (a archive) format() string {
	var b strings.Builder
	b.WriteString(a.comment)
	for _, s := range a.sections {
		fmt.Fprintf(&b, "-- %s --\n%s", s.name, s.data)
		if s.data != "" && !strings.HasSuffix(s.data, "\n") {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func (a archive) get(name string) (string, bool) {
	for _, s := range a.sections {
		if s.name == name {
			return s.data, true
		}
	}
	return "", false
}

type marker struct {
	file string
	off  int
}

// stripMarkers removes «name» markers, recording their byte offsets.
func stripMarkers(file, text string, marks map[string]marker) string {
	var b strings.Builder
	for {
		i := strings.Index(text, "«")
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		j := strings.Index(text[i:], "»")
		if j < 0 {
			b.WriteString(text)
			return b.String()
		}
		b.WriteString(text[:i])
		marks[text[i+len("«"):i+j]] = marker{file: file, off: b.Len()}
		text = text[i+j+len("»"):]
	}
}

func TestGolden(t *testing.T) {
	paths, _ := filepath.Glob("testdata/*.txtar")
	if len(paths) == 0 {
		t.Fatal("no testdata/*.txtar")
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			a := parseTxtar(string(raw))
			got := runGolden(t, a)
			want, _ := a.get("golden")
			if *update {
				found := false
				for i := range a.sections {
					if a.sections[i].name == "golden" {
						a.sections[i].data = got
						found = true
					}
				}
				if !found {
					a.sections = append(a.sections, section{name: "golden", data: got})
				}
				if err := os.WriteFile(path, []byte(a.format()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != want {
				t.Errorf("%s: golden mismatch (rerun with -update to accept)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
			}
		})
	}
}

func runGolden(t *testing.T, a archive) string {
	marks := map[string]marker{}
	files := map[string]string{}
	texts := map[string]string{}
	for _, s := range a.sections {
		switch {
		case s.name == "queries" || s.name == "golden":
		case strings.HasPrefix(s.name, "edit:"):
			texts[s.name] = s.data
		default:
			files[s.name] = stripMarkers(s.name, s.data, marks)
		}
	}
	e := newSettledEnv(t, files)
	queries, _ := a.get("queries")
	var out strings.Builder
	versions := map[string]int32{}
	for _, q := range strings.Split(strings.TrimSpace(queries), "\n") {
		q = strings.TrimSpace(q)
		if q == "" || strings.HasPrefix(q, "#") {
			continue
		}
		f := strings.Fields(q)
		fmt.Fprintf(&out, "## %s\n", q)
		arg := func(i int) string {
			if i < len(f) {
				return f[i]
			}
			t.Fatalf("query %q: missing argument %d", q, i)
			return ""
		}
		mark := func() (uri.URI, protocol.Position) {
			m, ok := marks[arg(1)]
			if !ok {
				t.Fatalf("query %q: no marker %q", q, arg(1))
			}
			text := e.read(m.file)
			return e.uri(m.file), newMapper([]byte(text)).position(m.off)
		}
		tdp := func() protocol.TextDocumentPositionParams {
			u, p := mark()
			return protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}, Position: p}
		}
		ctx := context.Background()
		var res string
		switch f[0] {
		case "open":
			versions[arg(1)] = 1
			e.open(arg(1))
			e.settle(arg(1))
			continue
		case "edit":
			text, ok := texts["edit:"+arg(2)]
			if !ok {
				t.Fatalf("query %q: no section edit:%s", q, arg(2))
			}
			versions[arg(1)]++
			e.change(arg(1), stripMarkers(arg(1), text, map[string]marker{}), versions[arg(1)])
			e.settle(arg(1))
			continue
		case "diags":
			res = e.diagText()
		case "hover":
			h, err := e.server.Hover(ctx, &protocol.HoverParams{TextDocumentPositionParams: tdp()})
			switch {
			case err != nil:
				res = "error: " + err.Error()
			case h == nil:
				res = "none"
			default:
				mc, _ := h.Contents.(*protocol.MarkupContent)
				res = rangeText(*h.Range) + "\n" + mc.Value
			}
		case "def", "typedef":
			var r protocol.DefinitionResult
			var err error
			if f[0] == "def" {
				r, err = e.server.Definition(ctx, &protocol.DefinitionParams{TextDocumentPositionParams: tdp()})
			} else {
				r, err = e.server.TypeDefinition(ctx, &protocol.TypeDefinitionParams{TextDocumentPositionParams: tdp()})
			}
			res = e.locsText(r, err)
		case "refs":
			locs, err := e.server.References(ctx, &protocol.ReferenceParams{TextDocumentPositionParams: tdp(), Context: protocol.ReferenceContext{IncludeDeclaration: true}})
			res = e.locsText(protocol.LocationSlice(locs), err)
		case "complete":
			r, err := e.server.Completion(ctx, &protocol.CompletionParams{TextDocumentPositionParams: tdp()})
			if err != nil {
				res = "error: " + err.Error()
				break
			}
			list, _ := r.(*protocol.CompletionList)
			var labels []string
			for _, it := range list.Items {
				te, _ := it.TextEdit.(*protocol.TextEdit)
				labels = append(labels, fmt.Sprintf("%s (%d) %s", it.Label, it.Kind, rangeText(te.Range)))
			}
			res = strings.Join(labels, "\n")
		case "prepare":
			r, err := e.server.PrepareRename(ctx, &protocol.PrepareRenameParams{TextDocumentPositionParams: tdp()})
			if err != nil {
				res = "error: " + err.Error()
			} else {
				res = rangeText(*r.(*protocol.Range))
			}
		case "rename":
			we, err := e.server.Rename(ctx, &protocol.RenameParams{TextDocumentPositionParams: tdp(), NewName: arg(2)})
			if err != nil {
				res = "error: " + err.Error()
			} else {
				res = e.editsText(we.Changes)
			}
		case "actions":
			u, p := mark()
			acts, err := e.server.CodeAction(ctx, &protocol.CodeActionParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}, Range: protocol.Range{Start: p, End: p}})
			if err != nil {
				res = "error: " + err.Error()
				break
			}
			var parts []string
			for _, a := range acts {
				ca := a.(*protocol.CodeAction)
				parts = append(parts, "* "+ca.Title+"\n"+e.editsText(ca.Edit.Changes))
			}
			res = strings.Join(parts, "\n")
		case "symbols":
			r, err := e.server.DocumentSymbol(ctx, &protocol.DocumentSymbolParams{TextDocument: protocol.TextDocumentIdentifier{URI: e.uri(arg(1))}})
			if err != nil {
				res = "error: " + err.Error()
				break
			}
			var b strings.Builder
			var walk func(ds []protocol.DocumentSymbol, depth int)
			walk = func(ds []protocol.DocumentSymbol, depth int) {
				for _, d := range ds {
					detail := ""
					if d.Detail != nil {
						detail = " " + *d.Detail
					}
					fmt.Fprintf(&b, "%s%s (%d)%s %s\n", strings.Repeat("  ", depth), d.Name, d.Kind, detail, rangeText(d.SelectionRange))
					walk(d.Children, depth+1)
				}
			}
			walk(r.(protocol.DocumentSymbolSlice), 0)
			res = strings.TrimSuffix(b.String(), "\n")
		case "wsymbols":
			r, err := e.server.Symbols(ctx, &protocol.WorkspaceSymbolParams{Query: arg(1)})
			if err != nil {
				res = "error: " + err.Error()
				break
			}
			var lines []string
			// The decoder can't tell the two shapes apart on the wire.
			switch r := r.(type) {
			case protocol.WorkspaceSymbolSlice:
				for _, ws := range r {
					l := ws.Location.(*protocol.Location)
					lines = append(lines, fmt.Sprintf("%s (%d) %s", ws.Name, ws.Kind, e.locText(*l)))
				}
			case protocol.SymbolInformationSlice:
				for _, si := range r {
					lines = append(lines, fmt.Sprintf("%s (%d) %s", si.Name, si.Kind, e.locText(si.Location)))
				}
			}
			res = strings.Join(lines, "\n")
		case "format":
			edits, err := e.server.Formatting(ctx, &protocol.DocumentFormattingParams{TextDocument: protocol.TextDocumentIdentifier{URI: e.uri(arg(1))}})
			if err != nil {
				res = "error: " + err.Error()
			} else {
				res = applyEdits(e.read(arg(1)), edits)
			}
		case "tokens":
			r, err := e.server.SemanticTokensFull(ctx, &protocol.SemanticTokensParams{TextDocument: protocol.TextDocumentIdentifier{URI: e.uri(arg(1))}})
			if err != nil {
				res = "error: " + err.Error()
				break
			}
			res = tokensText(e.read(arg(1)), r.Data)
		case "folds":
			r, err := e.server.FoldingRanges(ctx, &protocol.FoldingRangeParams{TextDocument: protocol.TextDocumentIdentifier{URI: e.uri(arg(1))}})
			if err != nil {
				res = "error: " + err.Error()
				break
			}
			var lines []string
			for _, fr := range r {
				lines = append(lines, fmt.Sprintf("%d-%d %s", fr.StartLine+1, fr.EndLine+1, fr.Kind))
			}
			res = strings.Join(lines, "\n")
		case "links":
			r, err := e.server.DocumentLink(ctx, &protocol.DocumentLinkParams{TextDocument: protocol.TextDocumentIdentifier{URI: e.uri(arg(1))}})
			if err != nil {
				res = "error: " + err.Error()
				break
			}
			var lines []string
			for _, l := range r {
				target := strings.TrimPrefix(string(*l.Target), string(uri.File(e.dir))+"/")
				lines = append(lines, rangeText(l.Range)+" -> "+target)
			}
			res = strings.Join(lines, "\n")
		default:
			t.Fatalf("unknown query %q", q)
		}
		out.WriteString(strings.TrimRight(res, "\n") + "\n")
	}
	return out.String()
}

func (e *testEnv) locText(l protocol.Location) string {
	rel, err := filepath.Rel(e.dir, l.URI.FsPath())
	if err != nil {
		rel = string(l.URI)
	}
	return filepath.ToSlash(rel) + ":" + rangeText(l.Range)
}

func (e *testEnv) locsText(r protocol.DefinitionResult, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	ls, _ := r.(protocol.LocationSlice)
	if len(ls) == 0 {
		return "none"
	}
	var lines []string
	for _, l := range ls {
		lines = append(lines, e.locText(l))
	}
	return strings.Join(lines, "\n")
}

func (e *testEnv) editsText(changes map[uri.URI][]protocol.TextEdit) string {
	var lines []string
	for u, es := range changes {
		for _, ed := range es {
			lines = append(lines, fmt.Sprintf("%s %q", e.locText(protocol.Location{URI: u, Range: ed.Range}), ed.NewText))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// applyEdits applies non-overlapping edits to text.
func applyEdits(text string, edits []protocol.TextEdit) string {
	m := newMapper([]byte(text))
	sort.Slice(edits, func(i, j int) bool { return m.offset(edits[i].Range.Start) > m.offset(edits[j].Range.Start) })
	for _, ed := range edits {
		s, en := m.offset(ed.Range.Start), m.offset(ed.Range.End)
		text = text[:s] + ed.NewText + text[en:]
	}
	return text
}

func tokensText(text string, data []uint32) string {
	m := newMapper([]byte(text))
	var lines []string
	var line, char uint32
	for i := 0; i+5 <= len(data); i += 5 {
		if data[i] > 0 {
			char = 0
		}
		line += data[i]
		char += data[i+1]
		start := m.offset(protocol.Position{Line: line, Character: char})
		end := m.offset(protocol.Position{Line: line, Character: char + data[i+2]})
		mods := ""
		if data[i+4]&1 != 0 {
			mods += " decl"
		}
		if data[i+4]&2 != 0 {
			mods += " builtin"
		}
		lines = append(lines, fmt.Sprintf("%d:%d %s%s %q", line+1, char+1, tokenTypes[data[i+3]], mods, text[start:end]))
	}
	return strings.Join(lines, "\n")
}
