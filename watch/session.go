package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bigband-dev/bigband/backstage"
	"github.com/bigband-dev/bigband/backstage/wire"
	"github.com/bigband-dev/bigband/hmr"
	"github.com/bigband-dev/bigband/host"
	"github.com/bigband-dev/bigband/host/guesttext"
	"github.com/bigband-dev/bigband/watch/config"
	"github.com/bigband-dev/bigband/watch/fswatch"
	"github.com/bigband-dev/bigband/watch/toolchain"
)

// DefaultAddr is where a session serves its backend plugins: the port the
// generated backend plugins forward to (Backstage's backend has 7007).
const DefaultAddr = "127.0.0.1:7008"

// Options configure a Session.
type Options struct {
	// Sources are guest project directories or .wasm files (watched, not
	// built).
	Sources []string
	// ID names the plugin; only with one source (default: bigband.toml's
	// id, else the directory's or file's name).
	ID string
	// App is the Backstage app to write into and wire the plugins into
	// once; Out overrides where plugins/ goes (default: App, else
	// <source>/.bigband).
	App, Out string
	// Addr is where backend plugins are served (default DefaultAddr).
	Addr           string
	FrontendSystem backstage.FrontendSystem
	Force          bool
	// Poll watches by polling; Debounce overrides the watcher's default.
	Poll     bool
	Debounce time.Duration
	// Runtime and Backend are the host's settings; a plugin's bigband.toml
	// [limits] override them for that plugin.
	Runtime host.Config
	Backend host.BackendConfig
	// Log receives diagnostics; Term gets build output as it comes and one
	// line per cycle. Either may be nil.
	Log  *slog.Logger
	Term io.Writer
	// OnCycle, when set, is called with every finished cycle.
	OnCycle func(*Cycle)
	// Listener, when set, is used instead of listening on Addr.
	Listener net.Listener
	// NoHMR turns off the browser side: the HMR websocket, the client
	// script and the dashboard under /__bigband/.
	NoHMR bool
	// HMROrigins are page origins allowed to connect to the HMR websocket
	// besides the session's own and the app's app.baseUrl.
	HMROrigins []string
}

// Session is a running `bigband-dev watch`: every source watched, built,
// loaded, rendered and served on change.
type Session struct {
	opts    Options
	log     *slog.Logger
	term    *lockedWriter
	plugins []*plugin
	ln      net.Listener
	srv     *http.Server
	hub     *hmr.Hub // nil with NoHMR
	hubh    http.Handler
}

// NewSession detects every source's toolchain and reads its bigband.toml,
// and listens on the host address, so a wrong source, a bad config or a
// busy port fails before anything runs.
func NewSession(opts Options) (*Session, error) {
	if len(opts.Sources) == 0 {
		return nil, errors.New("nothing to watch: give a guest project directory or a .wasm file")
	}
	if opts.ID != "" && len(opts.Sources) > 1 {
		return nil, errors.New("--id names one plugin: with several sources, set id in each one's " + config.FileName)
	}
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	s := &Session{opts: opts, log: opts.Log, term: &lockedWriter{w: opts.Term}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	byID := map[string]*plugin{} // the first plugin of each id
	count := map[string]int{}
	for _, src := range opts.Sources {
		p, err := s.newPlugin(src)
		if err != nil {
			return nil, err
		}
		p.name = p.id
		count[p.id]++
		if prev := byID[p.id]; prev != nil {
			// A frontend and its backend share an id in Backstage; anything
			// else would write or serve one plugin twice.
			if count[p.id] > 2 || !pair(prev, p) {
				return nil, fmt.Errorf("%s and %s are both plugin %q: give each its own id in %s, or, for a frontend and its backend, kind = \"frontend\" and kind = \"backend\"", prev.src, src, p.id, config.FileName)
			}
			if p.wantKind == config.KindBackend {
				p.name += "-backend"
			} else {
				prev.name += "-backend"
			}
		} else {
			byID[p.id] = p
		}
		s.plugins = append(s.plugins, p)
	}
	if !opts.NoHMR {
		s.hub = s.newHub()
		s.hubh = s.hub.Handler()
	}
	s.ln = opts.Listener
	if s.ln == nil {
		ln, err := net.Listen("tcp", opts.Addr)
		if err != nil {
			return nil, fmt.Errorf("listen on %s: %w (is another bigband-dev running? pick another address with --addr)", opts.Addr, err)
		}
		s.ln = ln
	}
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// Addr is the address the session serves on.
func (s *Session) Addr() string { return s.ln.Addr().String() }

// HMR is the session's HMR hub, nil when it was turned off.
func (s *Session) HMR() *hmr.Hub { return s.hub }

// DashboardURL is where the dashboard is ("" without HMR).
func (s *Session) DashboardURL() string {
	if s.hub == nil {
		return ""
	}
	return "http://" + s.Addr() + hmr.BasePath
}

// newHub makes the HMR hub: pages from the apps' app.baseUrl and
// HMROrigins may connect; the dashboard's rebuild button asks a plugin for
// a cycle.
func (s *Session) newHub() *hmr.Hub {
	origins := slices.Clone(s.opts.HMROrigins)
	seen := map[string]bool{}
	for _, p := range s.plugins {
		app := p.target.App
		if app == "" || seen[app] {
			continue
		}
		seen[app] = true
		if o := wire.AppBaseURL(app); o != "" {
			origins = append(origins, o)
		} else {
			s.log.Info("hmr: no app.baseUrl in the app's app-config; pages on http://localhost:3000 may connect", "app", app)
			origins = append(origins, "http://localhost:3000")
		}
	}
	h := hmr.NewHub(hmr.Config{
		Origins: origins,
		Log:     s.log,
		Rebuild: func(id string) bool {
			for _, p := range s.plugins {
				if p.name == id {
					select {
					case p.rebuild <- "dashboard":
					default:
					}
					return true
				}
			}
			return false
		},
	})
	h.SetPlugins(s.Plugins())
	return h
}

// Plugins lists the session's plugins by name: the id, or "<id>-backend"
// for the backend of a frontend/backend pair.
func (s *Session) Plugins() []string {
	out := make([]string, len(s.plugins))
	for i, p := range s.plugins {
		out[i] = p.name
	}
	return out
}

// pair reports whether a and b, of one id, are a frontend and a backend
// by their bigband.toml kinds.
func pair(a, b *plugin) bool {
	k := map[config.Kind]bool{a.wantKind: true, b.wantKind: true}
	return k[config.KindFrontend] && k[config.KindBackend]
}

// Rebuild asks every plugin for a cycle now (the `r` key).
func (s *Session) Rebuild(trigger string) {
	for _, p := range s.plugins {
		select {
		case p.rebuild <- trigger:
		default: // one is pending already
		}
	}
}

// Run serves and watches until ctx is done, then stops builds, gives
// requests in flight up to grace to finish, and frees the port.
func (s *Session) Run(ctx context.Context, grace time.Duration) error {
	errc := make(chan error, 1)
	go func() {
		if err := s.srv.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	var wg sync.WaitGroup
	for _, p := range s.plugins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.run(ctx)
		}()
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	if s.hub != nil {
		// Websockets are hijacked: Shutdown would not close them.
		s.hub.Close()
	}
	shut, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if serr := s.srv.Shutdown(shut); serr != nil {
		s.srv.Close()
	}
	wg.Wait() // builds are killed with their process groups
	for _, p := range s.plugins {
		p.close(shut)
	}
	return err
}

// ServeHTTP routes /api/<id>/... to that backend plugin with the prefix
// taken off, as the generated routers send it, and /__bigband/ to the HMR
// hub. With a single backend, every other path goes to it too, as with
// `bigband-dev serve`; otherwise / leads to the dashboard.
func (s *Session) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.hub != nil && strings.HasPrefix(r.URL.Path, hmr.BasePath) {
		s.hubh.ServeHTTP(w, r)
		return
	}
	var only, under *plugin
	var r2 *http.Request
	n := 0
	for _, p := range s.plugins {
		backend := p.isBackend()
		if pr, ok := backstage.TrimAPIPrefix(r, p.id); ok && (under == nil || backend) {
			// The backend of a frontend/backend pair takes /api/<id>/.
			under, r2 = p, pr
		}
		if backend {
			only, n = p, n+1
		}
	}
	if under != nil {
		under.serveHTTP(w, r2)
		return
	}
	if n == 1 {
		only.serveHTTP(w, r)
		return
	}
	if r.URL.Path == "/" && s.hub != nil {
		http.Redirect(w, r, hmr.BasePath, http.StatusFound)
		return
	}
	var ids []string
	for _, p := range s.plugins {
		if id := backstage.APIPrefix(p.id) + "/"; !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	msg := "no plugin here; the session serves " + strings.Join(ids, ", ")
	if s.hub != nil {
		msg += "; the dashboard is at " + hmr.BasePath
	}
	http.Error(w, msg, http.StatusNotFound)
}

// report prints a cycle: its error in full first, then its one line.
func (s *Session) report(c *Cycle) {
	var b strings.Builder
	if c.Err != nil {
		fmt.Fprintf(&b, "error: %s: %s\n", c.Plugin, guesttext.Sanitize(c.Err.Error(), guesttext.DefaultMax))
	}
	for _, n := range c.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	b.WriteString(c.Summary())
	b.WriteByte('\n')
	s.term.Write([]byte(b.String()))
	if s.opts.OnCycle != nil {
		s.opts.OnCycle(c)
	}
}

// newPlugin sets up one source: its config, toolchain, id, target and
// runtime.
func (s *Session) newPlugin(src string) (*plugin, error) {
	fi, err := os.Stat(src)
	if err != nil {
		return nil, err
	}
	dir := src
	if !fi.IsDir() {
		dir = filepath.Dir(src)
	}
	cfg, err := config.Load(dir)
	if err != nil {
		return nil, err
	}
	spec, err := detect(src, cfg)
	if err != nil {
		return nil, err
	}
	p := &plugin{s: s, src: src, cfg: cfg, spec: spec, wantKind: cfg.Kind, rebuild: make(chan string, 1)}
	p.id = s.opts.ID
	if p.id == "" {
		p.id = cfg.ID
	}
	if p.id == "" {
		name := filepath.Base(spec.Dir)
		if !fi.IsDir() {
			name = filepath.Base(src)
		}
		p.id = backstage.IDFromName(name)
	}
	if err := backstage.ValidID(p.id); err != nil {
		return nil, fmt.Errorf("%s: %w (set id in %s or pass --id)", src, err, config.FileName)
	}
	app := s.opts.App
	if app == "" {
		app = cfg.App
	}
	out := s.opts.Out
	if out == "" {
		out = app
	}
	if out == "" {
		out = filepath.Join(spec.Dir, ".bigband")
	}
	p.target = Target{
		ID: p.id, Out: out, App: app, Wire: app != "",
		FrontendSystem: s.opts.FrontendSystem,
		HostURL:        "http://" + s.opts.Addr + backstage.APIPrefix(p.id),
		Force:          s.opts.Force,
		NoDevClient:    s.opts.NoHMR,
		Kind:           targetKind(cfg.Kind),
	}
	rc, bc := s.opts.Runtime, s.opts.Backend
	applyLimits(&rc, &bc, cfg.Limits)
	// A large backend not compiled yet (the first load of a session
	// without a disk cache) serves from the interpreter while it compiles.
	rc.FastLoad = true
	p.bcfg = bc
	rt, err := host.NewRuntime(context.Background(), rc)
	if err != nil {
		return nil, err
	}
	p.rt = rt
	return p, nil
}

// detect works out how to build src: bigband.toml's [build] over what
// the project looks like. A config with its own build command needs no
// recognisable project.
func detect(src string, cfg *config.Config) (toolchain.Spec, error) {
	spec, err := toolchain.Detect(src)
	if err != nil {
		fi, serr := os.Stat(src)
		if serr != nil || !fi.IsDir() || cfg.Build.Command == nil {
			return spec, err
		}
		abs, aerr := filepath.Abs(src)
		if aerr != nil {
			return spec, aerr
		}
		spec = toolchain.Spec{Kind: toolchain.Custom, Dir: abs, Watch: []string{"*", "!/.bigband/"}}
	}
	if fi, err := os.Stat(src); err == nil && fi.IsDir() {
		spec = spec.With(cfg)
	}
	return spec, nil
}

// applyLimits lets a plugin's bigband.toml [limits] override the session's.
func applyLimits(rc *host.Config, bc *host.BackendConfig, l config.Limits) {
	if l.Memory > 0 {
		rc.MemoryLimitPages = uint32((l.Memory + 65535) / 65536)
	}
	if l.Timeout > 0 {
		rc.CallTimeout = l.Timeout
		bc.RequestTimeout = l.Timeout
	}
	if l.MaxBody > 0 {
		bc.MaxBodyBytes = l.MaxBody
	}
	if l.Pool > 0 {
		bc.PoolSize = l.Pool
	}
	if l.Handles > 0 {
		bc.MaxLiveHandles = l.Handles
	}
	if l.OutputRate > 0 {
		rc.Output.LinesPerSecond = l.OutputRate
	}
	if l.CompileModuleBytes > 0 || l.CompileFunctions > 0 || l.CompileNesting > 0 || l.CompileBrTableTargets > 0 {
		b := host.DefaultCompileBudget()
		if rc.CompileBudget != nil {
			b = *rc.CompileBudget
		}
		if l.CompileModuleBytes > 0 {
			b.ModuleBytes = l.CompileModuleBytes
		}
		if l.CompileFunctions > 0 {
			b.Functions = l.CompileFunctions
		}
		if l.CompileNesting > 0 {
			b.Nesting = l.CompileNesting
		}
		if l.CompileBrTableTargets > 0 {
			b.BrTableTargets = int64(l.CompileBrTableTargets)
		}
		rc.CompileBudget = &b
	}
}

// lockedWriter serialises lines from several plugins onto one terminal.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	if l.w == nil {
		return len(b), nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// prefixWriter starts every line with a prefix, so the build output of
// several plugins stays readable.
type prefixWriter struct {
	w      io.Writer
	prefix string
	mid    bool // inside a line
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	var out []byte
	for _, c := range b {
		if !p.mid {
			out = append(out, p.prefix...)
			p.mid = true
		}
		out = append(out, c)
		if c == '\n' {
			p.mid = false
		}
	}
	if _, err := p.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

// describe names what triggered a cycle: the changed files, shortened.
func describe(b fswatch.Batch) string {
	paths := b.Paths()
	sort.Strings(paths)
	switch len(paths) {
	case 0:
		return "change"
	case 1:
		return paths[0]
	case 2:
		return paths[0] + ", " + paths[1]
	}
	return fmt.Sprintf("%s and %d more", paths[0], len(paths)-1)
}

// targetKind is Target.Kind for bigband.toml's kind.
func targetKind(k config.Kind) string {
	if k == config.KindAuto {
		return ""
	}
	return string(k)
}
