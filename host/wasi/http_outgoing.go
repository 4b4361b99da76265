package wasi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/bigband-dev/bigband/host/abi"
)

// MaxPendingBody bounds the response body a guest may write before it
// hands the response to response-outparam.set: those bytes can't go out
// before the status and headers, so the host must hold them. Past the
// bound the write fails rather than blocks, because a blocked guest could
// never reach the set that would unblock it.
const MaxPendingBody = 1 << 20

// errNoResponse is Outcome.Err when the guest returned without setting one.
var errNoResponse = errors.New("wasi:http: the guest returned from handle without calling response-outparam.set")

// ResponseOutparam is a wasi:http response-outparam over a net/http
// ResponseWriter.
type ResponseOutparam struct {
	w http.ResponseWriter

	mu   sync.Mutex
	done bool           // set was called
	wire *wire          // the response given to set, if ok
	err  *HTTPErrorCode // the error given to set, if err
	hold *IncomingRequest
}

// NewResponseOutparam returns the outparam for one request: the response
// the guest sets on it is written to w.
//
// It enables full duplex on w where the server supports it: a guest may
// stream its response while still reading the request (an echo), which
// HTTP/1.x in net/http otherwise cuts off once the headers are flushed.
func NewResponseOutparam(w http.ResponseWriter) *ResponseOutparam {
	_ = http.NewResponseController(w).EnableFullDuplex()
	return &ResponseOutparam{w: w}
}

// MaxHeldBody is how much response body HoldFor keeps back.
const MaxHeldBody = 64 << 10

// HoldFor keeps the response off the wire while req's body is still being
// read, up to MaxHeldBody of response body: a guest that answers before
// reading a body that then goes over the limit must give the client a
// 413, not a 200 cut off halfway. Once the body went over the limit, the
// held response is never sent (Outcome reports it unsent). Call it before
// the guest runs.
func (o *ResponseOutparam) HoldFor(req *IncomingRequest) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.hold = req
}

// Outcome reports how the guest's handling ended; call it once handle has
// returned. A response the guest set but whose headers are not on the wire
// yet (no body written, not finished) is sent now: handle returning is the
// last moment to do so.
func (o *ResponseOutparam) Outcome() Outcome {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case !o.done:
		return Outcome{Status: http.StatusInternalServerError, Err: errNoResponse}
	case o.err != nil:
		return Outcome{Status: o.err.Status(), Err: o.err}
	}
	return o.wire.outcome()
}

// Abort reports the outcome like Outcome but sends nothing that is not on
// the wire yet: for a handle that trapped, where a pending response set
// before the trap must not go out as if it were whole (the server answers
// 500 instead when Sent is false). Later writes to the body fail.
func (o *ResponseOutparam) Abort() Outcome {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case !o.done:
		return Outcome{Status: http.StatusInternalServerError, Err: errNoResponse}
	case o.err != nil:
		return Outcome{Status: o.err.Status(), Err: o.err}
	}
	return o.wire.abort()
}

// set implements response-outparam.set.
func (o *ResponseOutparam) set(v abi.Result) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done {
		return errors.New("wasi:http: response-outparam.set called twice")
	}
	if v.Err {
		code, err := liftErrorCode(v.Value)
		if err != nil {
			return err
		}
		o.done, o.err = true, code
		return nil
	}
	resp, ok := v.Value.(*OutgoingResponse)
	if !ok {
		return fmt.Errorf("wasi:http: response-outparam.set: response is %T", v.Value)
	}
	o.done, o.wire = true, resp.wire
	resp.wire.attach(o.w, resp, o.hold)
	return nil
}

// sendInformational writes a 1xx response before the final one.
func (o *ResponseOutparam) sendInformational(status uint16, headers []field) abi.Result {
	o.mu.Lock()
	defer o.mu.Unlock()
	if status < 100 || status > 199 || status == http.StatusSwitchingProtocols {
		return abi.Err(internalError(fmt.Sprintf("status %d is not an informational status", status)).variant())
	}
	if o.done {
		return abi.Err(internalError("the final response was already set").variant())
	}
	// net/http sends the current header map with a 1xx status; restore it
	// afterwards so these fields don't leak into the final response.
	h := o.w.Header()
	saved := h.Clone()
	for k := range h {
		delete(h, k)
	}
	for k, v := range toHeader(headers) {
		h[k] = v
	}
	o.w.WriteHeader(int(status))
	for k := range h {
		delete(h, k)
	}
	for k, v := range saved {
		h[k] = v
	}
	return abi.Ok(nil)
}

// OutgoingResponse is a wasi:http outgoing-response.
type OutgoingResponse struct {
	mu     sync.Mutex
	status int
	// headers is the response's own list: the guest sees it only through
	// immutable views, so it never changes after construction.
	headers   []field
	bodyTaken bool
	kids      children // headers views
	wire      *wire
}

func newOutgoingResponse(headers []field) *OutgoingResponse {
	r := &OutgoingResponse{status: http.StatusOK, headers: headers}
	r.wire = &wire{length: -1}
	return r
}

// DropErr implements DropChecker.
func (r *OutgoingResponse) DropErr() error {
	return dropOrder("outgoing-response", "headers", r.kids.alive())
}

// Drop implements abi.Dropper.
func (r *OutgoingResponse) Drop() { _ = r.DropErr() }

// validStatus accepts final statuses: 1xx are informational (net/http
// would send them as such and then a 200), and RFC 9110 defines none
// above 599.
func validStatus(s uint16) bool { return s >= 200 && s <= 599 }

// wire is where an outgoing response goes: held back until the guest sets
// it on the outparam, then written to the ResponseWriter. Status and
// headers go out on the first body write or flush, at finish, or when
// handle returns, whichever comes first.
type wire struct {
	mu       sync.Mutex
	w        http.ResponseWriter // nil until set
	resp     *OutgoingResponse
	sent     bool
	status   int
	pending  []byte // written before set
	written  int64
	length   int64 // declared content-length, -1 if none
	trailers []field
	taken    bool // the body was taken: it must be finished
	finished bool
	failed   bool             // finish found the body wrong
	hold     *IncomingRequest // see ResponseOutparam.HoldFor
}

// attach hands the response to w (response-outparam.set). Bytes already
// written, or a finished body, go out at once.
func (wr *wire) attach(w http.ResponseWriter, resp *OutgoingResponse, hold *IncomingRequest) {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	wr.w, wr.resp, wr.hold = w, resp, hold
	if (len(wr.pending) > 0 || wr.finished) && !wr.holding(0) {
		_ = wr.send()
	}
}

// holding reports whether the response stays off the wire with n more
// bytes: the request body is still unread and what is held stays within
// MaxHeldBody, or the request body went over its limit (the server
// answers 413 instead); wr.mu is held.
func (wr *wire) holding(n int) bool {
	switch {
	case wr.hold == nil || wr.sent:
		return false
	case wr.hold.BodyTooLarge():
		return true
	}
	return wr.hold.bodyUnread() && len(wr.pending)+n <= MaxHeldBody
}

// send writes status, headers and pending bytes, once; wr.mu is held and
// wr.w is set.
func (wr *wire) send() error {
	if wr.sent {
		return nil
	}
	wr.sent = true
	wr.resp.mu.Lock()
	wr.status = wr.resp.status
	headers := wr.resp.headers
	wr.resp.mu.Unlock()
	h := wr.w.Header()
	for k, v := range toHeader(headers) {
		h[k] = v
	}
	if wr.finished {
		// Trailers known before the status goes out are declared with
		// it: net/http fixes chunked or Content-Length framing then.
		wr.writeTrailers()
	}
	wr.w.WriteHeader(wr.status)
	if len(wr.pending) > 0 {
		p := wr.pending
		wr.pending = nil
		if _, err := wr.w.Write(p); err != nil {
			return &httpStreamError{err: err}
		}
	}
	return nil
}

// Write implements io.Writer for the body's output-stream.
func (wr *wire) Write(p []byte) (int, error) {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	if wr.finished {
		return 0, &httpStreamError{err: errors.New("wasi:http: write to a finished body")}
	}
	if wr.hold != nil && !wr.sent && wr.hold.BodyTooLarge() {
		// The server answers 413 instead: keep nothing more of this one.
		return 0, &httpStreamError{err: errors.New("wasi:http: the request body went over the host's limit, so this response is discarded (the client gets 413)")}
	}
	if wr.holding(len(p)) {
		wr.pending = append(wr.pending, p...)
		wr.written += int64(len(p))
		return len(p), nil
	}
	if wr.w == nil {
		if len(wr.pending)+len(p) > MaxPendingBody {
			return 0, &httpStreamError{err: fmt.Errorf("wasi:http: more than %d bytes of response body written before response-outparam.set (set the response first, then stream the body)", MaxPendingBody)}
		}
		wr.pending = append(wr.pending, p...)
		wr.written += int64(len(p))
		return len(p), nil
	}
	if err := wr.send(); err != nil {
		return 0, err
	}
	n, err := wr.w.Write(p)
	wr.written += int64(n)
	if err != nil {
		return n, &httpStreamError{err: err}
	}
	return n, nil
}

// Flush implements the flush of the body's output-stream: bytes reach the
// client now, not when net/http's buffer fills. Before set there is
// nowhere to flush to, and that is not an error.
func (wr *wire) Flush() error {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	if wr.w == nil || wr.holding(0) {
		return nil
	}
	if err := wr.send(); err != nil {
		return err
	}
	if err := http.NewResponseController(wr.w).Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return &httpStreamError{err: err}
	}
	return nil
}

// finish ends the body (outgoing-body.finish). A body shorter or longer
// than its declared content-length is an error, and the response stays
// incomplete so that the server aborts it instead of sending it as whole.
// An empty body is not checked: that is how a HEAD or 304 response
// declares the length it doesn't send, and the wire doesn't know the
// request's method (net/http closes the connection if it was a GET).
func (wr *wire) finish(trailers []field) *HTTPErrorCode {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	if wr.length >= 0 && wr.written > 0 && wr.written != wr.length {
		wr.failed = true
		return httpCode(codeHTTPResponseBodySize, abi.Some(uint64(wr.written)))
	}
	wr.finished, wr.trailers = true, trailers
	if wr.w != nil && !wr.holding(0) {
		if !wr.sent {
			_ = wr.send() // writes the trailers too
		} else {
			wr.writeTrailers()
		}
	}
	return nil
}

// writeTrailers declares the trailers through net/http's TrailerPrefix,
// which works even after the headers went out; wr.mu is held.
func (wr *wire) writeTrailers() {
	if len(wr.trailers) == 0 {
		return
	}
	h := wr.w.Header()
	for k, v := range toHeader(wr.trailers) {
		h[http.TrailerPrefix+k] = v
	}
	wr.trailers = nil
}

func (wr *wire) outcome() Outcome {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	if wr.hold != nil && !wr.sent && wr.hold.BodyTooLarge() {
		return wr.abortLocked()
	}
	var err error
	if !wr.sent {
		err = wr.send()
	}
	complete := (!wr.taken || wr.finished) && !wr.failed
	out := Outcome{Sent: true, Status: wr.status, Complete: complete}
	if err != nil {
		out.Err = err
	} else if !complete {
		out.Err = httpCode(codeHTTPResponseIncomplete, nil)
	}
	return out
}

func (wr *wire) abort() Outcome {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	return wr.abortLocked()
}

func (wr *wire) abortLocked() Outcome {
	complete := (!wr.taken || wr.finished) && !wr.failed
	wr.finished = true // no more writes
	wr.pending = nil
	if !wr.sent {
		return Outcome{Status: http.StatusInternalServerError, Err: httpCode(codeHTTPResponseIncomplete, nil)}
	}
	out := Outcome{Sent: true, Status: wr.status, Complete: complete}
	if !complete {
		out.Err = httpCode(codeHTTPResponseIncomplete, nil)
	}
	return out
}

// takeBody marks the body handed out, reading the declared length first:
// the headers can't change any more (views are immutable).
func (wr *wire) takeBody(headers []field) {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	wr.taken = true
	wr.length = declaredLength(headers)
}

// declaredLength returns the content-length the fields declare, -1 if
// none or not a single valid number (net/http then ignores it too).
func declaredLength(list []field) int64 {
	n := int64(-1)
	for _, f := range list {
		if http.CanonicalHeaderKey(f.name) != "Content-Length" {
			continue
		}
		v, err := strconv.ParseInt(string(f.value), 10, 64)
		if err != nil || v < 0 || n >= 0 && v != n {
			return -1
		}
		n = v
	}
	return n
}

// bodySink is where an outgoing body's bytes go.
type bodySink interface {
	Write(p []byte) (int, error)
	Flush() error
	finish(trailers []field) *HTTPErrorCode
}

// OutgoingBody is a wasi:http outgoing-body.
type OutgoingBody struct {
	sink bodySink

	mu       sync.Mutex
	streamed bool
	kids     children // the output-stream
}

// DropErr implements DropChecker. Dropping a body without finishing it
// leaves the response incomplete (the spec's "corrupted" body): Outcome
// reports Complete false.
func (b *OutgoingBody) DropErr() error {
	return dropOrder("outgoing-body", "output-stream", b.kids.alive())
}

// Drop implements abi.Dropper.
func (b *OutgoingBody) Drop() { _ = b.DropErr() }

func outgoingFuncs() map[string]Func {
	type resp = *OutgoingResponse
	return map[string]Func{
		"[method]response-outparam.send-informational": method(func(_ context.Context, _ *State, o *ResponseOutparam, args []any) (any, error) {
			status, err := arg[uint16](args, 0)
			if err != nil {
				return nil, err
			}
			f, err := arg[*Fields](args, 1)
			if err != nil {
				return nil, err
			}
			return o.sendInformational(status, f.take()), nil
		}),
		"[static]response-outparam.set": func(_ context.Context, _ *State, args []any) (any, error) {
			o, err := arg[*ResponseOutparam](args, 0)
			if err != nil {
				return nil, err
			}
			v, err := arg[abi.Result](args, 1)
			if err != nil {
				return nil, err
			}
			return nil, o.set(v)
		},
		"[constructor]outgoing-response": func(_ context.Context, _ *State, args []any) (any, error) {
			f, err := arg[*Fields](args, 0)
			if err != nil {
				return nil, err
			}
			return newOutgoingResponse(f.take()), nil
		},
		"[method]outgoing-response.status-code": method(func(_ context.Context, _ *State, r resp, _ []any) (any, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			return uint16(r.status), nil
		}),
		"[method]outgoing-response.set-status-code": method(func(_ context.Context, _ *State, r resp, args []any) (any, error) {
			s, err := arg[uint16](args, 0)
			if err != nil {
				return nil, err
			}
			if !validStatus(s) {
				return abi.Err(nil), nil
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			r.status = int(s)
			return abi.Ok(nil), nil
		}),
		"[method]outgoing-response.headers": method(func(_ context.Context, _ *State, r resp, _ []any) (any, error) {
			return view(r.headers, r.kids.add()), nil
		}),
		"[method]outgoing-response.body": method(func(_ context.Context, _ *State, r resp, _ []any) (any, error) {
			r.mu.Lock()
			taken := r.bodyTaken
			r.bodyTaken = true
			r.mu.Unlock()
			if taken {
				return abi.Err(nil), nil
			}
			// Outside r.mu: the wire locks the response when it sends, so
			// the order is always wire, then response.
			r.wire.takeBody(r.headers)
			return abi.Ok(&OutgoingBody{sink: r.wire}), nil
		}),
		"[method]outgoing-body.write": method(func(_ context.Context, _ *State, b *OutgoingBody, _ []any) (any, error) {
			b.mu.Lock()
			defer b.mu.Unlock()
			if b.streamed {
				return abi.Err(nil), nil
			}
			b.streamed = true
			s := NewOutputStream(b.sink)
			s.OnDrop(b.kids.add())
			return abi.Ok(s), nil
		}),
		"[static]outgoing-body.finish": func(_ context.Context, _ *State, args []any) (any, error) {
			b, err := arg[*OutgoingBody](args, 0)
			if err != nil {
				return nil, err
			}
			opt, err := arg[abi.Option](args, 1)
			if err != nil {
				return nil, err
			}
			if b.kids.alive() > 0 {
				return nil, errors.New("wasi:http: outgoing-body.finish: the body's output-stream is still alive (drop it first)")
			}
			var trailers []field
			if opt.Some {
				f, ok := opt.Value.(*Fields)
				if !ok {
					return nil, fmt.Errorf("wasi:http: outgoing-body.finish: trailers are %T", opt.Value)
				}
				trailers = f.take()
			}
			if code := b.sink.finish(trailers); code != nil {
				return abi.Err(code.variant()), nil
			}
			return abi.Ok(nil), nil
		},
	}
}
