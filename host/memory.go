package host

import (
	"context"
	"fmt"
	"github.com/bigband-dev/bigband/bytesize"
	"strings"
	"sync"

	"github.com/tetratelabs/wazero/experimental"
)

const wasmPage = 64 << 10

// DefaultMemoryLimit caps each linear memory of a guest instance when
// Config.MemoryLimitPages is 0. Peaks measured on the example guests over
// the host tests: C 1 MiB, Go 10 MiB, componentize-js 10 MiB serving
// requests, 37 MiB streaming a large body and 54 MiB returning the
// frontend fixture's 1.1 MB file. 512 MiB leaves ten times the largest for
// real plugins, while a runaway guest stops far below what a dev machine
// has.
const DefaultMemoryLimit = 512 << 20

// NoMemoryLimit, as Config.MemoryLimitPages, lifts the limit to all that a
// 32-bit memory can address (65536 pages, 4 GiB).
const NoMemoryLimit = 1 << 16

// memoryLimitPages resolves Config.MemoryLimitPages.
func memoryLimitPages(pages uint32) uint32 {
	switch {
	case pages == 0:
		return DefaultMemoryLimit / wasmPage
	case pages > NoMemoryLimit:
		return NoMemoryLimit
	}
	return pages
}

// MemoryLimit is the most each linear memory of an instance may grow to, in
// bytes: a guest's memory.grow past it fails (returns -1).
func (r *Runtime) MemoryLimit() uint64 { return uint64(r.memPages) * wasmPage }

// memoryLimitNote explains the limit in an error, with what raises it.
func (r *Runtime) memoryLimitNote() string {
	return fmt.Sprintf("the memory limit is %s per memory (raise it with --memory, or memory in bigband.toml [limits])", bytesize.Format(int64(r.MemoryLimit())))
}

// memories tracks the linear memories of one instance. Each reserves its
// limit as address space up front and commits pages as the guest grows it,
// so growing never copies and a memory.grow loop stops at the limit having
// touched only what it wrote.
//
// Memories are unmapped only when the whole instance is released: modules
// of a component share memories by import, and wazero frees a module's
// memory when that module closes, possibly while another module of the
// instance still refers to it.
type memories struct {
	mu       sync.Mutex
	list     []linearMemory
	released bool
}

type linearMemory interface {
	experimental.LinearMemory
	unmap()
	size() uint64 // bytes committed so far
}

// with returns ctx carrying the allocator, for instantiating a module.
func (m *memories) with(ctx context.Context) context.Context {
	return experimental.WithMemoryAllocator(ctx, m)
}

// Allocate implements experimental.MemoryAllocator. max is the module's
// declared maximum clamped to the runtime's limit.
func (m *memories) Allocate(_, max uint64) experimental.LinearMemory {
	lm := reserve(max)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.released {
		// Nothing may run on a released instance; don't leak the mapping.
		lm.unmap()
	}
	m.list = append(m.list, lm)
	return lm
}

// release unmaps every memory of the instance. Call it only when no code of
// the instance can run any more.
func (m *memories) release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.released = true
	for _, lm := range m.list {
		lm.unmap()
	}
	m.list = nil
}

// committed sums the bytes of every memory of the instance.
func (m *memories) committed() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n uint64
	for _, lm := range m.list {
		n += lm.size()
	}
	return n
}

// atLimit reports whether some memory of the instance has grown close to
// limit (within 1/64 of it, at least 1 MiB: allocators grow in steps): a
// trap then most likely comes from a failed memory.grow (C's malloc
// returning NULL, Go's runtime throwing).
func (m *memories) atLimit(limit uint64) bool {
	slack := max(limit/64, 1<<20)
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, lm := range m.list {
		if lm.size()+slack >= limit {
			return true
		}
	}
	return false
}

// sliceMemory is the fallback where address space can't be reserved: a Go
// slice grown by copying, as wazero does by default.
type sliceMemory struct {
	buf []byte
	max uint64
}

func (s *sliceMemory) Reallocate(size uint64) []byte {
	if size > s.max {
		return nil
	}
	if n := uint64(len(s.buf)); size > n {
		s.buf = append(s.buf, make([]byte, size-n)...)
	}
	return s.buf[:size:size]
}

func (s *sliceMemory) Free()        {}
func (s *sliceMemory) unmap()       { s.buf = nil }
func (s *sliceMemory) size() uint64 { return uint64(len(s.buf)) }

// explainCompileError adds the memory limit to wazero's complaint about a
// memory whose minimum is over it.
func (r *Runtime) explainCompileError(err error) error {
	if strings.Contains(err.Error(), "over limit of") {
		return fmt.Errorf("%w: %s", err, r.memoryLimitNote())
	}
	return err
}
