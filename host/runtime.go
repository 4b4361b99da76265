// Package host runs guests: WebAssembly components and core modules with
// canonical-ABI exports, on wazero, with the component-model layer (types,
// canonical ABI, resources, WASI) implemented here.
//
// Loading is expensive and done once: decode, compile (cached on disk by
// content, and in memory by code without its data, so builds that differ
// only in data share compiled code), plan. Instantiating is cheap. A
// Program is immutable and safe to share; an Instance runs one call at a
// time and is discarded after a trap.
package host

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bigband-dev/bigband/host/abi"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// Config configures a Runtime. The zero value is usable: no compilation
// cache, no deadline, DefaultMemoryLimit, DefaultOutputLimit.
type Config struct {
	// CacheDir holds compiled code keyed by module content; "" disables the
	// disk cache. DefaultCacheDir gives the conventional location. A
	// directory that can't be created or written is skipped with a warning.
	CacheDir string
	// CacheMaxBytes caps the cache's size on disk: the least recently used
	// entries are evicted beyond it. 0 means DefaultCacheMaxBytes, negative
	// no cap.
	CacheMaxBytes int64
	// Logger receives guest stdout/stderr lines and host diagnostics.
	Logger *slog.Logger
	// MemoryLimitPages caps each linear memory of an instance (64 KiB
	// pages); 0 means DefaultMemoryLimit, NoMemoryLimit the 4 GiB a 32-bit
	// memory can address.
	MemoryLimitPages uint32
	// CallTimeout bounds everything a guest runs on one call into it:
	// instantiation (start functions, _initialize, a component's core
	// instances), an export and its cabi_post_*, a resource destructor.
	// Sleeps and polls end when it passes. 0 means no deadline beyond the
	// caller's context.
	CallTimeout time.Duration
	// Output limits guest stdout/stderr (see OutputLimit).
	Output OutputLimit
	// Interpreter selects wazero's interpreter instead of its compiler: much
	// faster to load, slower to run.
	Interpreter bool
	// FastLoad lets Load put a large guest (a core module with at least
	// FastLoadMinBytes of code) whose code is compiled neither in memory
	// nor in the disk cache on the interpreter, so it serves at once, and
	// compile it in the background: Program.Interpreted says so, and
	// Program.Upgraded delivers the compiled program to switch to. For dev
	// loops; a server wants compiled code from the start.
	FastLoad bool
	// FastLoadMinBytes is the code size from which FastLoad uses the
	// interpreter; 0 means DefaultFastLoadMinBytes.
	FastLoadMinBytes int
	// LiftBudget bounds what one call lifts out of a guest: an export's
	// result, or the arguments of a call the guest makes to the host (WASI
	// interfaces with limits of their own, like wasi:http's fields, use
	// theirs). Zero fields mean abi.DefaultBudget's; CallOptions overrides
	// it per call. Exceeding it traps the guest.
	LiftBudget abi.Budget
	// CompileBudget bounds the modules the host compiles; nil means
	// DefaultCompileBudget.
	CompileBudget *CompileBudget
}

// DefaultCacheDir is the cache directory for compiled guests: $BIGBAND_CACHE_DIR
// when set, else bigband-dev/wazero in the user's cache directory.
func DefaultCacheDir() string {
	if dir := os.Getenv("BIGBAND_CACHE_DIR"); dir != "" {
		return dir
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "bigband-dev", "wazero")
}

// Runtime compiles and runs guests. Close it to release compiled code.
type Runtime struct {
	cfg      Config
	cache    wazero.CompilationCache
	cacheDir *cacheDir
	disk     *diskIndex // nil without a disk cache
	log      *slog.Logger
	memPages uint32

	// comp runs compiled code (or interpreted, with Config.Interpreter);
	// interp is the interpreter FastLoad puts guests on, made when first
	// needed.
	comp        *engine
	interpMu    sync.Mutex
	interp      *engine
	closed      atomic.Bool // set under interpMu
	interpreted atomic.Int64

	// Background compilations of interpreted programs.
	bg       sync.WaitGroup
	bgCtx    context.Context
	bgCancel context.CancelFunc
}

// engine is one wazero runtime and what the host sets up in it. Every
// module of a program, and what links them, lives in one engine.
type engine struct {
	wz     wazero.Runtime
	interp bool
	code   *codeCache

	wasiOnce sync.Once
	wasiP1   map[string]api.FunctionDefinition
	wasiErr  error
}

func newEngine(ctx context.Context, rc wazero.RuntimeConfig, interp bool) *engine {
	wz := wazero.NewRuntimeWithConfig(ctx, rc)
	return &engine{wz: wz, interp: interp, code: newCodeCache(wz)}
}

// baseConfig is the wazero configuration both engines share.
func (r *Runtime) baseConfig(rc wazero.RuntimeConfig) wazero.RuntimeConfig {
	// Closing modules on context cancellation is what stops runaway guests.
	return rc.WithCloseOnContextDone(true).WithMemoryLimitPages(r.memPages)
}

// interpEngine returns the interpreter engine FastLoad uses, making it if
// create says so; nil when the runtime interprets everything anyway, or is
// closed.
func (r *Runtime) interpEngine(create bool) *engine {
	r.interpMu.Lock()
	defer r.interpMu.Unlock()
	if r.interp == nil && create && !r.closed.Load() && !r.cfg.Interpreter {
		r.interp = newEngine(r.bgCtx, r.baseConfig(wazero.NewRuntimeConfigInterpreter()), true)
	}
	return r.interp
}

// NewRuntime creates a runtime.
func NewRuntime(ctx context.Context, cfg Config) (*Runtime, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Runtime{cfg: cfg, log: log, memPages: memoryLimitPages(cfg.MemoryLimitPages)}
	r.bgCtx, r.bgCancel = context.WithCancel(context.Background())
	rc := wazero.NewRuntimeConfigCompiler()
	if cfg.Interpreter {
		rc = wazero.NewRuntimeConfigInterpreter()
	}
	rc = r.baseConfig(rc)
	if cfg.CacheDir != "" {
		cd, err := openCacheDir(cfg.CacheDir, cfg.CacheMaxBytes)
		if err == nil {
			var c wazero.CompilationCache
			if c, err = wazero.NewCompilationCacheWithDir(cfg.CacheDir); err == nil {
				r.cache, r.cacheDir = c, cd
				rc = rc.WithCompilationCache(c)
				if !cfg.Interpreter {
					r.disk = newDiskIndex(cfg.CacheDir)
				}
			}
		}
		if err != nil {
			// Compiling without a cache is slower, never wrong.
			log.Warn("compilation cache disabled: compiling every guest afresh", "dir", cfg.CacheDir, "err", err)
		}
	}
	r.comp = newEngine(ctx, rc, cfg.Interpreter)
	if r.disk != nil {
		r.comp.code.compiled = r.disk.add
	}
	return r, nil
}

// Close releases everything the runtime compiled and instantiated, and
// stops background compilations.
func (r *Runtime) Close(ctx context.Context) error {
	r.interpMu.Lock()
	r.closed.Store(true)
	interp := r.interp
	r.interpMu.Unlock()
	r.bgCancel()
	engines := []*engine{r.comp}
	if interp != nil {
		engines = append(engines, interp)
	}
	for _, e := range engines {
		e.code.close()
	}
	r.bg.Wait()
	var err error
	for _, e := range engines {
		if cerr := e.wz.Close(ctx); err == nil {
			err = cerr
		}
	}
	if r.cache != nil {
		if cerr := r.cache.Close(ctx); err == nil {
			err = cerr
		}
	}
	return err
}
