package lsp

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// The repo's own WIT: the backstage contract with its deps/, and the
// wasi:http 0.2.0 backend with WASI's packages in deps/. Opened in place
// (the server writes nothing).
func TestRepoGuestWIT(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "guest", "wit"))
	if err != nil {
		t.Fatal(err)
	}
	e := newSettledEnv(t, nil)
	e.dir = root // paths below are relative to guest/wit
	for _, name := range []string{"backstage/backstage.wit", "http/0.2.0/backend.wit"} {
		e.open(name)
		e.settle(name)
		if ds := e.awaitVersion(name, 1); len(ds) != 0 {
			t.Errorf("%s: %s", name, e.diagText())
		}
	}
	ctx := context.Background()
	text := e.read("http/0.2.0/backend.wit")
	m := newMapper([]byte(text))
	at := func(needle string, delta int) protocol.TextDocumentPositionParams {
		i := strings.Index(text, needle)
		if i < 0 {
			t.Fatalf("%q not in backend.wit", needle)
		}
		return protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: e.uri("http/0.2.0/backend.wit")}, Position: m.position(i + delta)}
	}
	// Definition across into deps/.
	r, err := e.server.Definition(ctx, &protocol.DefinitionParams{TextDocumentPositionParams: at("incoming-handler@0.2.0", 3)})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.locsText(r, nil); got != "http/0.2.0/deps/http/handler.wit:3:11-3:27" {
		t.Errorf("definition of wasi:http/incoming-handler: %s", got)
	}
	// Hover on a WASI interface shows its docs.
	h, err := e.server.Hover(ctx, &protocol.HoverParams{TextDocumentPositionParams: at("streams@0.2.0", 2)})
	if err != nil || h == nil {
		t.Fatalf("hover: %v %v", h, err)
	}
	if mc := h.Contents.(*protocol.MarkupContent); !strings.Contains(mc.Value, "interface streams") || !strings.Contains(mc.Value, "wasi:io@0.2.0") {
		t.Errorf("hover on wasi:io/streams:\n%s", mc.Value)
	}
	// Completion of a use path offers the packages in deps/.
	c, err := e.server.Completion(ctx, &protocol.CompletionParams{TextDocumentPositionParams: at("wasi:io/poll@0.2.0", 0)})
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, it := range c.(*protocol.CompletionList).Items {
		labels = append(labels, it.Label)
	}
	for _, want := range []string{"wasi:io/poll@0.2.0", "wasi:http/types@0.2.0", "wasi:clocks/monotonic-clock@0.2.0", "backstage-backend-plugin"} {
		if !strings.Contains(strings.Join(labels, " "), want) {
			t.Errorf("completion lacks %s: %v", want, labels)
		}
	}
	// References to a type defined in deps/ come from across deps/.
	types := "http/0.2.0/deps/http/types.wit"
	tt := e.read(types)
	tm := newMapper([]byte(tt))
	i := strings.Index(tt, "resource fields")
	refs, err := e.server.References(ctx, &protocol.ReferenceParams{TextDocumentPositionParams: protocol.TextDocumentPositionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: uri.File(filepath.Join(root, types))}, Position: tm.position(i + len("resource "))}})
	if err != nil {
		t.Fatal(err)
	}
	// from-list's result, clone's result, headers and trailers.
	if len(refs) != 4 {
		t.Errorf("references to wasi:http fields: %d, want 4", len(refs))
	}
}

// A document outside the file system (an unsaved, untitled buffer) is
// checked on its own.
func TestUntitledBuffer(t *testing.T) {
	e := newSettledEnv(t, nil)
	u := uri.URI("untitled:Untitled-1")
	e.mu.Lock()
	e.sent++
	e.mu.Unlock()
	err := e.server.DidOpen(context.Background(), &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{
		URI: u, LanguageID: "wit", Version: 3, Text: "package a:b;\ninterface i { f: func() -> nope; }\n"}})
	if err != nil {
		t.Fatal(err)
	}
	e.await("diagnostics of the untitled buffer", func() bool {
		p := e.diags[u]
		return p != nil && len(p.Diagnostics) == 1
	})
	e.mu.Lock()
	d := e.diags[u].Diagnostics[0]
	e.mu.Unlock()
	if got := rangeText(d.Range); got != "2:28-2:32" {
		t.Errorf("range %s, want the undefined name nope", got)
	}
}
