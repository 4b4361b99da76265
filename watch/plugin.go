package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/bigband-dev/bigband/contract"
	"github.com/bigband-dev/bigband/hmr"
	"github.com/bigband-dev/bigband/host"
	"github.com/bigband-dev/bigband/watch/config"
	"github.com/bigband-dev/bigband/watch/fswatch"
	"github.com/bigband-dev/bigband/watch/toolchain"
)

// PhaseConfig is a bigband.toml that failed to load: the session keeps the
// previous configuration.
const PhaseConfig Phase = "config"

// plugin is one source of a session and what serves it.
type plugin struct {
	s   *Session
	src string
	id  string // the Backstage plugin id
	// name is the plugin in the session's lines and HMR messages: its id,
	// or "<id>-backend" for the backend of a frontend/backend pair.
	name string
	// wantKind is bigband.toml's kind (config.KindAuto: from the exports).
	wantKind config.Kind
	cfg      *config.Config
	spec     toolchain.Spec
	target   Target
	rt       *host.Runtime
	bcfg     host.BackendConfig
	rebuild  chan string

	w *fswatch.Watcher // replaced when bigband.toml changes what is watched

	shown bool // where the package and the backend are was printed
	// out is the last build's output, for the dashboard.
	out *tailBuffer

	mu      sync.Mutex
	backend *host.Backend // nil until a backend version serves
	kind    contract.Kind

	bg sync.WaitGroup // swapCompiled
}

func (p *plugin) isBackend() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.kind == contract.Backend || p.wantKind == config.KindBackend
}

func (p *plugin) serveHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	b := p.backend
	p.mu.Unlock()
	if b == nil {
		http.Error(w, fmt.Sprintf("plugin %s is not serving: it is a frontend plugin, or its first build has not succeeded yet (see the bigband-dev watch terminal)", p.id), http.StatusServiceUnavailable)
		return
	}
	b.ServeHTTP(w, r)
}

// watcher starts watching the plugin's sources.
func (p *plugin) watcher(ctx context.Context) (*fswatch.Watcher, error) {
	ignore := p.spec.IgnorePaths()
	if out := p.target.Out; out != "" {
		// The generated package must never trigger a build.
		ignore = append(ignore, filepath.Join(out, "plugins"))
	}
	return fswatch.New(ctx, p.spec.Dir, fswatch.Options{
		Debounce: p.s.opts.Debounce, Poll: p.s.opts.Poll,
		Watch: p.spec.Watch, Ignore: p.spec.Ignore, IgnorePaths: ignore,
		Logger: p.s.log,
	})
}

// run is the plugin's loop: a cycle at start, then one per batch of
// changes or rebuild request, until ctx is done.
func (p *plugin) run(ctx context.Context) {
	defer p.bg.Wait()
	var err error
	if p.w, err = p.watcher(ctx); err != nil {
		c := &Cycle{Plugin: p.name, Trigger: "start", Started: time.Now()}
		c.Fail(PhaseBuild, fmt.Errorf("watching %s: %w", p.spec.Dir, err))
		p.report(c)
		return
	}
	defer func() { p.w.Close() }()
	trigger := "start"
	for {
		c := p.cycle(ctx, trigger)
		if ctx.Err() != nil {
			return
		}
		p.report(c)
		if c.Err == nil && !p.shown {
			p.shown = true
			p.s.term.Write([]byte(p.whereToLook(c)))
		}
		// Changes made during the later phases wait in the watcher: they
		// make one more cycle here.
		select {
		case <-ctx.Done():
			return
		case t := <-p.rebuild:
			trigger = t
		case b, ok := <-p.w.Batches():
			if !ok {
				return
			}
			trigger = describe(b)
			p.reconfigureOn(ctx, b)
		case err := <-p.w.Errors():
			p.s.log.Warn("watching", "plugin", p.name, "err", err)
			continue
		}
	}
}

// reconfigureOn reloads bigband.toml and the toolchain when the batch
// changed it. A config that fails to load is reported and the old one
// kept; when what is watched changed, the watcher is replaced.
func (p *plugin) reconfigureOn(ctx context.Context, b fswatch.Batch) {
	if !slices.Contains(b.Paths(), config.FileName) {
		return
	}
	cfg, err := config.Load(p.spec.Dir)
	var spec toolchain.Spec
	if err == nil {
		spec, err = detect(p.src, cfg)
	}
	if err != nil {
		c := &Cycle{Plugin: p.name, Trigger: config.FileName, Started: time.Now()}
		c.Fail(PhaseConfig, fmt.Errorf("%w (keeping the previous configuration)", err))
		p.report(c)
		return
	}
	oldWatch := slices.Concat(p.spec.Watch, p.spec.Ignore)
	p.cfg, p.spec = cfg, spec
	p.target.Kind = targetKind(cfg.Kind)
	p.mu.Lock()
	p.wantKind = cfg.Kind
	p.mu.Unlock()
	if cfg.App != "" && p.s.opts.App == "" && cfg.App != p.target.App {
		p.target.App, p.target.Wire = cfg.App, true
		if p.s.opts.Out == "" {
			p.target.Out = cfg.App
		}
	}
	if slices.Equal(oldWatch, slices.Concat(spec.Watch, spec.Ignore)) {
		return
	}
	nw, err := p.watcher(ctx)
	if err != nil {
		p.s.log.Error("re-watching after a config change; keeping the old watch", "plugin", p.name, "err", err)
		return
	}
	p.w.Close()
	p.w = nw
}

// cycle builds (restarting the build when sources change meanwhile), then
// loads, generates and swaps.
func (p *plugin) cycle(ctx context.Context, trigger string) *Cycle {
	c := &Cycle{Plugin: p.name, Trigger: trigger, Started: time.Now()}
	var wasm []byte
	var artifact string
	for {
		bctx, cancel := context.WithCancel(ctx)
		// A batch during the build cancels it; the goroutine always sends
		// once, so reading after done never misses one it took.
		changed := make(chan *fswatch.Batch, 1)
		done := make(chan struct{})
		go func() {
			select {
			case b, ok := <-p.w.Batches():
				if ok {
					cancel()
					changed <- &b
					return
				}
			case <-done:
			}
			changed <- nil
		}()
		p.building(c.Trigger)
		p.out = &tailBuffer{max: maxBrowserOutput}
		var res toolchain.Result
		ok := c.Step(PhaseBuild, func() (err error) {
			res, err = toolchain.Build(bctx, p.spec, io.MultiWriter(p.buildOutput(), p.out))
			if err != nil {
				return err
			}
			wasm, err = os.ReadFile(res.Artifact)
			return err
		})
		close(done)
		b := <-changed
		cancel()
		if b != nil {
			if ctx.Err() != nil {
				return c
			}
			// Sources changed during the build: start over with them.
			p.reconfigureOn(ctx, *b)
			c = &Cycle{Plugin: p.name, Trigger: describe(*b), Started: time.Now()}
			continue
		}
		artifact = res.Artifact
		if !ok {
			var be *toolchain.Error
			if errors.As(c.Err.Err, &be) {
				c.Err.Output = string(be.Output)
				for _, l := range be.Locations {
					c.Err.Locations = append(c.Err.Locations, l.String())
				}
			}
			return c
		}
		break
	}
	t := p.target
	prog, ok := Generate(ctx, p.rt, wasm, filepath.Base(artifact), t, c)
	if !ok {
		return c
	}
	if t.Wire {
		p.target.Wire = false // once per session
	}
	p.mu.Lock()
	p.kind = c.Kind
	p.mu.Unlock()
	if c.Kind != contract.Backend {
		prog.Close(context.Background())
		return c
	}
	swapped := c.Step(PhaseSwap, func() error {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.backend == nil {
			b, err := p.rt.NewBackend(ctx, prog, p.bcfg)
			if err != nil {
				prog.Close(context.Background())
				return err
			}
			p.backend = b
			c.Version = b.Generation()
			return nil
		}
		c.Previous = p.backend.Generation()
		if err := p.backend.Swap(ctx, prog); err != nil {
			prog.Close(context.Background())
			return err
		}
		c.Version = p.backend.Generation()
		return nil
	})
	if swapped && prog.Upgraded() != nil {
		c.Notes = append(c.Notes, "serving from the interpreter while the guest compiles (nothing compiled was cached); the compiled version swaps in when ready")
		routes := c.Routes
		p.bg.Go(func() { p.swapCompiled(ctx, prog, routes) })
	}
	return c
}

// triggerCompiled is the trigger of the cycle that swaps in a backend's
// compiled version.
const triggerCompiled = "compiled"

// report prints a cycle and tells the browsers.
func (p *plugin) report(c *Cycle) {
	p.s.report(c)
	h := p.s.hub
	if h == nil {
		return
	}
	if c.Err != nil {
		h.Error(hmrError(c))
		return
	}
	out := ""
	if c.Trigger != triggerCompiled && p.out != nil {
		out = p.out.String()
	}
	h.Update(hmrUpdate(c, p.id, out))
}

// building tells the browsers a cycle started.
func (p *plugin) building(trigger string) {
	if p.s.hub == nil {
		return
	}
	b := hmr.Building{Plugin: p.name, Trigger: trigger}
	p.mu.Lock()
	if p.backend != nil || p.kind == contract.Backend {
		b.Kind = p.kind.String()
	}
	p.mu.Unlock()
	p.s.hub.Building(b)
}

// whereToLook says, after the first good cycle, where the plugin package
// is and where its backend serves.
func (p *plugin) whereToLook(c *Cycle) string {
	s := fmt.Sprintf("  %s plugin %s: package in %s\n", c.Kind, p.id, c.Dir)
	if c.Kind == contract.Backend {
		s += fmt.Sprintf("  %s: serving at http://%s/api/%s/ (routes: %d)\n", p.name, p.s.Addr(), p.id, len(c.Routes))
	}
	if p.target.App == "" {
		s += fmt.Sprintf("  %s: wire it into a Backstage app with --app DIR, or `bigband-dev generate --app DIR`\n", p.name)
	}
	return s
}

// swapCompiled swaps in the compiled version of an interpreted program
// when it is ready, if that program still serves, and reports it as a
// cycle of its own.
func (p *plugin) swapCompiled(ctx context.Context, prog *host.Program, routes []contract.Route) {
	var np *host.Program
	select {
	case <-ctx.Done():
		return
	case up, ok := <-prog.Upgraded():
		if !ok {
			return // compiling failed (logged) or a newer build replaced prog
		}
		np = up
	}
	c := &Cycle{Plugin: p.name, Trigger: triggerCompiled, Started: time.Now(), Kind: contract.Backend, Routes: routes}
	c.Step(PhaseSwap, func() error {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.backend == nil || p.backend.Program() != prog {
			np.Close(context.Background())
			return nil
		}
		c.Previous = p.backend.Generation()
		if err := p.backend.Swap(ctx, np); err != nil {
			np.Close(context.Background())
			return err
		}
		c.Version = p.backend.Generation()
		return nil
	})
	if c.Version != 0 || c.Err != nil {
		p.report(c)
	}
}

// buildOutput is where a build's output streams: the terminal, prefixed
// with the plugin id when the session has several plugins.
func (p *plugin) buildOutput() io.Writer {
	if len(p.s.plugins) > 1 {
		return &prefixWriter{w: p.s.term, prefix: "[" + p.name + "] "}
	}
	return p.s.term
}

// close stops the plugin's backend, giving requests in flight until ctx
// ends, and releases its runtime.
func (p *plugin) close(ctx context.Context) {
	p.mu.Lock()
	b := p.backend
	p.backend = nil
	p.mu.Unlock()
	if b != nil {
		_ = b.Shutdown(ctx)
	}
	p.rt.Close(context.Background())
}
