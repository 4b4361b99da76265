// Package host runs guests: WebAssembly components and core modules with
// canonical-ABI exports, on wazero, with the component-model layer (types,
// canonical ABI, resources, WASI) implemented here.
//
// Loading is expensive and done once: decode, compile (cached on disk by
// content), plan. Instantiating is cheap. A Program is immutable and safe to
// share; an Instance runs one call at a time and is discarded after a trap.
package host

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
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
	wz       wazero.Runtime
	cache    wazero.CompilationCache
	cacheDir *cacheDir
	log      *slog.Logger
	memPages uint32

	wasiOnce sync.Once
	wasiP1   map[string]api.FunctionDefinition
	wasiErr  error
}

// NewRuntime creates a runtime.
func NewRuntime(ctx context.Context, cfg Config) (*Runtime, error) {
	rc := wazero.NewRuntimeConfigCompiler()
	if cfg.Interpreter {
		rc = wazero.NewRuntimeConfigInterpreter()
	}
	// Closing modules on context cancellation is what stops runaway guests.
	rc = rc.WithCloseOnContextDone(true)
	memPages := memoryLimitPages(cfg.MemoryLimitPages)
	rc = rc.WithMemoryLimitPages(memPages)
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Runtime{cfg: cfg, log: log, memPages: memPages}
	if cfg.CacheDir != "" {
		cd, err := openCacheDir(cfg.CacheDir, cfg.CacheMaxBytes)
		if err == nil {
			var c wazero.CompilationCache
			if c, err = wazero.NewCompilationCacheWithDir(cfg.CacheDir); err == nil {
				r.cache, r.cacheDir = c, cd
				rc = rc.WithCompilationCache(c)
			}
		}
		if err != nil {
			// Compiling without a cache is slower, never wrong.
			log.Warn("compilation cache disabled: compiling every guest afresh", "dir", cfg.CacheDir, "err", err)
		}
	}
	r.wz = wazero.NewRuntimeWithConfig(ctx, rc)
	return r, nil
}

// Close releases everything the runtime compiled and instantiated.
func (r *Runtime) Close(ctx context.Context) error {
	err := r.wz.Close(ctx)
	if r.cache != nil {
		if cerr := r.cache.Close(ctx); err == nil {
			err = cerr
		}
	}
	return err
}
