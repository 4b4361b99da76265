package lsp

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

const okWIT = "package demo:ok;\n\ninterface i {\n  record r { a: u32 }\n  f: func(x: r) -> string;\n}\n"

func codes(ds []protocol.Diagnostic) []string {
	var out []string
	for _, d := range ds {
		c, _ := d.Code.(protocol.String)
		out = append(out, string(c))
	}
	return out
}

func hasCode(ds []protocol.Diagnostic, code string) bool {
	for _, c := range codes(ds) {
		if c == code {
			return true
		}
	}
	return false
}

// Bad buffers of every kind get a diagnostic and leave the server working.
func TestBadBuffers(t *testing.T) {
	e := newSettledEnv(t, map[string]string{"wit/a.wit": okWIT})
	e.open("wit/a.wit")
	cases := []struct {
		name, text, code string
	}{
		// JSON can't carry invalid UTF-8: the client's encoder has made
		// it U+FFFD by the time the server sees it.
		{"invalid UTF-8", "package demo:ok;\ninterface i { \xff\xfe }\n", "wit/syntax"},
		{"binary", "\x00asm\x01\x00\x00\x00" + strings.Repeat("\x00\x01\x02", 1000), "wit/io"},
		{"huge", "package demo:ok;\n" + strings.Repeat("// padding padding padding padding\n", 9<<20/35), "lsp/too-large"},
		{"empty", "", ""},
		{"deep nesting", "package demo:ok;\ninterface i { type t = " + strings.Repeat("list<", 5000) + "u8" + strings.Repeat(">", 5000) + "; }\n", "wit/syntax"},
	}
	for i, c := range cases {
		v := int32(i + 2)
		e.change("wit/a.wit", c.text, v)
		e.settle("wit/a.wit")
		ds := e.awaitVersion("wit/a.wit", v)
		if c.code != "" && !hasCode(ds, c.code) {
			t.Errorf("%s: codes %v, want %s", c.name, codes(ds), c.code)
		}
		// Every request still answers on the bad buffer.
		e.requestsAnswer(t, "wit/a.wit", c.name)
	}
	e.change("wit/a.wit", okWIT, 100)
	e.settle("wit/a.wit")
	if ds := e.awaitVersion("wit/a.wit", 100); len(ds) != 0 {
		t.Errorf("after fixing: %v", codes(ds))
	}
	// Invalid UTF-8 reaches the server from disk only.
	if err := os.WriteFile(filepath.Join(e.dir, "wit", "bad.wit"), []byte("package demo:ok;\n// \xff\xfe\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.watched()
	e.settle("wit/a.wit")
	if got := e.diagText(); !strings.Contains(got, "wit/bad.wit:") || !strings.Contains(got, "wit/io") {
		t.Errorf("a file on disk that is not UTF-8:\n%s", got)
	}
}

// requestsAnswer sends every request the server implements at a few
// positions, including ones past the end, and fails on a protocol error.
func (e *testEnv) requestsAnswer(t *testing.T, name, what string) {
	ctx := context.Background()
	td := protocol.TextDocumentIdentifier{URI: e.uri(name)}
	for _, pos := range []protocol.Position{{}, {Line: 1, Character: 15}, {Line: 1000, Character: 1000}} {
		tdp := protocol.TextDocumentPositionParams{TextDocument: td, Position: pos}
		check := func(req string, err error) {
			if err != nil && !strings.Contains(err.Error(), "syntax errors") && !strings.Contains(err.Error(), "nothing to rename") {
				t.Errorf("%s: %s at %v: %v", what, req, pos, err)
			}
		}
		_, err := e.server.Hover(ctx, &protocol.HoverParams{TextDocumentPositionParams: tdp})
		check("hover", err)
		_, err = e.server.Definition(ctx, &protocol.DefinitionParams{TextDocumentPositionParams: tdp})
		check("definition", err)
		_, err = e.server.TypeDefinition(ctx, &protocol.TypeDefinitionParams{TextDocumentPositionParams: tdp})
		check("typeDefinition", err)
		_, err = e.server.References(ctx, &protocol.ReferenceParams{TextDocumentPositionParams: tdp})
		check("references", err)
		_, err = e.server.Completion(ctx, &protocol.CompletionParams{TextDocumentPositionParams: tdp})
		check("completion", err)
		_, err = e.server.Rename(ctx, &protocol.RenameParams{TextDocumentPositionParams: tdp, NewName: "x"})
		check("rename", err)
		_, err = e.server.CodeAction(ctx, &protocol.CodeActionParams{TextDocument: td, Range: protocol.Range{Start: pos, End: pos}})
		check("codeAction", err)
	}
	_, err := e.server.DocumentSymbol(ctx, &protocol.DocumentSymbolParams{TextDocument: td})
	if err != nil {
		t.Errorf("%s: documentSymbol: %v", what, err)
	}
	if _, err := e.server.SemanticTokensFull(ctx, &protocol.SemanticTokensParams{TextDocument: td}); err != nil {
		t.Errorf("%s: semanticTokens: %v", what, err)
	}
	if _, err := e.server.FoldingRanges(ctx, &protocol.FoldingRangeParams{TextDocument: td}); err != nil {
		t.Errorf("%s: foldingRange: %v", what, err)
	}
	if _, err := e.server.DocumentLink(ctx, &protocol.DocumentLinkParams{TextDocument: td}); err != nil {
		t.Errorf("%s: documentLink: %v", what, err)
	}
	if _, err := e.server.Formatting(ctx, &protocol.DocumentFormattingParams{TextDocument: td}); err != nil && !strings.Contains(err.Error(), "not formatted") {
		t.Errorf("%s: formatting: %v", what, err)
	}
	if _, err := e.server.Symbols(ctx, &protocol.WorkspaceSymbolParams{Query: "i"}); err != nil {
		t.Errorf("%s: workspace/symbol: %v", what, err)
	}
}

// Files appearing and disappearing on disk under open buffers.
func TestPackageChangesOnDisk(t *testing.T) {
	e := newSettledEnv(t, map[string]string{
		"wit/a.wit": "package demo:disk;\ninterface a { use b.{t}; f: func(x: t); }\n",
		"wit/b.wit": "package demo:disk;\ninterface b { type t = u32; }\n",
	})
	e.open("wit/a.wit")
	if ds := e.awaitVersion("wit/a.wit", 1); len(ds) != 0 {
		t.Fatalf("start: %v", codes(ds))
	}
	// b.wit deleted: a.wit's use breaks.
	if err := os.Remove(filepath.Join(e.dir, "wit", "b.wit")); err != nil {
		t.Fatal(err)
	}
	e.watched()
	e.settle("wit/a.wit")
	if ds := e.awaitVersion("wit/a.wit", 1); !hasCode(ds, "wit/unknown-interface") {
		t.Errorf("after deleting b.wit: %v", codes(ds))
	}
	// The open buffer itself deleted on disk: its buffer still counts.
	if err := os.Remove(filepath.Join(e.dir, "wit", "a.wit")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.dir, "wit", "b.wit"), []byte("package demo:disk;\ninterface b { type t = u32; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.watched()
	e.settle("wit/a.wit")
	if ds := e.awaitVersion("wit/a.wit", 1); len(ds) != 0 {
		t.Errorf("a.wit only in the buffer, b.wit back: %v", codes(ds))
	}
	// The whole directory gone.
	if err := os.RemoveAll(filepath.Join(e.dir, "wit")); err != nil {
		t.Fatal(err)
	}
	e.watched()
	e.settle("wit/a.wit")
	e.requestsAnswer(t, "wit/a.wit", "directory removed")
}

func (e *testEnv) watched() {
	e.mu.Lock()
	e.sent++
	e.mu.Unlock()
	if err := e.server.DidChangeWatchedFiles(context.Background(), &protocol.DidChangeWatchedFilesParams{}); err != nil {
		e.t.Fatal(err)
	}
}

// Edits racing each other and requests: the last version's diagnostics
// win, none go backwards (the harness checks every publication).
func TestConcurrentEdits(t *testing.T) {
	e := newSettledEnv(t, map[string]string{"wit/a.wit": okWIT})
	e.open("wit/a.wit")
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	for range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				_, _ = e.server.Hover(ctx, &protocol.HoverParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
					TextDocument: protocol.TextDocumentIdentifier{URI: e.uri("wit/a.wit")}, Position: protocol.Position{Line: 4, Character: 12}}})
				_, _ = e.server.Completion(ctx, &protocol.CompletionParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
					TextDocument: protocol.TextDocumentIdentifier{URI: e.uri("wit/a.wit")}, Position: protocol.Position{Line: 4, Character: 12}}})
			}
		})
	}
	const n = 200
	for v := int32(2); v <= n; v++ {
		text := okWIT
		if v%2 == 0 {
			text = strings.Replace(okWIT, "string;", "strin;", 1)
		}
		e.change("wit/a.wit", text, v)
	}
	e.settle("wit/a.wit")
	ds := e.awaitVersion("wit/a.wit", n)
	if !hasCode(ds, "wit/unknown-type") {
		t.Errorf("version %d (a misspelt type): %v", n, codes(ds))
	}
	cancel()
	wg.Wait()
}

// A cancelled request gets an answer (or an error), and the server goes on.
func TestCancelledRequests(t *testing.T) {
	e := newSettledEnv(t, map[string]string{"wit/a.wit": okWIT})
	e.open("wit/a.wit")
	for i := range 50 {
		ctx, cancel := context.WithCancel(context.Background())
		if i%2 == 0 {
			cancel()
		} else {
			go cancel()
		}
		var res any
		_ = protocol.Call(ctx, e.conn, protocol.MethodTextDocumentDocumentSymbol, &protocol.DocumentSymbolParams{
			TextDocument: protocol.TextDocumentIdentifier{URI: e.uri("wit/a.wit")}}, &res)
	}
	// Malformed messages: bad params for a request and a notification, an
	// unknown method, a numeric and a malformed cancel.
	var res any
	if _, err := e.conn.Call(context.Background(), "textDocument/hover", jsonrpc2.RawMessage(`{"textDocument": 5}`), &res); err == nil {
		t.Error("hover with garbage params: no error")
	}
	_ = e.conn.Notify(context.Background(), "textDocument/didChange", jsonrpc2.RawMessage(`[1,2,3]`))
	_ = e.conn.Notify(context.Background(), "$/cancelRequest", jsonrpc2.RawMessage(`{"id": {"x": 1}}`))
	_ = e.conn.Notify(context.Background(), "$/cancelRequest", jsonrpc2.RawMessage(`{"id": 99999}`))
	if _, err := e.conn.Call(context.Background(), "bigband/nonsense", nil, &res); err == nil {
		t.Error("unknown method: no error")
	}
	e.requestsAnswer(t, "wit/a.wit", "after cancellations")
}

// The built wasm is compared with the world when it is newer than the WIT,
// and checked again when it changes.
func TestBuiltWasm(t *testing.T) {
	world := `package backstage:plugins@0.1.0;

interface backstage-frontend-plugin {
  record node-dependency { name: string, version: option<string>, dev: bool }
  get-node-deps: func() -> result<list<node-dependency>, string>;
  record component-file { path: string, is-root: bool, component-class-name: option<string>, contents: string }
  get-component-files: func() -> result<list<component-file>, string>;
  extra: func() -> u32;
}

world frontend-plugin {
  export backstage-frontend-plugin;
}
`
	e := newSettledEnv(t, map[string]string{"wit/plugin.wit": world})
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(e.dir, "wit", "plugin.wit"), old, old); err != nil {
		t.Fatal(err)
	}
	e.open("wit/plugin.wit")
	if ds := e.awaitVersion("wit/plugin.wit", 1); len(ds) != 0 {
		t.Fatalf("no wasm yet: %v", e.diagText())
	}
	wasmPath := filepath.Join(e.dir, "wit", "plugin.wasm")
	copyFile(t, filepath.Join("..", "fixtures", "guests", "go", "frontend", "frontend.component.wasm"), wasmPath)
	want := "#extra: missing from the build"
	e.await("the wasm check", func() bool { return strings.Contains(e.diagTextLocked(), want) })
	if got := e.diagText(); !strings.Contains(got, "bigband/wasm") || !strings.Contains(got, "plugin.wit:8:") {
		t.Errorf("component: want a bigband/wasm warning on extra's line 8:\n%s", got)
	}
	// A core module replaces it: checked again.
	copyFile(t, filepath.Join("..", "fixtures", "guests", "c", "frontend", "frontend.wasm"), wasmPath)
	future := time.Now().Add(time.Minute)
	_ = os.Chtimes(wasmPath, future, future)
	e.await("the core module's check", func() bool {
		return strings.Contains(e.diagTextLocked(), "backstage-frontend-plugin#extra: missing from the build")
	})
	// The wasm gone: the warning goes too.
	if err := os.Remove(wasmPath); err != nil {
		t.Fatal(err)
	}
	e.await("the warning cleared", func() bool { return !strings.Contains(e.diagTextLocked(), "bigband/wasm") })
}

func copyFile(t *testing.T, from, to string) {
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\x00asm")) {
		t.Fatalf("%s is not wasm", from)
	}
	if err := os.WriteFile(to+".tmp", b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(to+".tmp", to); err != nil {
		t.Fatal(err)
	}
}

// A client that can register file watchers is asked to watch WIT, wasm and
// bigband.toml files.
func TestWatcherRegistration(t *testing.T) {
	yes := true
	e := newTestEnvWith(t, nil, Options{}, &protocol.ClientCapabilities{Workspace: &protocol.WorkspaceClientCapabilities{
		DidChangeWatchedFiles: &protocol.DidChangeWatchedFilesClientCapabilities{DynamicRegistration: &yes}}})
	e.await("a registration", func() bool { return len(e.registrations) > 0 })
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.registrations[0]
	if r.Method != protocol.MethodWorkspaceDidChangeWatchedFiles || !strings.Contains(string(r.RegisterOptions), "**/*.wasm") {
		t.Errorf("registration %s %s", r.Method, r.RegisterOptions)
	}
}
