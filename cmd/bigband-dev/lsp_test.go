package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// diagClient collects what the server publishes.
type diagClient struct {
	protocol.UnimplementedClient
	got chan *protocol.PublishDiagnosticsParams
}

func (c *diagClient) PublishDiagnostics(ctx context.Context, p *protocol.PublishDiagnosticsParams) error {
	cp, _ := protocol.Clone(*p)
	c.got <- &cp
	return nil
}

type pipes struct {
	io.ReadCloser
	io.WriteCloser
}

func (p pipes) Close() error {
	p.WriteCloser.Close()
	return p.ReadCloser.Close()
}

// The binary speaks LSP on stdin and stdout: diagnostics for a broken file,
// then a clean shutdown and exit with status 0.
func TestLSPOverStdio(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.wit")
	text := "package a:b;\ninterface i {\n  f: func() -> nope;\n}\n"
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binPath, "lsp", "--stdio")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client := &diagClient{got: make(chan *protocol.PublishDiagnosticsParams, 16)}
	_, conn, server := protocol.NewClient(ctx, client, jsonrpc2.NewHeaderStream(pipes{stdout, stdin}))
	defer conn.Close()
	if _, err := server.Initialize(ctx, &protocol.InitializeParams{}); err != nil {
		t.Fatal(err)
	}
	_ = server.Initialized(ctx, &protocol.InitializedParams{})
	err = server.DidOpen(ctx, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: uri.File(file), LanguageID: "wit", Version: 1, Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-client.got:
		if len(p.Diagnostics) != 1 || p.Diagnostics[0].Range.Start.Line != 2 {
			t.Errorf("diagnostics %+v, want one on line 3", p.Diagnostics)
		}
	case <-ctx.Done():
		t.Fatal("no diagnostics within 60 s")
	}
	if err := server.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	_ = server.Exit(ctx)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit: %v", err)
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the server did not exit within 30 s of exit")
	}
}
