package main

// Canonical-ABI glue for the backstage-frontend-plugin interface.
//
// Both exports return result<list<T>, string>, which flattens to three
// values; the ABI allows one flat result, so the export returns a pointer to
// a return area in linear memory. Go pointers are linear-memory addresses on
// wasm32, and Go's GC does not move objects, so handing the host the address
// of Go memory is safe as long as something keeps it reachable until the
// host calls cabi_post_*: that is what pinned is for.

import (
	"structs"
	"unsafe"
)

// The export names carry the interface's package version: that is the name
// wit-component expects for backstage:plugins@0.1.0.
const iface = "backstage:plugins/backstage-frontend-plugin@0.1.0"

// retArea is result<list<T>, string>: tag u8 at 0 (0 = ok, 1 = err), then
// (ptr, len) at 4 of either the list or the error string.
type retArea struct {
	_   structs.HostLayout
	Tag uint8
	_   [3]uint8
	Ptr uint32
	Len uint32
}

// nodeDepABI is node-dependency: name at 0, option<string> at 8 (tag u8,
// payload at 12), dev at 20; 24 bytes, align 4.
type nodeDepABI struct {
	_          structs.HostLayout
	NamePtr    uint32
	NameLen    uint32
	VersionTag uint8
	_          [3]uint8
	VersionPtr uint32
	VersionLen uint32
	Dev        uint8
	_          [3]uint8
}

// componentFileABI is component-file: path at 0, is-root at 8,
// option<string> at 12 (tag, payload at 16), contents at 24; 32 bytes.
type componentFileABI struct {
	_           structs.HostLayout
	PathPtr     uint32
	PathLen     uint32
	IsRoot      uint8
	_           [3]uint8
	ClassTag    uint8
	_           [3]uint8
	ClassPtr    uint32
	ClassLen    uint32
	ContentsPtr uint32
	ContentsLen uint32
}

var (
	ret    retArea
	pinned []any // memory lent to the host until the next cabi_post_*
)

func addr[T any](p *T) uint32 { return uint32(uintptr(unsafe.Pointer(p))) }

// str returns a string's (ptr, len); the string itself must stay reachable.
func str(s string) (uint32, uint32) {
	if s == "" {
		return 0, 0 // a valid empty string: len 0 needs no memory
	}
	return uint32(uintptr(unsafe.Pointer(unsafe.StringData(s)))), uint32(len(s))
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// okList fills ret with ok(list) for a slice of ABI records and pins it.
func okList[T any](arr []T) *retArea {
	pinned = append(pinned, arr)
	ret = retArea{Tag: 0, Len: uint32(len(arr))}
	if len(arr) > 0 {
		ret.Ptr = addr(&arr[0])
	}
	return &ret
}

//go:wasmexport backstage:plugins/backstage-frontend-plugin@0.1.0#get-node-deps
func getNodeDeps() *retArea {
	deps := nodeDeps()
	pinned = append(pinned, deps) // the strings live in deps
	arr := make([]nodeDepABI, len(deps))
	for i, d := range deps {
		a := &arr[i]
		a.NamePtr, a.NameLen = str(d.name)
		if d.version != "" {
			a.VersionTag = 1
			a.VersionPtr, a.VersionLen = str(d.version)
		}
		a.Dev = b2u(d.dev)
	}
	return okList(arr)
}

//go:wasmexport cabi_post_backstage:plugins/backstage-frontend-plugin@0.1.0#get-node-deps
func postGetNodeDeps(unsafe.Pointer) { release() }

//go:wasmexport backstage:plugins/backstage-frontend-plugin@0.1.0#get-component-files
func getComponentFiles() *retArea {
	files := componentFiles()
	pinned = append(pinned, files)
	arr := make([]componentFileABI, len(files))
	for i, f := range files {
		a := &arr[i]
		a.PathPtr, a.PathLen = str(f.path)
		a.IsRoot = b2u(f.isRoot)
		if f.className != "" {
			a.ClassTag = 1
			a.ClassPtr, a.ClassLen = str(f.className)
		}
		a.ContentsPtr, a.ContentsLen = str(f.contents)
	}
	return okList(arr)
}

//go:wasmexport cabi_post_backstage:plugins/backstage-frontend-plugin@0.1.0#get-component-files
func postGetComponentFiles(unsafe.Pointer) { release() }

func release() {
	clear(pinned) // drop the references so the GC can reclaim them
	pinned = pinned[:0]
}

// cabiRealloc is the allocator the host uses to pass lists and strings into
// the guest. Blocks come from the Go heap as []uint64 (8-byte aligned, enough
// for every canonical-ABI type) and stay pinned until the next post-return.
//
//go:wasmexport cabi_realloc
func cabiRealloc(old unsafe.Pointer, oldSize, align, newSize uint32) unsafe.Pointer {
	if newSize == 0 {
		return unsafe.Pointer(uintptr(align)) // any aligned non-null address
	}
	buf := make([]uint64, (newSize+7)/8)
	pinned = append(pinned, buf)
	p := unsafe.Pointer(&buf[0])
	if old != nil && oldSize > 0 {
		copy(unsafe.Slice((*byte)(p), newSize), unsafe.Slice((*byte)(old), min(oldSize, newSize)))
	}
	return p
}

// adapterHeap backs cabi_realloc_adapter. When this module is made into a
// component, the wasi_snapshot_preview1 adapter allocates its state during
// _initialize, before the Go runtime can allocate; wit-component hands the
// adapter this export instead of cabi_realloc, so it must not touch the Go
// heap. The adapter allocates a few pages once and never frees them.
var (
	adapterHeap [128 << 10]byte
	adapterNext uint32
)

//go:wasmexport cabi_realloc_adapter
func cabiReallocAdapter(old unsafe.Pointer, oldSize, align, newSize uint32) unsafe.Pointer {
	if old != nil {
		panic("cabi_realloc_adapter: the adapter never grows a block")
	}
	base := addr(&adapterHeap[0])
	start := (base + adapterNext + align - 1) &^ (align - 1)
	end := start - base + newSize
	if end > uint32(len(adapterHeap)) {
		panic("cabi_realloc_adapter: out of memory")
	}
	adapterNext = end
	return unsafe.Pointer(uintptr(start))
}
