//go:build wasip1

//lint:file-ignore U1000 reached from //go:wasmexport functions, which staticcheck does not count as uses

package frontend

import (
	"structs"
	"unsafe"

	"github.com/bigband-dev/bigband/guest/internal/cabi"
)

// retArea is result<list<T>, string>: tag u8 at 0 (0 ok, 1 err), then
// (ptr, len) at 4 of the list or of the error string.
type retArea struct {
	_   structs.HostLayout
	Tag uint8
	_   [3]uint8
	Ptr uint32
	Len uint32
}

// depABI is node-dependency: name at 0, option<string> at 8 (tag, string
// at 12), dev at 20; 24 bytes.
type depABI struct {
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

// fileABI is component-file: path at 0, is-root at 8, option<string> at
// 12 (tag, string at 16), contents at 24; 32 bytes.
type fileABI struct {
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

var ret retArea

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

func fail(err error) *retArea {
	msg := err.Error()
	cabi.Pin(msg)
	p, n := cabi.Str(msg)
	ret = retArea{Tag: 1, Ptr: p, Len: n}
	return &ret
}

func okList[T any](arr []T) *retArea {
	cabi.Pin(arr)
	ret = retArea{Len: uint32(len(arr))}
	if len(arr) > 0 {
		ret.Ptr = cabi.Addr(unsafe.Pointer(&arr[0]))
	}
	return &ret
}

//go:wasmexport backstage:plugins/backstage-frontend-plugin@0.1.0#get-node-deps
func getNodeDeps() *retArea {
	ds, err := deps()
	if err != nil {
		return fail(err)
	}
	cabi.Pin(ds) // the strings live in ds
	arr := make([]depABI, len(ds))
	for i, d := range ds {
		a := &arr[i]
		a.NamePtr, a.NameLen = cabi.Str(d.Name)
		if d.Version != "" {
			a.VersionTag = 1
			a.VersionPtr, a.VersionLen = cabi.Str(d.Version)
		}
		a.Dev = b2u(d.Dev)
	}
	return okList(arr)
}

//go:wasmexport cabi_post_backstage:plugins/backstage-frontend-plugin@0.1.0#get-node-deps
func postGetNodeDeps(*retArea) { cabi.Release() }

//go:wasmexport backstage:plugins/backstage-frontend-plugin@0.1.0#get-component-files
func getComponentFiles() *retArea {
	fs, err := files()
	if err != nil {
		return fail(err)
	}
	cabi.Pin(fs)
	arr := make([]fileABI, len(fs))
	for i, f := range fs {
		a := &arr[i]
		a.PathPtr, a.PathLen = cabi.Str(f.Path)
		a.IsRoot = b2u(f.Root)
		if f.ClassName != "" {
			a.ClassTag = 1
			a.ClassPtr, a.ClassLen = cabi.Str(f.ClassName)
		}
		a.ContentsPtr, a.ContentsLen = cabi.Str(f.Contents)
	}
	return okList(arr)
}

//go:wasmexport cabi_post_backstage:plugins/backstage-frontend-plugin@0.1.0#get-component-files
func postGetComponentFiles(*retArea) { cabi.Release() }
