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
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/bigband-dev/bigband/host/abi"
	"github.com/tetratelabs/wazero"
)

// Config configures a Runtime. The zero value is usable: no compilation
// cache, no call deadline, wazero's default memory limit.
type Config struct {
	// CacheDir holds compiled code keyed by module content; "" disables the
	// disk cache. DefaultCacheDir gives the conventional location.
	CacheDir string
	// Logger receives guest stdout/stderr lines and host diagnostics.
	Logger *slog.Logger
	// MemoryLimitPages caps each linear memory (64 KiB pages); 0 keeps
	// wazero's limit (4 GiB).
	MemoryLimitPages uint32
	// CallTimeout stops a call that runs longer; 0 means no deadline beyond
	// the caller's context.
	CallTimeout time.Duration
	// Interpreter selects wazero's interpreter instead of its compiler: much
	// faster to load, slower to run.
	Interpreter bool
	// LiftBudget bounds what one call lifts out of a guest: an export's
	// result, or the arguments of a call the guest makes to the host (WASI
	// interfaces with limits of their own, like wasi:http's fields, use
	// theirs). Zero fields mean abi.DefaultBudget's; CallOptions overrides
	// it per call. Exceeding it traps the guest.
	LiftBudget abi.Budget
}

// DefaultCacheDir is the user's cache directory for compiled guests.
func DefaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "bigband-dev", "wazero")
}

// Runtime compiles and runs guests. Close it to release compiled code.
type Runtime struct {
	cfg   Config
	wz    wazero.Runtime
	cache wazero.CompilationCache
	log   *slog.Logger

	wasiOnce sync.Once
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
	if cfg.MemoryLimitPages > 0 {
		rc = rc.WithMemoryLimitPages(cfg.MemoryLimitPages)
	}
	var cache wazero.CompilationCache
	if cfg.CacheDir != "" {
		c, err := wazero.NewCompilationCacheWithDir(cfg.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("compilation cache %s: %w", cfg.CacheDir, err)
		}
		cache = c
		rc = rc.WithCompilationCache(c)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runtime{cfg: cfg, wz: wazero.NewRuntimeWithConfig(ctx, rc), cache: cache, log: log}, nil
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
