package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bigband-dev/bigband/host/wasi"
)

// BackendConfig configures serving a backend guest over HTTP.
type BackendConfig struct {
	// PoolSize is how many instances are kept ready (and the most that run
	// at once before requests wait); 0 means the number of CPUs.
	PoolSize int
	// RequestTimeout stops a request's guest call; 0 means 30 s.
	RequestTimeout time.Duration
	// MaxBodyBytes caps request bodies; 0 means 64 MiB, -1 no limit.
	MaxBodyBytes int64
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
type Backend struct {
	rt  *Runtime
	cfg BackendConfig
	log *slog.Logger
	cur atomic.Pointer[backendVersion]
	gen atomic.Int64
}

// backendVersion is one program being served, with its instance pool.
type backendVersion struct {
	gen    int64
	prog   *Program
	handle *Export
	reuse  bool

	idle  chan *Instance
	slots chan struct{} // one per instance that may exist at once
	// active counts requests on this version. Not a WaitGroup: a request
	// may still start on a version being retired, after drain began waiting.
	active atomic.Int64
	ctx    context.Context // cancelled when the version is retired
	retire context.CancelFunc
}

// NewBackend starts serving prog.
func (r *Runtime) NewBackend(ctx context.Context, prog *Program, cfg BackendConfig) (*Backend, error) {
	if cfg.PoolSize <= 0 {
		cfg.PoolSize = runtime.NumCPU()
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 64 << 20
	}
	b := &Backend{rt: r, cfg: cfg, log: r.log}
	if err := b.Swap(ctx, prog); err != nil {
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
// can be instantiated. On error the current version keeps serving (and the
// caller keeps prog). On success the backend owns prog: it closes the
// version it replaces once that version's requests are done, so a dev loop
// swapping all day releases each build's code.
func (b *Backend) Swap(ctx context.Context, prog *Program) error {
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
	vctx, cancel := context.WithCancel(context.Background())
	v := &backendVersion{
		gen: b.gen.Add(1), prog: prog, handle: handle, reuse: reuse,
		idle:  make(chan *Instance, b.cfg.PoolSize),
		slots: make(chan struct{}, b.cfg.PoolSize),
		ctx:   vctx, retire: cancel,
	}
	// The first instance proves the version links before it serves.
	inst, err := prog.Instantiate(ctx)
	if err != nil {
		cancel()
		return err
	}
	v.slots <- struct{}{}
	v.idle <- inst
	go v.fill(b.log)
	if old := b.cur.Swap(v); old != nil {
		go old.drain(prog)
	}
	return nil
}

// fill keeps the pool topped up with fresh instances, off the request path.
func (v *backendVersion) fill(log *slog.Logger) {
	for {
		select {
		case <-v.ctx.Done():
			return
		case v.slots <- struct{}{}:
		}
		inst, err := v.prog.Instantiate(v.ctx)
		if err != nil {
			<-v.slots
			if v.ctx.Err() == nil {
				log.Error("instantiating for the pool failed", "plugin", v.prog.name, "err", err)
				time.Sleep(100 * time.Millisecond)
			}
			continue
		}
		select {
		case v.idle <- inst:
		case <-v.ctx.Done():
			inst.Close(context.Background())
			return
		}
	}
}

// get takes an instance: an idle one, or a new one while under the limit.
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
		return nil, ctx.Err()
	}
}

// put returns an instance after a request: reused if allowed and healthy,
// otherwise closed (and its slot freed for a fresh one).
func (v *backendVersion) put(inst *Instance, healthy bool) {
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

// drain retires a version: no new requests reach it; it closes its idle
// instances once the requests in flight are done, then its program unless
// that serves on as next (swapped in again).
func (v *backendVersion) drain(next *Program) {
	v.retire()
	for v.active.Load() > 0 {
		time.Sleep(5 * time.Millisecond)
	}
	for {
		select {
		case inst := <-v.idle:
			inst.Close(context.Background())
			continue
		default:
		}
		break
	}
	if v.prog != next {
		v.prog.Close(context.Background())
	}
}

// Generation counts swaps: the version serving now.
func (b *Backend) Generation() int64 { return b.cur.Load().gen }

// Program is the program serving now.
func (b *Backend) Program() *Program { return b.cur.Load().prog }

// Close retires the current version after in-flight requests finish, and
// closes its program.
func (b *Backend) Close() {
	if v := b.cur.Swap(nil); v != nil {
		v.drain(nil)
	}
}

// acquire counts a request on the version serving now and takes an
// instance of it; nil when the backend is closed. A version retired, and
// its program closed, between loading it and counting the request hands
// the request to its successor.
func (b *Backend) acquire(ctx context.Context) (*backendVersion, *Instance, error) {
	for {
		v := b.cur.Load()
		if v == nil {
			return nil, nil, nil
		}
		v.active.Add(1)
		inst, err := v.get(ctx)
		if errors.Is(err, ErrProgramClosed) && b.cur.Load() != v {
			v.active.Add(-1)
			continue
		}
		return v, inst, err
	}
}

// ServeHTTP runs one request through the guest.
func (b *Backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), b.cfg.RequestTimeout)
	defer cancel()
	v, inst, err := b.acquire(ctx)
	if v == nil {
		http.Error(w, "backend stopped", http.StatusServiceUnavailable)
		return
	}
	defer v.active.Add(-1)
	if err != nil {
		b.log.Error("no instance for the request", "plugin", v.prog.name, "err", err)
		http.Error(w, "plugin unavailable", http.StatusServiceUnavailable)
		return
	}
	lim := wasi.HTTPLimits{MaxBodyBytes: b.cfg.MaxBodyBytes}
	if lim.MaxBodyBytes < 0 {
		lim.MaxBodyBytes = 0
	}
	req := wasi.NewIncomingRequest(r, lim)
	out := wasi.NewResponseOutparam(w)
	_, callErr := inst.CallExport(ctx, v.handle, req, out)
	var o wasi.Outcome
	if callErr != nil {
		o = out.Abort() // a response set before a trap must not go out as if complete
	} else {
		o = out.Outcome()
	}
	v.put(inst, callErr == nil)
	switch {
	case callErr != nil && !o.Sent:
		b.log.Error("guest failed handling a request", "plugin", v.prog.name, "method", r.Method, "path", r.URL.Path, "err", callErr)
		status := http.StatusInternalServerError
		if errors.Is(callErr, context.DeadlineExceeded) || ctx.Err() != nil {
			status = http.StatusGatewayTimeout
		}
		http.Error(w, "plugin error", status)
	case callErr != nil:
		b.log.Error("guest failed mid-response", "plugin", v.prog.name, "path", r.URL.Path, "err", callErr)
		panic(http.ErrAbortHandler)
	case o.Err != nil && !o.Sent && req.BodyTooLarge():
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
	case o.Err != nil && !o.Sent:
		b.log.Warn("guest answered with an error", "plugin", v.prog.name, "path", r.URL.Path, "err", o.Err)
		status := o.Status
		if status < 400 {
			status = http.StatusBadGateway
		}
		http.Error(w, "plugin error: "+o.Err.Error(), status)
	case !o.Sent:
		b.log.Error("guest returned without a response", "plugin", v.prog.name, "path", r.URL.Path)
		http.Error(w, "plugin sent no response", http.StatusInternalServerError)
	case !o.Complete:
		panic(http.ErrAbortHandler)
	}
}
