package wasi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/bigband-dev/bigband/host/abi"
)

// DropChecker is implemented by wasi:http resources whose drop can break
// the spec's ordering rule: a parent (a request, a body, a future) dropped
// while one of its children (headers, a stream, trailers) is still alive
// traps. Drop never fails, so a runtime that wants the trap calls DropErr
// instead of Drop and traps with its error; the resource is released
// either way.
type DropChecker interface {
	DropErr() error
}

// children counts a parent's live child resources.
type children struct {
	mu sync.Mutex
	n  int
}

// add registers a child and returns the function that releases it; the
// function does its work once however often it is called.
func (c *children) add() func() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			c.n--
			c.mu.Unlock()
		})
	}
}

func (c *children) alive() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// dropOrder is the error of a parent dropped before its children.
func dropOrder(parent, child string, n int) error {
	if n == 0 {
		return nil
	}
	return fmt.Errorf("wasi:http: %s dropped while %d %s child resource(s) are alive (drop children first)", parent, n, child)
}

// hopByHop lists the connection-level fields net/http leaves in a request's
// header. The guest sees the message end to end, as a proxy would forward
// it; keeping them would also make an echo of the request's headers fail
// with header-error.forbidden.
var hopByHop = [...]string{"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Transfer-Encoding", "Upgrade", "Http2-Settings"}

// IncomingRequest is a wasi:http incoming-request over a net/http request.
type IncomingRequest struct {
	method    abi.Variant
	path      abi.Option
	scheme    abi.Option
	authority abi.Option
	headers   []field

	mu       sync.Mutex
	body     *IncomingBody
	consumed bool
	kids     children // headers views
}

// NewIncomingRequest wraps a server request for the guest. The request
// body is read only as the guest reads it (no buffering beyond one chunk),
// and at most lim.MaxBodyBytes of it.
func NewIncomingRequest(r *http.Request, lim HTTPLimits) *IncomingRequest {
	h := r.Header.Clone()
	for _, k := range hopByHop {
		delete(h, k)
	}
	headers := fromHeader(h)
	if r.Host != "" {
		// net/http moves Host out of the header map; put it back first, as
		// it came on the wire (hyper-based hosts show it too).
		headers = append([]field{{name: "host", value: []byte(r.Host)}}, headers...)
	}
	var body io.Reader = r.Body
	if r.Body == http.NoBody {
		body = nil // ended from the start: nothing to wait for
	}
	if body != nil && lim.MaxBodyBytes > 0 {
		// A nil ResponseWriter: the server glue decides the answer (413)
		// through BodyTooLarge, not the reader.
		body = http.MaxBytesReader(nil, r.Body, lim.MaxBodyBytes)
	}
	req := &IncomingRequest{
		method:  methodVariant(r.Method),
		path:    pathWithQuery(r),
		scheme:  schemeOf(r),
		headers: headers,
	}
	if r.Host != "" {
		req.authority = abi.Some(r.Host)
	}
	req.body = newIncomingBody(body, func() http.Header { return r.Trailer })
	return req
}

// BodyTooLarge reports whether reading the request body hit
// HTTPLimits.MaxBodyBytes.
func (req *IncomingRequest) BodyTooLarge() bool {
	var tooBig *http.MaxBytesError
	return errors.As(req.body.reader.failure(), &tooBig)
}

// bodyUnread reports whether the request body has not ended yet.
func (req *IncomingRequest) bodyUnread() bool {
	return !isClosed(req.body.reader.done)
}

// DropErr implements DropChecker.
func (req *IncomingRequest) DropErr() error {
	return dropOrder("incoming-request", "headers", req.kids.alive())
}

// Drop implements abi.Dropper. The body, if consumed, lives on: it is not
// a child of the request.
func (req *IncomingRequest) Drop() { _ = req.DropErr() }

// The method variant's cases, in WIT order; other(string) follows them.
var methodNames = [...]string{"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}

const methodOther = uint32(len(methodNames))

// methodVariant maps a method to the WIT variant. Methods are
// case-sensitive (RFC 9110 §9.1), so "get" is other("get").
func methodVariant(m string) abi.Variant {
	if m == "" {
		m = http.MethodGet
	}
	for i, n := range methodNames {
		if n == m {
			return abi.Variant{Case: uint32(i)}
		}
	}
	return abi.Variant{Case: methodOther, Value: m}
}

// methodString is the inverse of methodVariant; ok is false for a
// malformed variant or an other(...) that is not a token.
func methodString(v any) (string, bool) {
	mv, ok := v.(abi.Variant)
	if !ok {
		return "", false
	}
	if mv.Case < methodOther {
		return methodNames[mv.Case], true
	}
	s, ok := mv.Value.(string)
	return s, ok && mv.Case == methodOther && validFieldName(s)
}

// pathWithQuery is the request target as sent when it was in origin form
// (so the guest sees the exact bytes, percent-encoding included), or the
// path and query of an absolute-form target.
func pathWithQuery(r *http.Request) abi.Option {
	if u := r.RequestURI; strings.HasPrefix(u, "/") || u == "*" {
		return abi.Some(u)
	}
	if r.URL == nil {
		return abi.None
	}
	if r.URL.Opaque == "*" {
		return abi.Some("*")
	}
	p := r.URL.EscapedPath()
	if p == "" {
		p = "/"
	}
	if r.URL.RawQuery != "" || r.URL.ForceQuery {
		p += "?" + r.URL.RawQuery
	}
	return abi.Some(p)
}

// The scheme variant's cases.
const (
	schemeHTTP uint32 = iota
	schemeHTTPS
	schemeOther
)

func schemeOf(r *http.Request) abi.Option {
	if r.URL != nil && r.URL.Scheme != "" {
		return abi.Some(schemeVariant(r.URL.Scheme))
	}
	if r.TLS != nil {
		return abi.Some(abi.Variant{Case: schemeHTTPS})
	}
	return abi.Some(abi.Variant{Case: schemeHTTP})
}

func schemeVariant(s string) abi.Variant {
	switch strings.ToLower(s) {
	case "http":
		return abi.Variant{Case: schemeHTTP}
	case "https":
		return abi.Variant{Case: schemeHTTPS}
	}
	return abi.Variant{Case: schemeOther, Value: s}
}

// bodyReader is an incoming body's bytes: read by the guest's input-stream
// or, once the guest asks for trailers without reading everything, drained
// by the host. It records how the body ended.
type bodyReader struct {
	readMu  sync.Mutex // one reader at a time: the stream's pump or a drain
	r       io.Reader
	trailer func() http.Header

	mu       sync.Mutex
	done     chan struct{} // closed when the body ended
	err      error         // why it ended, nil at a clean EOF
	trailers []field
	drain    sync.Once
}

func newBodyReader(r io.Reader, trailer func() http.Header) *bodyReader {
	b := &bodyReader{r: r, trailer: trailer, done: make(chan struct{})}
	if r == nil {
		b.end(nil)
	}
	return b
}

func (b *bodyReader) Read(p []byte) (int, error) {
	b.readMu.Lock()
	defer b.readMu.Unlock()
	select {
	case <-b.done:
		if err := b.failure(); err != nil {
			return 0, err
		}
		return 0, io.EOF
	default:
	}
	n, err := b.r.Read(p)
	switch {
	case err == nil:
	case errors.Is(err, io.EOF):
		b.end(nil)
	default:
		err = &httpStreamError{err: err}
		b.end(err)
	}
	return n, err
}

// end records the end of the body, once; trailers are complete only then
// (net/http fills Request.Trailer at EOF).
func (b *bodyReader) end(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if isClosed(b.done) {
		return
	}
	b.err = err
	if err == nil && b.trailer != nil {
		h := b.trailer().Clone()
		for k, v := range h {
			if len(v) == 0 { // declared but never sent
				delete(h, k)
			}
		}
		if len(h) > 0 {
			b.trailers = fromHeader(h)
		}
	}
	close(b.done)
}

func (b *bodyReader) failure() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// startDrain reads what the guest left unread, so that trailers arrive
// even when the body was not consumed (what incoming-body.finish asks for).
func (b *bodyReader) startDrain() {
	b.drain.Do(func() {
		if isClosed(b.done) {
			return
		}
		go func() { _, _ = io.Copy(io.Discard, b) }()
	})
}

// IncomingBody is a wasi:http incoming-body.
type IncomingBody struct {
	reader *bodyReader

	mu       sync.Mutex
	streamed bool
	kids     children // the input-stream
}

func newIncomingBody(r io.Reader, trailer func() http.Header) *IncomingBody {
	return &IncomingBody{reader: newBodyReader(r, trailer)}
}

// DropErr implements DropChecker.
func (b *IncomingBody) DropErr() error {
	return dropOrder("incoming-body", "input-stream", b.kids.alive())
}

// Drop implements abi.Dropper.
func (b *IncomingBody) Drop() { _ = b.DropErr() }

// FutureTrailers is a wasi:http future-trailers.
type FutureTrailers struct {
	reader *bodyReader

	mu    sync.Mutex
	taken bool
	kids  children // the trailers
}

// DropErr implements DropChecker.
func (f *FutureTrailers) DropErr() error {
	return dropOrder("future-trailers", "trailers", f.kids.alive())
}

// Drop implements abi.Dropper.
func (f *FutureTrailers) Drop() { _ = f.DropErr() }

// get implements future-trailers.get:
// option<result<result<option<trailers>, error-code>>>.
func (f *FutureTrailers) get() abi.Option {
	f.reader.startDrain()
	if !isClosed(f.reader.done) {
		return abi.None
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.taken {
		return abi.Some(abi.Err(nil))
	}
	f.taken = true
	if err := f.reader.failure(); err != nil {
		code := httpErrorCode(err)
		if code == nil {
			code = internalError(err.Error())
		}
		return abi.Some(abi.Ok(abi.Err(code.variant())))
	}
	if f.reader.trailers == nil {
		return abi.Some(abi.Ok(abi.Ok(abi.None)))
	}
	return abi.Some(abi.Ok(abi.Ok(abi.Some(view(f.reader.trailers, f.kids.add())))))
}

// IncomingResponse is a wasi:http incoming-response: what outgoing-handler
// would produce. Outbound HTTP is denied, so guests never get one; the
// type is complete so that allowing it later is only a matter of sending.
type IncomingResponse struct {
	status  uint16
	headers []field

	mu       sync.Mutex
	body     *IncomingBody
	consumed bool
	kids     children
}

func newIncomingResponse(resp *http.Response) *IncomingResponse {
	return &IncomingResponse{
		status:  uint16(resp.StatusCode),
		headers: fromHeader(resp.Header),
		body:    newIncomingBody(resp.Body, func() http.Header { return resp.Trailer }),
	}
}

// DropErr implements DropChecker.
func (r *IncomingResponse) DropErr() error {
	return dropOrder("incoming-response", "headers", r.kids.alive())
}

// Drop implements abi.Dropper.
func (r *IncomingResponse) Drop() { _ = r.DropErr() }

// FutureIncomingResponse is a wasi:http future-incoming-response.
type FutureIncomingResponse struct {
	done  chan struct{}
	mu    sync.Mutex
	resp  *IncomingResponse
	err   *HTTPErrorCode
	taken bool
}

func newFutureIncomingResponse() *FutureIncomingResponse {
	return &FutureIncomingResponse{done: make(chan struct{})}
}

// resolve completes the future, once.
func (f *FutureIncomingResponse) resolve(resp *IncomingResponse, err *HTTPErrorCode) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if isClosed(f.done) {
		return
	}
	f.resp, f.err = resp, err
	close(f.done)
}

func (f *FutureIncomingResponse) get() abi.Option {
	if !isClosed(f.done) {
		return abi.None
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.taken {
		return abi.Some(abi.Err(nil))
	}
	f.taken = true
	if f.err != nil {
		return abi.Some(abi.Ok(abi.Err(f.err.variant())))
	}
	return abi.Some(abi.Ok(abi.Ok(f.resp)))
}

// consumeBody hands out body once (incoming-request.consume and
// incoming-response.consume).
func consumeBody(mu *sync.Mutex, consumed *bool, body *IncomingBody) abi.Result {
	mu.Lock()
	defer mu.Unlock()
	if *consumed {
		return abi.Err(nil)
	}
	*consumed = true
	return abi.Ok(body)
}

func incomingFuncs() map[string]Func {
	type req = *IncomingRequest
	return map[string]Func{
		"[method]incoming-request.method": method(func(_ context.Context, _ *State, r req, _ []any) (any, error) {
			return r.method, nil
		}),
		"[method]incoming-request.path-with-query": method(func(_ context.Context, _ *State, r req, _ []any) (any, error) {
			return r.path, nil
		}),
		"[method]incoming-request.scheme": method(func(_ context.Context, _ *State, r req, _ []any) (any, error) {
			return r.scheme, nil
		}),
		"[method]incoming-request.authority": method(func(_ context.Context, _ *State, r req, _ []any) (any, error) {
			return r.authority, nil
		}),
		"[method]incoming-request.headers": method(func(_ context.Context, _ *State, r req, _ []any) (any, error) {
			return view(r.headers, r.kids.add()), nil
		}),
		"[method]incoming-request.consume": method(func(_ context.Context, _ *State, r req, _ []any) (any, error) {
			return consumeBody(&r.mu, &r.consumed, r.body), nil
		}),
		"[method]incoming-body.stream": method(func(_ context.Context, _ *State, b *IncomingBody, _ []any) (any, error) {
			b.mu.Lock()
			defer b.mu.Unlock()
			if b.streamed {
				return abi.Err(nil), nil
			}
			b.streamed = true
			s := NewInputStream(b.reader)
			s.OnDrop(b.kids.add())
			return abi.Ok(s), nil
		}),
		"[static]incoming-body.finish": func(_ context.Context, _ *State, args []any) (any, error) {
			b, err := arg[*IncomingBody](args, 0)
			if err != nil {
				return nil, err
			}
			if n := b.kids.alive(); n > 0 {
				return nil, errors.New("wasi:http: incoming-body.finish: the body's input-stream is still alive (drop it first)")
			}
			return &FutureTrailers{reader: b.reader}, nil
		},
		"[method]future-trailers.subscribe": method(func(_ context.Context, _ *State, f *FutureTrailers, _ []any) (any, error) {
			f.reader.startDrain()
			return ChanPollable(f.reader.done), nil
		}),
		"[method]future-trailers.get": method(func(_ context.Context, _ *State, f *FutureTrailers, _ []any) (any, error) {
			return f.get(), nil
		}),
		"[method]incoming-response.status": method(func(_ context.Context, _ *State, r *IncomingResponse, _ []any) (any, error) {
			return r.status, nil
		}),
		"[method]incoming-response.headers": method(func(_ context.Context, _ *State, r *IncomingResponse, _ []any) (any, error) {
			return view(r.headers, r.kids.add()), nil
		}),
		"[method]incoming-response.consume": method(func(_ context.Context, _ *State, r *IncomingResponse, _ []any) (any, error) {
			return consumeBody(&r.mu, &r.consumed, r.body), nil
		}),
		"[method]future-incoming-response.subscribe": method(func(_ context.Context, _ *State, f *FutureIncomingResponse, _ []any) (any, error) {
			return ChanPollable(f.done), nil
		}),
		"[method]future-incoming-response.get": method(func(_ context.Context, _ *State, f *FutureIncomingResponse, _ []any) (any, error) {
			return f.get(), nil
		}),
	}
}
