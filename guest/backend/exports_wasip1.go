//go:build wasip1

//lint:file-ignore U1000 reached from //go:wasmexport functions, which staticcheck does not count as uses

package backend

import (
	"fmt"
	"os"
	"structs"
	"unsafe"

	"github.com/bigband-dev/bigband/guest/internal/cabi"
	"github.com/bigband-dev/bigband/guest/internal/wasihttp"
)

// The export names carry the contract package's version, as wit-component
// names them for backstage:plugins@0.1.0.
const backendIface = "backstage:plugins/backstage-backend-plugin@0.1.0"

// retArea is result<list<route>, string>: tag u8 at 0, (ptr, len) at 4.
type retArea struct {
	_   structs.HostLayout
	Tag uint8
	_   [3]uint8
	Ptr uint32
	Len uint32
}

// routeABI is record route { method: string, path: string }: 16 bytes.
type routeABI struct {
	_                  structs.HostLayout
	MethodPtr, MethodN uint32
	PathPtr, PathN     uint32
}

var routesRet retArea

//go:wasmexport backstage:plugins/backstage-backend-plugin@0.1.0#get-routes
func getRoutes() *retArea {
	if plugin.h == nil {
		msg := "no handler: call backend.Serve from an init function of the plugin"
		cabi.Pin(msg)
		p, n := cabi.Str(msg)
		routesRet = retArea{Tag: 1, Ptr: p, Len: n}
		return &routesRet
	}
	routes := plugin.routes
	arr := make([]routeABI, len(routes))
	for i, r := range routes {
		arr[i].MethodPtr, arr[i].MethodN = cabi.Str(r.Method)
		arr[i].PathPtr, arr[i].PathN = cabi.Str(r.Path)
	}
	cabi.Pin(routes)
	cabi.Pin(arr)
	routesRet = retArea{Len: uint32(len(arr))}
	if len(arr) > 0 {
		routesRet.Ptr = cabi.Addr(unsafe.Pointer(&arr[0]))
	}
	return &routesRet
}

//go:wasmexport cabi_post_backstage:plugins/backstage-backend-plugin@0.1.0#get-routes
func postGetRoutes(*retArea) { cabi.Release() }

// handle is wasi:http/incoming-handler#handle: it runs the plugin's
// handler over the request, then releases every resource the request
// gave it, children before parents, as wasi:http requires.
//
//go:wasmexport wasi:http/incoming-handler@0.2.0#handle
func handle(req, out uint32) {
	r := newRequest(req)
	w := &response{out: out, status: 200, header: Header{}}
	defer func() {
		cabi.Release()
	}()
	func() {
		defer func() {
			if v := recover(); v != nil {
				fmt.Fprintf(os.Stderr, "backend: handler panicked on %s %s: %v\n", r.Method, r.Path, v)
				w.fail(fmt.Sprint(v))
			}
		}()
		if plugin.h == nil {
			w.fail("no handler: call backend.Serve from an init function of the plugin")
			return
		}
		plugin.h.ServeHTTP(w, r)
	}()
	w.finish()
	r.close()
	wasihttp.IncomingRequestDrop(req)
}
