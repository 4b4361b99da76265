//go:build wasip1

//lint:file-ignore U1000 reached from //go:wasmexport functions, which staticcheck does not count as uses

package cabi

import (
	"unsafe"
)

var (
	// pinned is memory lent to the host by an export's result, kept until
	// the host calls the export's cabi_post_.
	pinned []any
	// arena is where cabi_realloc carves blocks from, and used how much of
	// it is handed out. Go's runtime makes a call into the module while
	// it is inside an import (the host's realloc for a string an import
	// returns) costly, and an allocation during such a call far more
	// (tens vs hundreds of microseconds, measured with wazero), so
	// imports are preceded by Reserve and realloc only bumps a pointer.
	// An arena is never reused: what was handed out may still be referenced
	// (TakeString's strings), so a new one replaces it when it runs out.
	arena []uint64
	used  uint32
	// allocs are blocks that did not fit the arena, by address, until
	// taken.
	allocs = map[uint32][]uint64{}
	empty  [1]uint64
)

// arenaSize is the smallest arena Reserve makes.
const arenaSize = 256 << 10

// Reserve makes sure the next n bytes the host allocates through
// cabi_realloc come from the arena. Call it before an import that returns
// strings or lists.
func Reserve(n uint32) {
	if uint32(len(arena))*8-used >= n+8 {
		return
	}
	arena = make([]uint64, max(n+8, arenaSize)/8+1)
	used = 0
}

// Pin keeps v reachable until Release.
func Pin(v any) { pinned = append(pinned, v) }

// Release drops everything pinned (an export's cabi_post_ calls it) and
// any block the host allocated that nobody took.
func Release() {
	clear(pinned)
	pinned = pinned[:0]
	clear(allocs)
}

// Addr is the linear-memory address of p.
func Addr(p unsafe.Pointer) uint32 { return uint32(uintptr(p)) }

// Str is a string's (ptr, len); the string must stay reachable while the
// host may read it.
func Str(s string) (uint32, uint32) {
	if s == "" {
		return 0, 0
	}
	return Addr(unsafe.Pointer(unsafe.StringData(s))), uint32(len(s))
}

// Bytes is a byte slice's (ptr, len), as Str.
func Bytes(b []byte) (uint32, uint32) {
	if len(b) == 0 {
		return 0, 0
	}
	return Addr(unsafe.Pointer(&b[0])), uint32(len(b))
}

func arenaBytes() []byte {
	if len(arena) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&arena[0])), len(arena)*8)
}

// Take returns the n bytes at ptr that the host allocated with
// cabi_realloc during an import call (a string or list it returned), and
// hands them over to the caller: the memory is the caller's from now on.
func Take(ptr, n uint32) []byte {
	if n == 0 {
		return nil
	}
	if a := arenaBytes(); len(a) > 0 {
		base := Addr(unsafe.Pointer(&a[0]))
		if ptr >= base && uint64(ptr)+uint64(n) <= uint64(base)+uint64(used) {
			return a[ptr-base : ptr-base+n : ptr-base+n]
		}
	}
	blk, ok := allocs[ptr]
	if !ok {
		panic("cabi: the host returned memory it did not allocate with cabi_realloc")
	}
	delete(allocs, ptr)
	return unsafe.Slice((*byte)(unsafe.Pointer(&blk[0])), len(blk)*8)[:n:n]
}

// TakeString is Take as a string; the block backs the string.
func TakeString(ptr, n uint32) string {
	b := Take(ptr, n)
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// cabiRealloc is how the host allocates in guest memory: the strings and
// lists it returns from imports, and the arguments of exports. Blocks come
// from the arena (see Reserve), else from the Go heap as []uint64 (8-byte
// aligned, enough for every canonical-ABI type) kept reachable through
// allocs until taken.
//
//go:wasmexport cabi_realloc
func cabiRealloc(old unsafe.Pointer, oldSize, align, newSize uint32) unsafe.Pointer {
	if newSize == 0 {
		return unsafe.Pointer(&empty[0]) // any aligned address: nothing is stored there
	}
	var p unsafe.Pointer
	if a := arenaBytes(); len(a) > 0 && align <= 8 {
		base := Addr(unsafe.Pointer(&a[0]))
		start := (base + used + align - 1) &^ (align - 1)
		if uint64(start-base)+uint64(newSize) <= uint64(len(a)) {
			p = unsafe.Pointer(&a[start-base])
			used = start - base + newSize
		}
	}
	if p == nil {
		blk := make([]uint64, (newSize+7)/8)
		p = unsafe.Pointer(&blk[0])
		allocs[Addr(p)] = blk
	}
	if old != nil && oldSize > 0 {
		copy(unsafe.Slice((*byte)(p), newSize), unsafe.Slice((*byte)(old), min(oldSize, newSize)))
		delete(allocs, Addr(old))
	}
	return p
}
