package lsp

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// testEnv drives a server in-process over a pipe, as an editor would.
type testEnv struct {
	t      *testing.T
	dir    string
	conn   jsonrpc2.Conn
	server protocol.Server
	srv    *Server

	mu        sync.Mutex
	cond      *sync.Cond
	diags     map[uri.URI]*protocol.PublishDiagnosticsParams
	pubs      int
	published map[string]uint64 // by package root, see settle
	sent      uint64            // notifications that make a new snapshot

	registrations []protocol.Registration
}

// clientHandler records what the server publishes.
func (e *testEnv) handle(ctx context.Context, req *jsonrpc2.Request) (any, error) {
	if req.Method() == protocol.MethodTextDocumentPublishDiagnostics {
		var p protocol.PublishDiagnosticsParams
		if err := protocol.Unmarshal(req.Params(), &p); err != nil {
			e.t.Errorf("bad publishDiagnostics: %v", err)
			return nil, nil
		}
		p, _ = protocol.Clone(p)
		e.mu.Lock()
		if prev := e.diags[p.URI]; prev != nil {
			pv, pok := prev.Version.Get()
			v, ok := p.Version.Get()
			if pok && ok && v < pv {
				e.t.Errorf("%s: diagnostics for version %d published after version %d's", p.URI, v, pv)
			}
		}
		e.diags[p.URI] = &p
		e.pubs++
		e.cond.Broadcast()
		e.mu.Unlock()
		return nil, nil
	}
	if req.Method() == protocol.MethodClientRegisterCapability {
		var p protocol.RegistrationParams
		if err := protocol.Unmarshal(req.Params(), &p); err != nil {
			e.t.Errorf("bad registerCapability: %v", err)
		}
		p, _ = protocol.Clone(p)
		e.mu.Lock()
		e.registrations = append(e.registrations, p.Registrations...)
		e.cond.Broadcast()
		e.mu.Unlock()
		return nil, nil
	}
	if req.IsCall() {
		return nil, jsonrpc2.ErrMethodNotFound
	}
	return nil, nil
}

func newTestEnvWith(t testing.TB, files map[string]string, opts Options, caps *protocol.ClientCapabilities) *testEnv {
	tt, _ := t.(*testing.T)
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a, b := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	e := &testEnv{t: tt, dir: dir, diags: map[uri.URI]*protocol.PublishDiagnosticsParams{}}
	e.cond = sync.NewCond(&e.mu)
	done := make(chan error, 1)
	if os.Getenv("LSP_TEST_LOG") != "" {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if opts.WasmPoll == 0 {
		opts.WasmPoll = 50 * time.Millisecond
	}
	go func() { done <- Serve(ctx, a, opts) }()
	e.conn = jsonrpc2.NewConn(jsonrpc2.NewHeaderStream(b), jsonrpc2.WithCodec(codec{}))
	e.conn.Go(ctx, e.handle)
	e.server = protocol.ServerDispatcher(e.conn)
	init := &protocol.InitializeParams{}
	if caps != nil {
		init.Capabilities = *caps
	}
	if _, err := e.server.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	if err := e.server.Initialized(ctx, &protocol.InitializedParams{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer scancel()
		_ = e.server.Shutdown(sctx)
		_ = e.server.Exit(sctx)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("server did not exit within 30 s of exit")
		}
		cancel()
		_ = e.conn.Close()
	})
	return e
}

func (e *testEnv) uri(name string) uri.URI {
	return uri.File(filepath.Join(e.dir, filepath.FromSlash(name)))
}

func (e *testEnv) read(name string) string {
	b, err := os.ReadFile(filepath.Join(e.dir, filepath.FromSlash(name)))
	if err != nil {
		e.t.Fatal(err)
	}
	return string(b)
}

func (e *testEnv) open(name string) {
	e.openText(name, e.read(name), 1)
}

func (e *testEnv) openText(name, text string, version int32) {
	e.mu.Lock()
	e.sent++
	e.mu.Unlock()
	err := e.server.DidOpen(context.Background(), &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{
		URI: e.uri(name), LanguageID: "wit", Version: version, Text: text}})
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *testEnv) change(name, text string, version int32) {
	e.mu.Lock()
	e.sent++
	e.mu.Unlock()
	err := e.server.DidChange(context.Background(), &protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: e.uri(name)}, Version: version},
		ContentChanges: []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangeWholeDocument{Text: text}}})
	if err != nil {
		e.t.Fatal(err)
	}
}

// awaitVersion waits until the diagnostics of name carry version v (or,
// for files not open, until pred holds), failing after a generous guard.
func (e *testEnv) await(what string, pred func() bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	deadline := time.Now().Add(60 * time.Second)
	wake := time.AfterFunc(61*time.Second, func() {
		e.mu.Lock()
		e.cond.Broadcast()
		e.mu.Unlock()
	})
	defer wake.Stop()
	for !pred() {
		if time.Now().After(deadline) {
			e.t.Fatalf("no %s within 60 s", what)
		}
		e.cond.Wait()
	}
}

func (e *testEnv) awaitVersion(name string, v int32) []protocol.Diagnostic {
	u := e.uri(name)
	var out []protocol.Diagnostic
	e.await(fmt.Sprintf("diagnostics for %s version %d", name, v), func() bool {
		p := e.diags[u]
		if p == nil {
			return false
		}
		got, ok := p.Version.Get()
		if ok && got > v {
			e.t.Fatalf("%s: got diagnostics for version %d while waiting for %d", name, got, v)
		}
		if ok && got == v {
			out = p.Diagnostics
			return true
		}
		return false
	})
	return out
}

// diagText renders the diagnostics of every file, sorted, one per line.
func (e *testEnv) diagText() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.diagTextLocked()
}

func (e *testEnv) diagTextLocked() string {
	var lines []string
	for u, p := range e.diags {
		rel, _ := filepath.Rel(e.dir, u.FsPath())
		for _, d := range p.Diagnostics {
			code, _ := d.Code.(protocol.String)
			msg, _ := d.Message.(protocol.String)
			line := fmt.Sprintf("%s:%s %s %s: %s", filepath.ToSlash(rel), rangeText(d.Range), sevName(d.Severity), code, msg)
			for _, r := range d.RelatedInformation {
				rrel, _ := filepath.Rel(e.dir, r.Location.URI.FsPath())
				line += fmt.Sprintf("\n\trelated %s:%s %s", filepath.ToSlash(rrel), rangeText(r.Location.Range), r.Message)
			}
			lines = append(lines, line)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func sevName(s protocol.DiagnosticSeverity) string {
	switch s {
	case protocol.DiagnosticSeverityError:
		return "error"
	case protocol.DiagnosticSeverityWarning:
		return "warning"
	}
	return "info"
}

func rangeText(r protocol.Range) string {
	return fmt.Sprintf("%d:%d-%d:%d", r.Start.Line+1, r.Start.Character+1, r.End.Line+1, r.End.Character+1)
}

// newSettledEnv is newTestEnv with publication tracking, for settle.
func newSettledEnv(t testing.TB, files map[string]string) *testEnv {
	var e *testEnv
	published := map[string]uint64{}
	var srv *Server
	hooks := Options{
		onServer: func(s *Server) { srv = s },
		onPublish: func(root string, seq uint64) {
			e.mu.Lock()
			published[root] = max(published[root], seq)
			e.cond.Broadcast()
			e.mu.Unlock()
		},
	}
	e = newTestEnvWith(t, files, hooks, nil)
	e.srv = srv
	e.published = published
	return e
}

// settle waits until the package of name has been diagnosed on the newest
// snapshot.
func (e *testEnv) settle(name string) {
	// Notifications return once written: wait for the server to have
	// taken in every one sent (so it has placed the file in its package),
	// then for their diagnostics.
	e.await("the server to take in "+name, func() bool { return e.srv.sess.current().seq >= e.sent })
	root, _ := e.srv.sess.placeOf(filepath.Join(e.dir, filepath.FromSlash(name)), false)
	e.await("diagnostics of "+name, func() bool {
		seq := e.srv.sess.current().seq
		return e.published[root] >= seq && int64(e.pubs) >= e.srv.sess.sentPubs.Load()
	})
}
