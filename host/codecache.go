package host

import (
	"container/list"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bigband-dev/bigband/host/component"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// A watch session loads build after build of one guest into one Runtime.
// wazero decodes and validates a whole binary before it looks in its own
// caches, hundreds of milliseconds for a componentize-js guest, so the
// runtime keeps compiled modules itself, keyed by the SHA-256 of the code
// with its active data taken out (component.SplitData): builds that differ
// only in data share compiled code, and the data is written into memory at
// instantiation.

const (
	// idleCodeMax and idleCodeBytes bound the compiled modules kept after
	// the last program using them was closed: a dev loop flips back to a
	// recent build, or loads the same code twice (a core module typed by
	// each contract world in turn). Bytes are of wasm code; compiled code
	// is a few times larger.
	idleCodeMax   = 8
	idleCodeBytes = 48 << 20
	// abandonGrace is how long a compilation nobody waits for any more
	// goes on, in case the next build wants the same code: a program being
	// replaced gives up its interest just before its successor takes it.
	abandonGrace = 2 * time.Second
)

// CodeStats counts what a runtime's compiled-code cache did.
type CodeStats struct {
	// Hits counts core modules whose compiled code was found in memory
	// (already compiled, or being compiled for another program); Misses
	// those compiled afresh (from wazero's disk cache when it has them).
	Hits, Misses int64
	// Modules is how many compiled core modules the cache holds, and Idle
	// how many of those no program uses (kept for a while for reuse).
	Modules, Idle int
	// Interpreted counts programs loaded on the interpreter because their
	// code was not compiled yet (Config.FastLoad).
	Interpreted int64
}

// CodeStats reports the compiled-code cache of the runtime's compiler
// (and, added in, of its interpreter when FastLoad used it).
func (r *Runtime) CodeStats() CodeStats {
	s := r.comp.code.stats()
	if e := r.interpEngine(false); e != nil {
		i := e.code.stats()
		s.Hits += i.Hits
		s.Misses += i.Misses
		s.Modules += i.Modules
		s.Idle += i.Idle
	}
	s.Interpreted = r.interpreted.Load()
	return s
}

// codeKey identifies code to compile.
type codeKey [sha256.Size]byte

// codeUnit is one core module to compile: its code with active data taken
// out, the key of that code, and the data to write at instantiation.
type codeUnit struct {
	code []byte
	key  codeKey
	segs []component.DataSegment
}

// splitCode prepares a core module for the cache. A module the split
// can't be done for (a start function, offsets from globals) is compiled
// as it is.
func splitCode(wasm []byte) (*codeUnit, error) {
	code, segs, ok, err := component.SplitData(wasm)
	if err != nil {
		return nil, err
	}
	if !ok {
		code, segs = wasm, nil
	}
	return &codeUnit{code: code, key: sha256.Sum256(code), segs: segs}, nil
}

// writeData writes the active data segments split out of a module into the
// memory of its new instance, as instantiating the module itself would
// have done before any of its code could run.
func writeData(mod api.Module, segs []component.DataSegment) error {
	if len(segs) == 0 {
		return nil
	}
	mem := mod.Memory()
	if mem == nil {
		return fmt.Errorf("active data segments but no memory")
	}
	for _, s := range segs {
		if s.Offset > 1<<32-1 || !mem.Write(uint32(s.Offset), s.Data) {
			return fmt.Errorf("data segment %d (%d bytes at offset %#x) is out of bounds of its memory (%d bytes): out of bounds memory access",
				s.Index, len(s.Data), s.Offset, mem.Size())
		}
	}
	return nil
}

// codeCache shares compiled modules between the programs of one wazero
// runtime. Each entry is reference-counted by the programs using it (and
// the loads waiting for it); unused entries stay in an LRU of idle ones
// until evicted, and only then are closed.
type codeCache struct {
	wz     wazero.Runtime
	base   context.Context // cancelled when the runtime closes
	cancel context.CancelFunc
	wg     sync.WaitGroup // compilations running
	// compiled is told of each module compiled afresh.
	compiled func(codeKey)

	mu        sync.Mutex
	entries   map[codeKey]*codeEntry
	idle      list.List // *codeEntry, most recently used first
	idleBytes int
	closed    bool

	hits, misses atomic.Int64
}

type codeEntry struct {
	key  codeKey
	size int
	refs int // programs holding it and loads waiting for it

	done      chan struct{} // closed when the compilation ended
	mod       wazero.CompiledModule
	err       error
	cancel    context.CancelFunc
	abandoned bool          // cancelled because nobody wanted it
	idleAt    *list.Element // in codeCache.idle while refs == 0
}

func (e *codeEntry) ready() bool {
	select {
	case <-e.done:
		return e.err == nil
	default:
		return false
	}
}

func newCodeCache(wz wazero.Runtime) *codeCache {
	c := &codeCache{wz: wz, entries: map[codeKey]*codeEntry{}}
	// Several workers: compiling a large module goes faster, and wazero
	// checks for cancellation only between the functions its workers take.
	ctx := experimental.WithCompilationWorkers(context.Background(), max(2, runtime.GOMAXPROCS(0)))
	c.base, c.cancel = context.WithCancel(ctx)
	return c
}

// errRuntimeClosed is returned by loads on a closed runtime.
var errRuntimeClosed = errors.New("runtime closed")

// has reports whether the code is compiled and ready (in use or idle).
func (c *codeCache) has(key codeKey) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[key]
	return e != nil && e.ready()
}

// get returns a hold on the compiled module for code, compiling it if no
// program has it: concurrent loads of the same code share one compilation,
// which is cancelled when all of them gave up. Close the hold to release
// it.
func (c *codeCache) get(ctx context.Context, u *codeUnit) (*codeRef, error) {
	for {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return nil, errRuntimeClosed
		}
		e := c.entries[u.key]
		if e == nil {
			cctx, cancel := context.WithCancel(c.base)
			e = &codeEntry{key: u.key, size: len(u.code), done: make(chan struct{}), cancel: cancel}
			c.entries[u.key] = e
			c.misses.Add(1)
			c.wg.Add(1)
			go c.compile(cctx, e, u.code)
		} else {
			c.hits.Add(1)
		}
		e.refs++
		if e.idleAt != nil {
			c.idle.Remove(e.idleAt)
			c.idleBytes -= e.size
			e.idleAt = nil
		}
		c.mu.Unlock()

		select {
		case <-e.done:
		case <-ctx.Done():
			c.release(e)
			return nil, context.Cause(ctx)
		}
		if e.err == nil {
			return &codeRef{c: c, e: e}, nil
		}
		c.release(e)
		if e.abandoned && ctx.Err() == nil {
			// Cancelled for lack of interest just before this load came
			// along: compile again.
			continue
		}
		return nil, e.err
	}
}

func (c *codeCache) compile(ctx context.Context, e *codeEntry, code []byte) {
	defer c.wg.Done()
	mod, err := c.wz.CompileModule(ctx, code)
	if err == nil && ctx.Err() != nil {
		// wazero may have stopped short yet said nothing.
		mod.Close(context.Background())
		mod, err = nil, context.Cause(ctx)
	}
	c.mu.Lock()
	e.mod, e.err = mod, err
	close(e.done)
	var evicted []*codeEntry
	switch {
	case err != nil:
		if c.entries[e.key] == e {
			delete(c.entries, e.key)
		}
	case c.closed:
		// The runtime closes the module with everything else.
	case e.refs == 0:
		// Finished after everyone gave up: keep it for the next build.
		evicted = c.makeIdle(e)
	}
	c.mu.Unlock()
	c.closeAll(evicted)
	if err == nil && c.compiled != nil {
		c.compiled(e.key)
	}
}

// release drops one reference to e.
func (c *codeCache) release(e *codeEntry) {
	c.mu.Lock()
	e.refs--
	if e.refs > 0 || c.closed {
		c.mu.Unlock()
		return
	}
	select {
	case <-e.done:
	default:
		// Still compiling and nobody waits: stop unless wanted again soon.
		time.AfterFunc(abandonGrace, func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			select {
			case <-e.done:
			default:
				if e.refs == 0 {
					e.abandoned = true
					e.cancel()
				}
			}
		})
		c.mu.Unlock()
		return
	}
	if e.err != nil {
		c.mu.Unlock()
		return
	}
	evicted := c.makeIdle(e)
	c.mu.Unlock()
	c.closeAll(evicted)
}

// makeIdle puts an unused entry at the front of the idle list and evicts
// beyond the limits. Called with c.mu held; the caller closes what it
// returns, outside the lock.
func (c *codeCache) makeIdle(e *codeEntry) []*codeEntry {
	e.idleAt = c.idle.PushFront(e)
	c.idleBytes += e.size
	var evicted []*codeEntry
	for c.idle.Len() > idleCodeMax || c.idleBytes > idleCodeBytes {
		old := c.idle.Remove(c.idle.Back()).(*codeEntry)
		old.idleAt = nil
		c.idleBytes -= old.size
		delete(c.entries, old.key)
		evicted = append(evicted, old)
	}
	return evicted
}

func (c *codeCache) closeAll(entries []*codeEntry) {
	for _, e := range entries {
		e.mod.Close(context.Background())
	}
}

func (c *codeCache) stats() CodeStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, e := range c.entries {
		if e.ready() {
			n++
		}
	}
	return CodeStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Modules: n, Idle: c.idle.Len()}
}

// close stops compilations and forgets every entry; closing the wazero
// runtime afterwards releases the modules.
func (c *codeCache) close() {
	c.mu.Lock()
	c.closed = true
	c.entries = map[codeKey]*codeEntry{}
	c.idle.Init()
	c.idleBytes = 0
	c.mu.Unlock()
	c.cancel()
	c.wg.Wait()
}

// codeRef is a program's hold on a cached module.
type codeRef struct {
	c    *codeCache
	e    *codeEntry
	once sync.Once
}

func (r *codeRef) module() wazero.CompiledModule { return r.e.mod }

// Close releases the hold: the module stays cached while others hold it,
// then idles until evicted.
func (r *codeRef) Close(context.Context) error {
	r.once.Do(func() { r.c.release(r.e) })
	return nil
}
