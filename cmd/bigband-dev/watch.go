package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/bigband-dev/bigband/backstage"
	"github.com/bigband-dev/bigband/backstage/wire"
	"github.com/bigband-dev/bigband/hmr"
	"github.com/bigband-dev/bigband/host"
	"github.com/bigband-dev/bigband/watch"
	"github.com/bigband-dev/bigband/watch/keys"
)

type watchFlags struct {
	guestFlags
	id, app, out, addr string
	system             systemFlag
	force, poll, hmr   bool
	hmrOrigins         stringsFlag
	debounce, grace    time.Duration
	maxBody            int64
	pool               int
}

func watchFlagSet(fs *flag.FlagSet) any {
	w := &watchFlags{maxBody: host.DefaultMaxBodyBytes, grace: 3 * time.Second, hmr: true}
	fs.StringVar(&w.id, "id", "", "Backstage plugin `ID` (one source only; default: bigband.toml's id, else the directory's name)")
	fs.StringVar(&w.app, "app", "", "Backstage app `DIR`: write plugins/<id> there and wire each plugin in once")
	fs.StringVar(&w.out, "out", "", "write plugins/<id> under `DIR` (default: the --app directory, else <source>/.bigband)")
	fs.StringVar(&w.addr, "addr", watch.DefaultAddr, "serve backend plugins on `ADDR` under /api/<id>/ (the generated backend plugins forward there)")
	fs.Var(&w.system, "frontend-system", "frontend plugins: `new` or legacy; default: what --app uses, else new")
	fs.BoolVar(&w.force, "force", false, "overwrite generated files you have edited, and write into directories holding other plugins")
	fs.BoolVar(&w.hmr, "hmr", true, "serve the dashboard, the HMR websocket and the browser client under /__bigband/ (-hmr=false: none of them)")
	fs.Var(&w.hmrOrigins, "hmr-origin", "also let pages from `ORIGIN` (like http://localhost:3000) use the HMR websocket; repeatable (the app's app.baseUrl is allowed already)")
	fs.BoolVar(&w.poll, "poll", false, "poll the file system instead of using inotify (NFS, some containers)")
	durationVar(fs, &w.debounce, "debounce", 75*time.Millisecond, "wait `DURATION` after the last change before building")
	fs.Var(durationFlag{d: &w.grace, allowZero: true}, "grace", "on Ctrl-C or q, give requests in flight `DURATION` to finish (a second Ctrl-C exits at once)")
	fs.Var(sizeFlag{n: &w.maxBody, noLimit: true}, "max-body", "largest request body to a backend plugin, `SIZE` like 64MiB (-1: no limit)")
	fs.Var(countFlag{n: &w.pool}, "pool", "instances per backend kept ready (`N`, default: number of CPUs)")
	w.define(fs, 30*time.Second, "instantiating a guest, each call and each request")
	return w
}

func runWatch(e *env, opts any, args []string) int {
	w := opts.(*watchFlags)
	if len(args) == 0 {
		args = []string{"."}
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	if w.app != "" {
		if fi, err := os.Stat(w.app); err != nil || !fi.IsDir() {
			fmt.Fprintf(e.stderr, "bigband-dev watch: --app %s: not a directory\n", w.app)
			return exitUsage
		}
		if !w.system.set {
			if legacy, err := wire.IsLegacyApp(w.app); err == nil && legacy {
				w.system.FrontendSystem = backstage.LegacyFrontendSystem
			}
		}
	}
	ctx, _, stopSignals := interrupts(e, log)
	defer stopSignals()
	cfg := w.config(e)
	cfg.Logger = log
	s, err := watch.NewSession(watch.Options{
		Sources: args, ID: w.id, App: w.app, Out: w.out, Addr: w.addr,
		FrontendSystem: w.system.FrontendSystem, Force: w.force,
		Poll: w.poll, Debounce: w.debounce,
		Runtime: cfg,
		Backend: host.BackendConfig{PoolSize: w.pool, RequestTimeout: w.timeout, MaxBodyBytes: w.maxBody},
		Log:     log, Term: e.stdout,
		NoHMR: !w.hmr, HMROrigins: w.hmrOrigins,
	})
	if err != nil {
		printError(e, err)
		return exitFail
	}
	fmt.Fprintf(e.stdout, "watching %v; backends at http://%s/api/<id>/ — keys: r rebuild, c clear, q quit\n", s.Plugins(), s.Addr())
	if h := s.HMR(); h != nil {
		fmt.Fprintf(e.stdout, "dashboard: %s (pages load %s%s; token for non-browser clients: %s)\n", s.DashboardURL(), "http://"+s.Addr(), hmr.ClientPath, h.Token())
	}
	ctx, quit := context.WithCancel(ctx)
	defer quit()
	if f, ok := e.stdin.(*os.File); ok {
		keyc, restore := keys.Listen(ctx, f)
		defer restore()
		go func() {
			for k := range keyc {
				switch k {
				case 'r':
					s.Rebuild("r")
				case 'c':
					fmt.Fprint(e.stdout, "\x1b[H\x1b[2J")
				case 'q':
					quit()
					return
				}
			}
		}()
	}
	if err := s.Run(ctx, w.grace); err != nil {
		printError(e, err)
		return exitFail
	}
	return exitOK
}

// stringsFlag collects a repeatable string flag.
type stringsFlag []string

func (f *stringsFlag) String() string { return strings.Join(*f, ",") }

func (f *stringsFlag) Set(s string) error {
	*f = append(*f, s)
	return nil
}
