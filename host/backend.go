package host

import (
	"context"
	"errors"
	"fmt"
	"github.com/bigband-dev/bigband/bytesize"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bigband-dev/bigband/host/wasi"
)

// Defaults for BackendConfig's zero values.
const (
	DefaultRequestTimeout = 30 * time.Second
	DefaultStallTimeout   = 10 * time.Second
	DefaultMaxBodyBytes   = 64 << 20
	// DefaultMaxLiveHandles is how many resource handles an instance may
	// still hold after a request and be reused. A handler that drops what
	// it creates ends a request with a handful; one that leaks grows the
	// host's memory with every request it serves.
	DefaultMaxLiveHandles = 1024
)

// BackendConfig configures serving a backend guest over HTTP.
type BackendConfig struct {
	// PoolSize is how many instances are kept ready (and the most that run
	// at once before requests wait); 0 means the number of CPUs.
	PoolSize int
	// RequestTimeout bounds a request from the moment it arrives: waiting
	// for an instance and the guest's call; 0 means DefaultRequestTimeout.
	// It also bounds each instantiation for the pool.
	RequestTimeout time.Duration
	// StallTimeout cuts off a client that stops moving data: a response
	// write or a request body read that makes no progress for this long
	// fails the request, so a client that never reads its response can't
	// hold an instance; 0 means DefaultStallTimeout. Progress is counted
	// per 64 KiB, so a client must take at least 64 KiB per StallTimeout.
	StallTimeout time.Duration
	// MaxBodyBytes caps request bodies; 0 means DefaultMaxBodyBytes, -1 no
	// limit. A request that declares a longer Content-Length gets 413
	// before the guest runs.
	MaxBodyBytes int64
	// MaxLiveHandles is how many resource handles an instance may hold
	// after a request and still be reused; past it the instance is closed
	// (and the event logged once per version). 0 means
	// DefaultMaxLiveHandles, -1 no limit.
	MaxLiveHandles int
	// Reuse says whether an instance may serve more than one request.
	// ReuseAuto reuses instances unless the guest is known to handle only
	// one request per instance (componentize-js).
	Reuse Reuse
}

// Reuse is an instance reuse policy.
type Reuse int

const (
	ReuseAuto Reuse = iota
	ReuseAlways
	ReuseNever
)

// Backend serves a backend guest's wasi:http incoming-handler. It is an
// http.Handler whose guest can be swapped while it serves: requests in
// flight finish on the version they started on.
//
// A Backend owns the programs given to NewBackend and Swap: it closes each
// one (Program.Close) once it is retired and its last request has ended,
// and the current one at Close. A program whose Swap failed stays the
// caller's.
type Backend struct {
	rt  *Runtime
	cfg BackendConfig
	log *slog.Logger
	cur atomic.Pointer[backendVersion]
	gen atomic.Int64

	// abort cancels every request in flight (Shutdown past its deadline).
	abort    context.Context
	abortNow context.CancelFunc
	inflight atomic.Int64
	closed   atomic.Bool
	// versions tracks versions not yet released, retired ones included.
	versions sync.WaitGroup
	live     atomic.Int64
}

// backendVersion is one program being served, with its instance pool.
type backendVersion struct {
	gen        int64
	prog       *Program
	handle     *Export
	reuse      bool
	maxHandles int
	instTO     time.Duration // bound on one instantiation
	log        *slog.Logger

	idle  chan *Instance
	slots chan struct{} // one per instance that may exist at once
	ctx   context.Context
	// retire cancels ctx: the pool stops filling and returned instances
	// are closed rather than kept.
	retire     context.CancelFunc
	filled     chan struct{} // closed when fill has returned
	released   chan struct{} // closed when the version's resources are gone
	leakLogged atomic.Bool
	keepProg   bool // release leaves the program open

	mu      sync.Mutex
	active  int  // requests on this version
	retired bool // drain was called
	closed  bool // release started: no request may enter
}

// NewBackend starts serving prog (see Backend for who closes it).
func (r *Runtime) NewBackend(ctx context.Context, prog *Program, cfg BackendConfig) (*Backend, error) {
	if cfg.PoolSize <= 0 {
		cfg.PoolSize = runtime.NumCPU()
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.StallTimeout <= 0 {
		cfg.StallTimeout = DefaultStallTimeout
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxLiveHandles == 0 {
		cfg.MaxLiveHandles = DefaultMaxLiveHandles
	}
	b := &Backend{rt: r, cfg: cfg, log: r.log}
	b.abort, b.abortNow = context.WithCancel(context.Background())
	if err := b.Swap(ctx, prog); err != nil {
		b.abortNow()
		return nil, err
	}
	return b, nil
}

// HandlerExport finds a program's wasi:http/incoming-handler#handle at any
// 0.2.x version.
func HandlerExport(p *Program) (*Export, error) {
	for _, e := range p.Exports() {
		if e.Short == "incoming-handler" && strings.HasPrefix(e.Interface, "wasi:http/incoming-handler@0.2.") && e.Func.Name == "handle" {
			return e, nil
		}
	}
	return nil, fmt.Errorf("%s: exports no wasi:http/incoming-handler@0.2.x#handle", p.name)
}

// singleUse reports guests whose instances serve one request only: the
// StarlingMonkey engine of componentize-js refuses a second `handle`.
func singleUse(p *Program) bool {
	if p.comp == nil {
		return false
	}
	for _, c := range p.comp.c.Customs {
		// The producers section names the tool: "ComponentizeJS".
		if c.Name == "producers" && strings.Contains(strings.ToLower(string(c.Data)), "componentize") {
			return true
		}
	}
	return false
}

// Swap makes prog the version new requests go to, once it has proven it
// can be instantiated (within the request timeout). On error the current
// version keeps serving and prog stays the caller's; on success the
// Backend owns it, and the version it replaces is closed once its last
// request ends.
func (b *Backend) Swap(ctx context.Context, prog *Program) error {
	if b.closed.Load() {
		return errBackendClosed
	}
	handle, err := HandlerExport(prog)
	if err != nil {
		return err
	}
	reuse := !singleUse(prog)
	switch b.cfg.Reuse {
	case ReuseAlways:
		reuse = true
	case ReuseNever:
		reuse = false
	}
	// The first instance proves the version links before it serves.
	ictx, icancel := context.WithTimeout(ctx, b.cfg.RequestTimeout)
	inst, err := prog.Instantiate(ictx)
	icancel()
	if err != nil {
		return err
	}
	vctx, cancel := context.WithCancel(context.Background())
	v := &backendVersion{
		gen: b.gen.Add(1), prog: prog, handle: handle, reuse: reuse,
		maxHandles: b.cfg.MaxLiveHandles, instTO: b.cfg.RequestTimeout, log: b.log,
		idle:     make(chan *Instance, b.cfg.PoolSize),
		slots:    make(chan struct{}, b.cfg.PoolSize),
		ctx:      vctx,
		retire:   cancel,
		filled:   make(chan struct{}),
		released: make(chan struct{}),
	}
	v.slots <- struct{}{}
	v.idle <- inst
	b.versions.Add(1)
	b.live.Add(1)
	go func() { <-v.released; b.live.Add(-1); b.versions.Done() }()
	go v.fill()
	if b.closed.Load() {
		// Closed while this version was instantiating: don't serve it,
		// and leave its program to the caller, as for any failed Swap.
		v.keepProg = true
		v.drain()
		return errBackendClosed
	}
	if old := b.cur.Swap(v); old != nil {
		old.drain()
	}
	return nil
}

var errBackendClosed = errors.New("backend closed: not swapping in a new version")

// fill keeps the pool topped up with fresh instances, off the request path.
// Each instantiation runs under the request timeout, so one that hangs
// costs a slot for that long, not forever; failures back off.
func (v *backendVersion) fill() {
	defer close(v.filled)
	backoff := 100 * time.Millisecond
	for {
		select {
		case <-v.ctx.Done():
			return
		case v.slots <- struct{}{}:
		}
		ctx, cancel := context.WithTimeout(v.ctx, v.instTO)
		inst, err := v.prog.Instantiate(ctx)
		cancel()
		if err != nil {
			<-v.slots
			if v.ctx.Err() != nil {
				return
			}
			v.log.Error("instantiating for the pool failed", "plugin", v.prog.name, "err", err, "retry_in", backoff)
			select {
			case <-v.ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 10*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		select {
		case v.idle <- inst:
		case <-v.ctx.Done():
			inst.Close(context.Background())
			<-v.slots
			return
		}
	}
}

// get takes an instance: an idle one, or a new one while under the limit.
// ctx bounds the wait and the instantiation.
func (v *backendVersion) get(ctx context.Context) (*Instance, error) {
	select {
	case inst := <-v.idle:
		return inst, nil
	default:
	}
	select {
	case inst := <-v.idle:
		return inst, nil
	case v.slots <- struct{}{}:
		inst, err := v.prog.Instantiate(ctx)
		if err != nil {
			<-v.slots
			return nil, err
		}
		return inst, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("no instance free within the request timeout (all %d busy; serve --pool raises it): %w", cap(v.slots), ctx.Err())
	}
}

// put returns an instance after a request: reused if allowed and healthy,
// otherwise closed (and its slot freed for a fresh one). An instance left
// holding more handles than allowed is not healthy: whatever leaked would
// pile up with every request it serves.
func (v *backendVersion) put(inst *Instance, healthy bool) {
	if healthy && v.reuse && v.maxHandles >= 0 {
		if n := inst.LiveHandles(); n > v.maxHandles {
			healthy = false
			if v.leakLogged.CompareAndSwap(false, true) {
				v.log.Warn("closing an instance that still holds too many resource handles after a request (a leak in the guest?); logged once per version",
					"plugin", v.prog.name, "generation", v.gen, "live_handles", n, "limit", v.maxHandles)
			}
		}
	}
	if healthy && v.reuse && v.ctx.Err() == nil {
		select {
		case v.idle <- inst:
			return
		default:
		}
	}
	inst.Close(context.Background())
	<-v.slots
}

// enter counts a request on v; false once v is being released.
func (v *backendVersion) enter() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return false
	}
	v.active++
	return true
}

// leave ends a request on v; the last one on a retired version releases it.
func (v *backendVersion) leave() {
	v.mu.Lock()
	v.active--
	last := v.retired && v.active == 0 && !v.closed
	if last {
		v.closed = true
	}
	v.mu.Unlock()
	if last {
		// Off the request's goroutine: its response is still being flushed.
		go v.release()
	}
}

// drain retires a version: no new requests reach it (the caller has
// already replaced it), and it is released when its last request ends,
// which the request timeout bounds.
func (v *backendVersion) drain() {
	v.retire()
	v.mu.Lock()
	v.retired = true
	last := v.active == 0 && !v.closed
	if last {
		v.closed = true
	}
	v.mu.Unlock()
	if last {
		go v.release()
	}
}

// release closes the idle instances and the program. No request is on the
// version and fill has been told to stop.
func (v *backendVersion) release() {
	defer close(v.released)
	<-v.filled
	for len(v.idle) > 0 {
		(<-v.idle).Close(context.Background())
	}
	if v.keepProg {
		return
	}
	if err := v.prog.Close(context.Background()); err != nil {
		v.log.Warn("closing a retired program failed", "plugin", v.prog.name, "generation", v.gen, "err", err)
	}
}

// Generation counts swaps: the version serving now.
func (b *Backend) Generation() int64 {
	if v := b.cur.Load(); v != nil {
		return v.gen
	}
	return 0
}

// Program is the program serving now; nil after Close.
func (b *Backend) Program() *Program {
	if v := b.cur.Load(); v != nil {
		return v.prog
	}
	return nil
}

// Versions counts the versions whose programs are still open: the one
// serving, and retired ones whose last requests have not ended yet.
func (b *Backend) Versions() int { return int(b.live.Load()) }

// InFlight counts the requests being handled, on every version.
func (b *Backend) InFlight() int { return int(b.inflight.Load()) }

// Close stops serving: new requests get 503, requests in flight finish
// (each is bounded by the request timeout), then every version's instances
// and program are closed. It returns once they are.
func (b *Backend) Close() { _ = b.Shutdown(context.Background()) }

// Shutdown is Close with a deadline: when ctx is done before the requests
// in flight have finished, their guest calls are stopped (a request that
// has not answered yet gets 503, one midway through its response is cut
// off), and Shutdown returns ctx's error once they have unwound.
func (b *Backend) Shutdown(ctx context.Context) error {
	b.closed.Store(true)
	if v := b.cur.Swap(nil); v != nil {
		v.drain()
	}
	done := make(chan struct{})
	go func() { b.versions.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	b.abortNow()
	<-done
	return ctx.Err()
}

// enter finds the version to serve a request on and counts the request on
// it. A version being released refuses; by then a newer one is current.
func (b *Backend) enter() *backendVersion {
	for {
		v := b.cur.Load()
		if v == nil || v.enter() {
			return v
		}
	}
}

// ServeHTTP runs one request through the guest.
func (b *Backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.inflight.Add(1)
	defer b.inflight.Add(-1)
	v := b.enter()
	if v == nil {
		http.Error(w, "backend stopped", http.StatusServiceUnavailable)
		return
	}
	defer v.leave()
	log := requestLog{b.log, v.prog.name, r}
	pw := newProgressWriter(w, b.cfg.StallTimeout)
	defer pw.finish()

	limit := b.cfg.MaxBodyBytes
	if limit > 0 && r.ContentLength > limit {
		log.Warn(fmt.Sprintf("request body over --max-body %s: answered 413 without running the guest", bytesize.Format(limit)), "content_length", r.ContentLength)
		http.Error(pw, fmt.Sprintf("request body too large: %d bytes declared, the limit is %s", r.ContentLength, bytesize.Format(limit)), http.StatusRequestEntityTooLarge)
		return
	}
	var pr *progressReader
	if r.Body != nil && r.Body != http.NoBody {
		pr = &progressReader{ReadCloser: r.Body, rc: pw.rc, stall: b.cfg.StallTimeout}
		r.Body = pr
	}

	ctx, cancel := context.WithTimeout(r.Context(), b.cfg.RequestTimeout)
	defer cancel()
	defer context.AfterFunc(b.abort, cancel)()
	inst, err := v.get(ctx)
	if err != nil {
		if b.abort.Err() != nil {
			http.Error(pw, "backend shutting down", http.StatusServiceUnavailable)
			return
		}
		log.Error("no instance for the request", "err", err)
		http.Error(pw, "plugin unavailable", http.StatusServiceUnavailable)
		return
	}
	lim := wasi.HTTPLimits{MaxBodyBytes: max(limit, 0)}
	req := wasi.NewIncomingRequest(r, lim)
	out := wasi.NewResponseOutparam(pw)
	if limit > 0 {
		out.HoldFor(req)
	}
	_, callErr := inst.CallExport(ctx, v.handle, req, out)
	var o wasi.Outcome
	if callErr != nil {
		o = out.Abort() // a response set before a trap must not go out as if complete
	} else {
		o = out.Outcome()
	}
	v.put(inst, callErr == nil)

	tooLarge := req.BodyTooLarge()
	overLimit := fmt.Sprintf("request body over --max-body %s", bytesize.Format(limit))
	switch {
	case pw.stalled() || pr.stalled():
		// The client stopped reading (or sending): what was written is
		// stuck, so there is nothing useful left to say to it.
		what := "reading the response"
		if !pw.stalled() {
			what = "sending the request body"
		}
		log.Warn(fmt.Sprintf("client stopped %s: no progress for %v; request stopped, its instance freed", what, b.cfg.StallTimeout), "guest_err", errText(callErr))
		if !o.Sent && !pw.stalled() {
			http.Error(pw, "request body stalled", http.StatusRequestTimeout)
			return
		}
		panic(http.ErrAbortHandler)
	case tooLarge && !o.Sent:
		log.Warn(overLimit+": answered 413", "guest_err", errText(callErr))
		http.Error(pw, fmt.Sprintf("request body too large: the limit is %s", bytesize.Format(limit)), http.StatusRequestEntityTooLarge)
	case tooLarge && (callErr != nil || !o.Complete):
		// The status is on the wire: the response can only be cut off, so
		// that the client sees an error and never a complete answer.
		log.Error(overLimit+" after the guest had started its response: response cut off", "status_sent", o.Status, "guest_err", errText(callErr))
		panic(http.ErrAbortHandler)
	case tooLarge:
		log.Warn(overLimit+"; the guest answered without it", "status", o.Status)
	case callErr != nil && !o.Sent:
		log.Error("guest failed handling a request", "err", callErr)
		status := http.StatusInternalServerError
		if errors.Is(callErr, context.DeadlineExceeded) || ctx.Err() != nil {
			status = http.StatusGatewayTimeout
		}
		if b.abort.Err() != nil {
			status = http.StatusServiceUnavailable
		}
		http.Error(pw, "plugin error", status)
	case callErr != nil:
		log.Error("guest failed mid-response", "err", callErr)
		panic(http.ErrAbortHandler)
	case o.Err != nil && !o.Sent:
		log.Warn("guest answered with an error", "err", o.Err)
		status := o.Status
		if status < 400 {
			status = http.StatusBadGateway
		}
		http.Error(pw, "plugin error: "+o.Err.Error(), status)
	case !o.Sent:
		log.Error("guest returned without a response")
		http.Error(pw, "plugin sent no response", http.StatusInternalServerError)
	case !o.Complete:
		panic(http.ErrAbortHandler)
	}
}

// requestLog logs about one request, naming it; its attributes are built
// only when something is logged.
type requestLog struct {
	log    *slog.Logger
	plugin string
	r      *http.Request
}

func (l requestLog) with() *slog.Logger {
	return l.log.With("plugin", l.plugin, "method", l.r.Method, "path", l.r.URL.Path)
}

func (l requestLog) Warn(msg string, args ...any)  { l.with().Warn(msg, args...) }
func (l requestLog) Error(msg string, args ...any) { l.with().Error(msg, args...) }

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// progressChunk is the unit of progress for StallTimeout: each write of up
// to this many bytes must reach the connection within it.
const progressChunk = 64 << 10

// progressWriter sets a write deadline before each chunk written to the
// client, so a write blocks at most StallTimeout on a client that does not
// read. When a deadline passes, net/http cancels the request's context,
// which stops the guest.
type progressWriter struct {
	http.ResponseWriter
	rc       *http.ResponseController
	stall    time.Duration
	timedOut atomic.Bool
}

func newProgressWriter(w http.ResponseWriter, stall time.Duration) *progressWriter {
	p := &progressWriter{ResponseWriter: w, rc: http.NewResponseController(w), stall: stall}
	// A deadline the previous request on this connection left behind must
	// not cut this one short.
	_ = p.rc.SetWriteDeadline(time.Time{})
	return p
}

func (p *progressWriter) arm() { _ = p.rc.SetWriteDeadline(time.Now().Add(p.stall)) }

func (p *progressWriter) Write(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		k := min(len(b), progressChunk)
		p.arm()
		m, err := p.ResponseWriter.Write(b[:k])
		n += m
		if err != nil {
			p.note(err)
			return n, err
		}
		b = b[k:]
	}
	return n, nil
}

// FlushError is what http.ResponseController.Flush calls.
func (p *progressWriter) FlushError() error {
	p.arm()
	err := p.rc.Flush()
	p.note(err)
	return err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (p *progressWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }

func (p *progressWriter) note(err error) {
	if isTimeout(err) {
		p.timedOut.Store(true)
	}
}

func (p *progressWriter) stalled() bool { return p.timedOut.Load() }

// finish bounds the flush net/http does after the handler returns.
func (p *progressWriter) finish() { p.arm() }

// progressReader sets a read deadline before each read of the request
// body, until the body ends: net/http then reads the connection in the
// background to notice a client going away, and a deadline set during
// that read would cancel the request.
type progressReader struct {
	io.ReadCloser
	rc       *http.ResponseController
	stall    time.Duration
	ended    atomic.Bool
	timedOut atomic.Bool
}

func (p *progressReader) Read(b []byte) (int, error) {
	if !p.ended.Load() {
		_ = p.rc.SetReadDeadline(time.Now().Add(p.stall))
	}
	n, err := p.ReadCloser.Read(b)
	if err != nil {
		p.ended.Store(true)
		if isTimeout(err) {
			p.timedOut.Store(true)
		}
	}
	return n, err
}

func (p *progressReader) stalled() bool { return p != nil && p.timedOut.Load() }

func isTimeout(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}
