//go:build linux || darwin || freebsd || netbsd || openbsd

package host

import (
	"sync"

	"golang.org/x/sys/unix"
)

// mmapMemory is a linear memory in a reserved (PROT_NONE) mapping of its
// maximum size; pages become readable and writable as it grows.
type mmapMemory struct {
	mu        sync.Mutex
	mem       []byte // the whole reservation
	committed uint64
}

// reserve maps max bytes of address space, or falls back to a Go slice
// when that fails (a low RLIMIT_AS, say).
func reserve(max uint64) linearMemory {
	if max == 0 {
		return &sliceMemory{}
	}
	mem, err := unix.Mmap(-1, 0, int(max), unix.PROT_NONE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return &sliceMemory{max: max}
	}
	return &mmapMemory{mem: mem}
}

// Reallocate implements experimental.LinearMemory: it commits up to size
// (anonymous pages read as zero until written) and never moves.
func (m *mmapMemory) Reallocate(size uint64) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mem == nil || size > uint64(len(m.mem)) {
		return nil
	}
	if size > m.committed {
		if err := unix.Mprotect(m.mem[m.committed:size], unix.PROT_READ|unix.PROT_WRITE); err != nil {
			return nil // memory.grow returns -1
		}
		m.committed = size
	}
	return m.mem[:size:size]
}

// Free is called by wazero when a module owning the memory closes; the
// mapping stays until the instance is released (see memories).
func (m *mmapMemory) Free() {}

func (m *mmapMemory) unmap() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mem != nil {
		_ = unix.Munmap(m.mem)
		m.mem = nil
	}
}

func (m *mmapMemory) size() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.committed
}
