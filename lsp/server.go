// Package lsp is the WIT language server: thin protocol handlers over
// immutable snapshots of the open buffers. The feature logic lives in
// lsp/analysis and knows nothing of LSP; this package converts positions
// (UTF-16) and types and keeps the protocol's ordering rules.
package lsp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// Options configures Serve.
type Options struct {
	// Logger receives debug logs; nil discards them.
	Logger *slog.Logger
	// WasmPoll is how often built .wasm files are checked for changes; 0
	// means every second, negative never.
	WasmPoll time.Duration

	// Test hooks: the server once built, and each finished publication.
	onServer  func(*Server)
	onPublish func(root string, seq uint64)
}

// codec marshals with the protocol package's union-aware codec (the one
// protocol.NewServer installs; it is not exported).
type codec struct{}

func (codec) Marshal(v any) ([]byte, error) {
	switch m := v.(type) {
	case jsonrpc2.RawMessage:
		if m == nil {
			return []byte("null"), nil
		}
		return m, nil
	case *jsonrpc2.RawMessage:
		if m == nil || *m == nil {
			return []byte("null"), nil
		}
		return *m, nil
	}
	return protocol.Marshal(v)
}

func (codec) Unmarshal(data []byte, v any) error {
	if p, ok := v.(*jsonrpc2.RawMessage); ok {
		*p = append(jsonrpc2.RawMessage(nil), data...)
		return nil
	}
	return protocol.Unmarshal(data, v)
}

// Serve runs the server on rwc until the client exits or the stream ends.
func Serve(ctx context.Context, rwc io.ReadWriteCloser, opts Options) error {
	conn := jsonrpc2.NewConn(jsonrpc2.NewHeaderStream(rwc), jsonrpc2.WithCodec(codec{}))
	s := newServer(protocol.ClientDispatcher(conn), opts)
	s.sess.onPublish = opts.onPublish
	if opts.onServer != nil {
		opts.onServer(s)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.baseCtx = ctx
	conn.Go(ctx, s.handler(protocol.ServerHandler(s, jsonrpc2.MethodNotFoundHandler)))
	go s.pollWasm(ctx)
	select {
	case <-conn.Done():
	case <-s.exitCh:
		// The read loop may sit in a read of stdin that closing can't
		// interrupt (and Close waits for it): don't wait.
		go conn.Close()
	case <-ctx.Done():
		_ = conn.Close()
	}
	s.stop()
	if err := conn.Err(); err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrClosedPipe) && !s.exited() {
		return err
	}
	return nil
}

// handler orders the protocol: notifications (text synchronisation above
// all) run one at a time in the order they arrive and never return an
// error (which would close the connection); requests run concurrently and
// can be cancelled. A panic anywhere becomes an error reply, not a crash.
//
// Handlers get a context detached from the connection's pooled request
// context: jsonrpc2 recycles that one when the handler returns, and a
// context.WithCancel over it (as protocol.CancelHandler makes) can touch it
// afterwards from the goroutine that watches the parent, which crashes. So
// cancellation is kept here instead.
func (s *Server) handler(inner jsonrpc2.Handler) jsonrpc2.Handler {
	var mu sync.Mutex
	inflight := map[jsonrpc2.ID]context.CancelFunc{}
	run := func(ctx context.Context, req *jsonrpc2.Request) (res any, err error) {
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("panic in handler", "method", req.Method(), "panic", p, "stack", string(debug.Stack()))
				res, err = nil, jsonrpc2.Errorf(jsonrpc2.ErrInternal.Code, "internal error in %s: %v", req.Method(), p)
			}
		}()
		return inner(ctx, req)
	}
	return func(ctx context.Context, req *jsonrpc2.Request) (any, error) {
		base := jsonrpc2.DetachContext(ctx)
		if !req.IsCall() {
			if req.Method() == protocol.MethodCancelRequest {
				var p protocol.CancelParams
				if err := protocol.Unmarshal(req.Params(), &p); err == nil {
					var id jsonrpc2.ID
					switch v := p.ID.(type) {
					case protocol.Integer:
						id = jsonrpc2.NewNumberID(int64(v))
					case protocol.String:
						id = jsonrpc2.NewStringID(string(v))
					}
					mu.Lock()
					if cancel := inflight[id]; cancel != nil {
						cancel()
					}
					mu.Unlock()
				}
				return nil, nil
			}
			if _, err := run(base, req); err != nil {
				s.log.Warn("notification failed", "method", req.Method(), "err", err)
			}
			return nil, nil
		}
		rctx, cancel := context.WithCancel(base)
		id := req.ID()
		mu.Lock()
		inflight[id] = cancel
		mu.Unlock()
		defer func() {
			mu.Lock()
			delete(inflight, id)
			mu.Unlock()
			cancel()
		}()
		// initialize finishes before anything else is read: the
		// notifications after it depend on what the client said.
		if req.Method() != protocol.MethodInitialize {
			jsonrpc2.Async(ctx)
		}
		return run(rctx, req)
	}
}

// Server implements protocol.Server. Exported so tests and the command can
// name it; construct it with Serve.
type Server struct {
	protocol.UnimplementedServer
	client  protocol.Client
	log     *slog.Logger
	opts    Options
	baseCtx context.Context

	sess *session

	mu       sync.Mutex
	shutdown bool
	exit     bool
	canWatch bool // the client registers file watchers on request
	exitCh   chan struct{}
	exitOnce sync.Once
}

func newServer(client protocol.Client, opts Options) *Server {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{client: client, log: log, opts: opts, baseCtx: context.Background(), exitCh: make(chan struct{})}
	s.sess = newSession(s)
	return s
}

func (s *Server) exited() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exit
}

func (s *Server) stop() { s.sess.stopAll() }

// Semantic token legend: the order is the protocol's numbering.
var (
	tokenTypes     = []string{"namespace", "interface", "type", "struct", "enum", "function", "parameter", "property", "enumMember", "keyword", "comment", "string", "number", "class", "typeParameter"}
	tokenModifiers = []string{"declaration", "defaultLibrary"}
)

func (s *Server) Initialize(ctx context.Context, params *protocol.InitializeParams) (*protocol.InitializeResult, error) {
	if ws := params.Capabilities.Workspace; ws != nil && ws.DidChangeWatchedFiles != nil && ws.DidChangeWatchedFiles.DynamicRegistration != nil {
		s.mu.Lock()
		s.canWatch = *ws.DidChangeWatchedFiles.DynamicRegistration
		s.mu.Unlock()
	}
	t := true
	full := protocol.TextDocumentSyncKindFull
	return &protocol.InitializeResult{
		ServerInfo: protocol.ServerInfo{Name: "bigband-dev lsp"},
		Capabilities: protocol.ServerCapabilities{
			PositionEncoding:           protocol.PositionEncodingKindUTF16,
			TextDocumentSync:           &protocol.TextDocumentSyncOptions{OpenClose: &t, Change: &full, Save: protocol.Boolean(true)},
			HoverProvider:              protocol.Boolean(true),
			DefinitionProvider:         protocol.Boolean(true),
			TypeDefinitionProvider:     protocol.Boolean(true),
			ReferencesProvider:         protocol.Boolean(true),
			DocumentSymbolProvider:     protocol.Boolean(true),
			WorkspaceSymbolProvider:    protocol.Boolean(true),
			CompletionProvider:         &protocol.CompletionOptions{TriggerCharacters: []string{":", "/", ".", "{", "<", "@"}},
			DocumentFormattingProvider: protocol.Boolean(true),
			RenameProvider:             &protocol.RenameOptions{PrepareProvider: &t},
			FoldingRangeProvider:       protocol.Boolean(true),
			DocumentLinkProvider:       &protocol.DocumentLinkOptions{},
			CodeActionProvider:         &protocol.CodeActionOptions{CodeActionKinds: []protocol.CodeActionKind{protocol.CodeActionKindQuickFix}},
			SemanticTokensProvider: &protocol.SemanticTokensOptions{
				Legend: protocol.SemanticTokensLegend{TokenTypes: tokenTypes, TokenModifiers: tokenModifiers},
				Full:   protocol.Boolean(true),
			},
		},
	}, nil
}

// Initialized asks the client to report .wit and .wasm files changing on
// disk (a build writing the plugin's wasm, a branch switch), when it can.
func (s *Server) Initialized(ctx context.Context, params *protocol.InitializedParams) error {
	s.mu.Lock()
	can := s.canWatch
	s.mu.Unlock()
	if !can {
		return nil
	}
	opts, err := protocol.Marshal(&protocol.DidChangeWatchedFilesRegistrationOptions{Watchers: []protocol.FileSystemWatcher{
		{GlobPattern: protocol.Pattern("**/*.wit")}, {GlobPattern: protocol.Pattern("**/*.wasm")}, {GlobPattern: protocol.Pattern("**/bigband.toml")},
	}})
	if err != nil {
		return nil
	}
	// A request to the client from a notification handler would wait on
	// the read loop it is running on: send it from elsewhere, and not with
	// ctx, which the connection recycles once the handler returns.
	go func() {
		err := s.client.RegisterCapability(s.baseCtx, &protocol.RegistrationParams{Registrations: []protocol.Registration{
			{ID: "bigband-watch", Method: protocol.MethodWorkspaceDidChangeWatchedFiles, RegisterOptions: opts},
		}})
		s.log.Debug("file watcher registration", "err", err)
	}()
	return nil
}

func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shutdown = true
	s.mu.Unlock()
	s.sess.stopAll()
	return nil
}

func (s *Server) Exit(ctx context.Context) error {
	s.mu.Lock()
	s.exit = true
	s.mu.Unlock()
	s.exitOnce.Do(func() { close(s.exitCh) })
	return nil
}

func (s *Server) Request(ctx context.Context, method string, params any) (any, error) {
	return nil, jsonrpc2.Errorf(jsonrpc2.ErrMethodNotFound.Code, "method not found: %s", method)
}

var errNoFile = fmt.Errorf("not a file this server knows")
