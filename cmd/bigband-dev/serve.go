package main

import (
	"context"
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

	"github.com/bigband-dev/bigband/host"
	"github.com/fsnotify/fsnotify"
)

type serveFlags struct {
	addr    string
	watch   bool
	pool    int
	timeout time.Duration
	maxBody int64
	reuse   string
	noCache bool
}

func serveFlagSet(fs *flag.FlagSet) any {
	s := &serveFlags{}
	fs.StringVar(&s.addr, "addr", "127.0.0.1:7008", "listen on `ADDR` (loopback by default; 7008 because Backstage's backend has 7007, and the generated backend plugins forward here)")
	fs.BoolVar(&s.watch, "watch", false, "reload the guest when the file changes")
	fs.IntVar(&s.pool, "pool", 0, "instances kept ready and running at once (`N`, default: number of CPUs)")
	fs.DurationVar(&s.timeout, "timeout", 30*time.Second, "stop a request's guest call after `DURATION`")
	fs.Int64Var(&s.maxBody, "max-body", 64<<20, "largest request body in `BYTES` (-1: no limit)")
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cfg := host.Config{Logger: log}
	if !s.noCache {
		cfg.CacheDir = host.DefaultCacheDir()
	}
	rt, err := host.NewRuntime(ctx, cfg)
	if err != nil {
		fmt.Fprintln(e.stderr, "error:", err)
		return exitFail
	}
	defer rt.Close(context.Background())
	prog, err := loadBackend(ctx, rt, path)
	if err != nil {
		fmt.Fprintln(e.stderr, "error:", err)
		return exitFail
	}
	backend, err := rt.NewBackend(ctx, prog, host.BackendConfig{PoolSize: s.pool, RequestTimeout: s.timeout, MaxBodyBytes: s.maxBody, Reuse: policy})
	if err != nil {
		fmt.Fprintln(e.stderr, "error:", err)
		return exitFail
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		fmt.Fprintln(e.stderr, "error:", err)
		return exitFail
	}
	srv := &http.Server{Handler: backend, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	if s.watch {
		// Watch before saying "serving": a build saved right after that
		// line must not be missed.
		w, err := watchDir(path)
		if err != nil {
			fmt.Fprintln(e.stderr, "error:", err)
			return exitFail
		}
		defer w.Close()
		go watchGuest(ctx, log, rt, backend, w, path)
	}
	log.Info("serving", "plugin", prog.Name(), "addr", "http://"+ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintln(e.stderr, "error:", err)
		return exitFail
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Shutdown(shutdown)
	backend.Close()
	return exitOK
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

// loadBackend loads a guest and checks it exports an HTTP handler.
func loadBackend(ctx context.Context, rt *host.Runtime, path string) (*host.Program, error) {
	wasm, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	prog, err := rt.Load(ctx, wasm, host.LoadOptions{Name: filepath.Base(path)})
	if err != nil {
		return nil, err
	}
	if _, err := host.HandlerExport(prog); err != nil {
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
				err = b.Swap(ctx, prog)
			}
			if err != nil {
				log.Error("reload failed; still serving the previous version", "err", err)
				continue
			}
			log.Info("reloaded", "plugin", prog.Name(), "generation", b.Generation(), "took", time.Since(start).Round(time.Millisecond))
		}
	}
}
