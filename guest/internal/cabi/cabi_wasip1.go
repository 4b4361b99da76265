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
	// allocs are the blocks the host allocated with cabi_realloc and the
	// guest has not taken yet, by address.
	allocs = map[uint32][]uint64{}
	empty  [1]uint64
)

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

// Take returns the n bytes at ptr that the host allocated with
// cabi_realloc during an import call (a string or list it returned), and
// hands them over to the caller: the block is the caller's from now on.
func Take(ptr, n uint32) []byte {
	if n == 0 {
		return nil
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
// from the Go heap as []uint64 (8-byte aligned, enough for every
// canonical-ABI type) and stay reachable through allocs until taken.
//
//go:wasmexport cabi_realloc
func cabiRealloc(old unsafe.Pointer, oldSize, align, newSize uint32) unsafe.Pointer {
	if newSize == 0 {
		return unsafe.Pointer(&empty[0]) // any aligned address: nothing is stored there
	}
	blk := make([]uint64, (newSize+7)/8)
	p := unsafe.Pointer(&blk[0])
	if old != nil {
		if ob, ok := allocs[Addr(old)]; ok {
			delete(allocs, Addr(old))
			copy(blk, ob[:min(len(ob), len(blk))])
		}
	}
	allocs[Addr(p)] = blk
	return p
}
