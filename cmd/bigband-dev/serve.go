package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/bigband-dev/bigband/backstage"
	"github.com/bigband-dev/bigband/contract"
	"github.com/bigband-dev/bigband/host"
	"github.com/fsnotify/fsnotify"
)

type serveFlags struct {
	addr       string
	id         string
	watch      bool
	pool       int
	timeout    time.Duration
	stall      time.Duration
	idle       time.Duration
	grace      time.Duration
	maxBody    int64
	maxHandles int
	memory     int64
	budget     *host.CompileBudget
	reuse      string
	noCache    bool
}

func serveFlagSet(fs *flag.FlagSet) any {
	s := &serveFlags{maxBody: host.DefaultMaxBodyBytes, maxHandles: host.DefaultMaxLiveHandles}
	fs.StringVar(&s.addr, "addr", "127.0.0.1:7008", "listen on `ADDR` (loopback by default; 7008 because Backstage's backend has 7007, and the generated backend plugins forward here)")
	fs.StringVar(&s.id, "id", "", "Backstage plugin `ID`: requests under /api/ID/ are served as if at / (default: from the guest's file name)")
	fs.BoolVar(&s.watch, "watch", false, "reload the guest when the file changes")
	fs.Var(countFlag{n: &s.pool}, "pool", "instances kept ready and running at once (`N`, default: number of CPUs)")
	durationVar(fs, &s.timeout, "timeout", host.DefaultRequestTimeout, "stop a request (waiting for an instance and the guest's call) after `DURATION`; also bounds each instantiation")
	durationVar(fs, &s.stall, "stall-timeout", host.DefaultStallTimeout, "stop a request whose client takes no data (or sends none) for `DURATION`")
	durationVar(fs, &s.idle, "idle-timeout", 30*time.Second, "close a keep-alive connection idle for `DURATION`")
	s.grace = 3 * time.Second
	fs.Var(durationFlag{d: &s.grace, allowZero: true}, "grace", "on Ctrl-C, give requests in flight `DURATION` to finish (a second Ctrl-C exits at once)")
	fs.Var(sizeFlag{n: &s.maxBody, noLimit: true}, "max-body", "largest request body, `SIZE` like 64MiB (-1: no limit)")
	fs.Var(countFlag{n: &s.maxHandles, noLimit: true}, "max-handles", "close rather than reuse an instance left holding more than `N` resource handles after a request (-1: no limit)")
	memoryVar(fs, &s.memory)
	compileBudgetVar(fs, &s.budget)
	fs.StringVar(&s.reuse, "reuse", "auto", "reuse instances across requests: `auto, always or never` (auto: not for componentize-js guests)")
	fs.BoolVar(&s.noCache, "no-cache", false, "don't use the on-disk cache of compiled code")
	return s
}

func runServe(e *env, opts any, args []string) int {
	s := opts.(*serveFlags)
	if len(args) != 1 {
		fmt.Fprintln(e.stderr, "bigband-dev serve: want exactly one WASM")
		fmt.Fprintln(e.stderr, "Run 'bigband-dev help serve' for usage.")
		return exitUsage
	}
	reuse := map[string]host.Reuse{"auto": host.ReuseAuto, "always": host.ReuseAlways, "never": host.ReuseNever}
	policy, ok := reuse[s.reuse]
	if !ok {
		fmt.Fprintf(e.stderr, "bigband-dev serve: --reuse must be auto, always or never, not %q\n", s.reuse)
		return exitUsage
	}
	path := args[0]
	log := slog.New(slog.NewTextHandler(e.stderr, nil))

	// The port first: a busy one fails in milliseconds, not after a
	// guest has compiled.
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		printError(e, listenError(s.addr, err))
		return exitFail
	}
	defer ln.Close()

	ctx, first, stopSignals := interrupts(e, log)
	defer stopSignals()

	cfg := host.Config{Logger: log, CallTimeout: s.timeout, MemoryLimitPages: memoryPages(s.memory), CompileBudget: s.budget}
	if !s.noCache {
		cfg.CacheDir = host.DefaultCacheDir()
	}
	rt, err := host.NewRuntime(ctx, cfg)
	if err != nil {
		printError(e, err)
		return exitFail
	}
	defer rt.Close(context.Background())
	prog, err := loadBackend(ctx, rt, path)
	if ctx.Err() != nil {
		log.Info("interrupted while loading the guest")
		return exitInterrupted
	}
	if err != nil {
		printError(e, err)
		return exitFail
	}
	backend, err := rt.NewBackend(ctx, prog, host.BackendConfig{
		PoolSize: s.pool, RequestTimeout: s.timeout, StallTimeout: s.stall,
		MaxBodyBytes: s.maxBody, MaxLiveHandles: s.maxHandles, Reuse: policy,
	})
	if err != nil {
		_ = prog.Close(context.Background())
		if ctx.Err() != nil {
			return exitInterrupted
		}
		printError(e, err)
		return exitFail
	}
	if s.id == "" {
		s.id = backstage.IDFromName(path)
	}
	srv := newServer(backstage.MountAPI(s.id, backend), log, s.idle)
	if s.watch {
		// Watch before saying "serving": a build saved right after that
		// line must not be missed.
		w, err := watchDir(path)
		if err != nil {
			backend.Close()
			printError(e, err)
			return exitFail
		}
		defer w.Close()
		go watchGuest(ctx, log, rt, backend, w, path)
	}
	log.Info("serving", "plugin", prog.Name(), "addr", "http://"+ln.Addr().String(), "also_at", backstage.APIPrefix(s.id)+"/")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var sig os.Signal
	select {
	case err := <-errc:
		backend.Close()
		printError(e, err)
		return exitFail
	case sig = <-first:
	}
	log.Info(fmt.Sprintf("%v: shutting down; requests in flight have %v to finish (Ctrl-C again exits at once)", sig, s.grace), "in_flight", backend.InFlight())
	grace, stop := context.WithTimeout(context.Background(), s.grace)
	defer stop()
	if err := srv.Shutdown(grace); err != nil {
		log.Warn("grace period over: closing connections and stopping the requests still running", "in_flight", backend.InFlight())
		srv.Close()
	}
	_ = backend.Shutdown(grace)
	return exitOK
}

// newServer is the HTTP server in front of a backend. Its timeouts bound
// what a client can hold without sending a request: headers must arrive
// within 10 s and an idle keep-alive connection is closed after idle. A
// request's own time is bounded by the backend (--timeout, and
// --stall-timeout for a client that stops reading or sending), not here,
// so that long streams keep working.
func newServer(h http.Handler, log *slog.Logger, idle time.Duration) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// listenError says why addr can't be listened on and what to do.
func listenError(addr string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("can't listen on %s: the address is in use (another bigband-dev serve or watch?); stop what listens there, or pick another address with --addr, e.g. --addr 127.0.0.1:0 for any free port", addr)
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		err = oe.Err
	}
	return fmt.Errorf("can't listen on %s: %v; pick another address with --addr HOST:PORT", addr, err)
}

// watchDir watches the directory holding path: the file itself may be
// replaced by a rename.
func watchDir(path string) (*fsnotify.Watcher, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("cannot watch %s: %w", path, err)
	}
	if err := w.Add(filepath.Dir(abs)); err != nil {
		w.Close()
		return nil, fmt.Errorf("cannot watch %s: %w", filepath.Dir(abs), err)
	}
	return w, nil
}

// loadBackend loads a guest and checks it exports an HTTP handler. A
// frontend guest is told apart, with what to run instead.
func loadBackend(ctx context.Context, rt *host.Runtime, path string) (*host.Program, error) {
	wasm, err := os.ReadFile(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	prog, err := contract.LoadGuest(ctx, rt, wasm, filepath.Base(path))
	if err != nil {
		return nil, err
	}
	if _, err := host.HandlerExport(prog); err != nil {
		if k, kerr := contract.KindOf(prog); kerr == nil && k == contract.Frontend {
			err = fmt.Errorf("%s is a frontend plugin; serve runs backend plugins (a wasi:http handler). To make a Backstage plugin package of it, run:\n  bigband-dev generate --wasm %s --id ID", path, path)
		}
		_ = prog.Close(ctx)
		return nil, err
	}
	return prog, nil
}

// watchGuest reloads the guest when its file changes. Editors and build
// tools replace files in several steps, so events are debounced, and the
// directory is watched (the file itself may be replaced by a rename). A
// version that fails to load never replaces the one serving.
func watchGuest(ctx context.Context, log *slog.Logger, rt *host.Runtime, b *host.Backend, w *fsnotify.Watcher, path string) {
	abs, _ := filepath.Abs(path)
	var timer *time.Timer
	reload := make(chan struct{}, 1)
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if p, _ := filepath.Abs(ev.Name); p != abs || ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Rename) == 0 {
				continue
			}
			if timer != nil {
				timer.Stop()
			}
			timer = time.AfterFunc(150*time.Millisecond, func() {
				select {
				case reload <- struct{}{}:
				default:
				}
			})
		case err := <-w.Errors:
			log.Warn("watch error", "err", err)
		case <-reload:
			start := time.Now()
			prog, err := loadBackend(ctx, rt, path)
			if err == nil {
				if err = b.Swap(ctx, prog); err != nil {
					_ = prog.Close(ctx) // a failed swap leaves the program to us
				}
			}
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				log.Error("reload failed; still serving the previous version", "err", guestText(err))
				continue
			}
			log.Info("reloaded", "plugin", prog.Name(), "generation", b.Generation(), "took", time.Since(start).Round(time.Millisecond))
		}
	}
}

// interrupts makes the first SIGINT or SIGTERM cancel ctx (and arrive on
// first) for a graceful shutdown; the second exits at once, whatever is
// still running.
func interrupts(e *env, log *slog.Logger) (ctx context.Context, first <-chan os.Signal, stop func()) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(context.Background())
	firstc := make(chan os.Signal, 1)
	go func() {
		firstc <- <-sigs
		cancel()
		<-sigs
		log.Warn("second signal: exiting now")
		e.exit(exitInterrupted)
	}()
	return ctx, firstc, func() {
		signal.Stop(sigs)
		cancel()
	}
}
