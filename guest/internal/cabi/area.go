package cabi

import (
	"encoding/binary"
	"unsafe"
)

// Area is a return area: 64 bytes, 8-byte aligned, large enough for every
// result the guest packages receive (the largest, future-trailers.get's,
// is 56 bytes).
type Area [8]uint64

// Ptr is the area's address, for an import's return-pointer parameter.
func (a *Area) Ptr() unsafe.Pointer { return unsafe.Pointer(a) }

func (a *Area) bytes() []byte { return unsafe.Slice((*byte)(unsafe.Pointer(a)), 64) }

// U8 reads the byte at off.
func (a *Area) U8(off int) uint8 { return a.bytes()[off] }

// U32 reads the little-endian u32 at off.
func (a *Area) U32(off int) uint32 { return binary.LittleEndian.Uint32(a.bytes()[off:]) }

// U64 reads the little-endian u64 at off.
func (a *Area) U64(off int) uint64 { return binary.LittleEndian.Uint64(a.bytes()[off:]) }
