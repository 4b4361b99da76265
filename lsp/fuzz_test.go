package lsp

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// conformanceFiles lists the .wit files of wit-parser's UI test corpus
// (../shared/wit-conformance beside the repository, or
// $BIGBAND_WIT_CONFORMANCE), or none when it is absent.
func conformanceFiles(tb testing.TB) []string {
	dir := os.Getenv("BIGBAND_WIT_CONFORMANCE")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "wit-conformance")
	}
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".wit") {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// snippets are what the fuzzer types: tokens that change WIT's structure.
var snippets = []string{"{", "}", ";", ":", "<", ">", ",", ".", "/", "@", "%", "interface ", "world ", "use ", "package a:b;",
	"record r { a: u32 }", "type t = ", "func()", "-> ", "\n", "// c\n", "/*", "*/", "\"", "😀", "é", "\x00", "include ", "export ", "import "}

// FuzzEdits drives the server with a file from the conformance corpus and a
// random sequence of edits and requests: no panic, no hang, and the
// diagnostics published last are those of the last version.
func FuzzEdits(f *testing.F) {
	files := conformanceFiles(f)
	if len(files) == 0 {
		f.Add([]byte(okWIT), []byte{1, 2, 3, 4, 5, 6, 7, 8})
	}
	for i, p := range files {
		b, err := os.ReadFile(p)
		if err == nil {
			f.Add(b, []byte{byte(i), byte(i * 7), byte(i * 13), 3, 1, 4, 1, 5, 9, 2, 6})
		}
	}
	f.Fuzz(func(t *testing.T, src, ops []byte) {
		if len(src) > 64<<10 || len(ops) > 256 {
			return
		}
		e := newSettledEnv(t, map[string]string{
			"wit/b.wit":            "package fuzz:b;\ninterface other { type t = u32; }\n",
			"wit/deps/dep/dep.wit": "package dep:x@1.0.0;\ninterface d { record r { a: u32 } }\n",
		})
		name := "wit/a.wit"
		text := string(src)
		e.openText(name, text, 1)
		ctx := context.Background()
		version := int32(1)
		u := e.uri(name)
		for i := 0; i+2 < len(ops); i += 3 {
			op, a, b := ops[i], int(ops[i+1]), int(ops[i+2])
			pos := func(x int) protocol.Position {
				m := newMapper([]byte(text))
				lines := len(m.lines)
				return protocol.Position{Line: uint32(x % (lines + 2)), Character: uint32(x * 7 % 90)}
			}
			tdp := protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}, Position: pos(a)}
			switch op % 8 {
			case 0, 1, 2: // a partial edit at arbitrary (possibly invalid) positions
				version++
				r := protocol.Range{Start: pos(a), End: pos(b)}
				ins := snippets[int(op/8)%len(snippets)]
				m := newMapper([]byte(text))
				s, en := m.offset(r.Start), m.offset(r.End)
				if en < s {
					s, en = en, s
				}
				text = text[:s] + ins + text[en:]
				e.mu.Lock()
				e.sent++
				e.mu.Unlock()
				_ = e.server.DidChange(ctx, &protocol.DidChangeTextDocumentParams{
					TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}, Version: version},
					ContentChanges: []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangePartial{Range: r, Text: ins}}})
			case 3:
				_, _ = e.server.Hover(ctx, &protocol.HoverParams{TextDocumentPositionParams: tdp})
				_, _ = e.server.Definition(ctx, &protocol.DefinitionParams{TextDocumentPositionParams: tdp})
				_, _ = e.server.TypeDefinition(ctx, &protocol.TypeDefinitionParams{TextDocumentPositionParams: tdp})
			case 4:
				_, _ = e.server.Completion(ctx, &protocol.CompletionParams{TextDocumentPositionParams: tdp})
				_, _ = e.server.References(ctx, &protocol.ReferenceParams{TextDocumentPositionParams: tdp})
			case 5:
				_, _ = e.server.Rename(ctx, &protocol.RenameParams{TextDocumentPositionParams: tdp, NewName: "renamed"})
				_, _ = e.server.CodeAction(ctx, &protocol.CodeActionParams{TextDocument: tdp.TextDocument, Range: protocol.Range{Start: pos(a), End: pos(b)}})
			case 6:
				_, _ = e.server.Formatting(ctx, &protocol.DocumentFormattingParams{TextDocument: tdp.TextDocument})
				_, _ = e.server.SemanticTokensFull(ctx, &protocol.SemanticTokensParams{TextDocument: tdp.TextDocument})
				_, _ = e.server.FoldingRanges(ctx, &protocol.FoldingRangeParams{TextDocument: tdp.TextDocument})
				_, _ = e.server.DocumentLink(ctx, &protocol.DocumentLinkParams{TextDocument: tdp.TextDocument})
			case 7:
				version++
				text = string(src[:min(len(src), b*len(src)/256)])
				e.change(name, text, version)
			}
		}
		e.settle(name)
		e.awaitVersion(name, version)
		if _, err := e.server.DocumentSymbol(ctx, &protocol.DocumentSymbolParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}}); err != nil {
			t.Fatalf("server unusable after the edits: %v", err)
		}
	})
}
