package host_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/internal/wasmasm"

	"github.com/bigband-dev/bigband/host"
)

// A few bytes of the binary formats, enough to assemble the guests below.

func vec(items ...[]byte) []byte {
	out := []byte{byte(len(items))}
	for _, it := range items {
		out = append(out, it...)
	}
	return out
}

func wstr(s string) []byte { return append([]byte{byte(len(s))}, s...) }

func sec(id byte, body []byte) []byte {
	out := []byte{id}
	for n := uint(len(body)); ; n >>= 7 {
		if n < 0x80 {
			out = append(out, byte(n))
			break
		}
		out = append(out, byte(n&0x7f|0x80))
	}
	return append(out, body...)
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// p1Module is a core module importing the given wasi_snapshot_preview1
// functions, each with its core signature.
func p1Module(imports ...p1Import) []byte {
	var m wasmasm.Module
	for _, im := range imports {
		m.Imports = append(m.Imports, wasmasm.Import{Module: "wasi_snapshot_preview1", Name: im.name, Params: im.params, Results: im.results})
	}
	return m.Bytes()
}

type p1Import struct {
	name            string
	params, results []byte
}

func TestCoreWASIP1SignatureMismatch(t *testing.T) {
	r, w := frontendWorld(t)
	rt := newRuntime(t, host.Config{})
	fdWrite := p1Import{"fd_write", []byte{i32, i32, i32, i32}, []byte{i32}}
	for _, tc := range []struct {
		name    string
		imports []p1Import
		want    []string // empty: loads
	}{
		{"right", []p1Import{fdWrite}, nil},
		{"too few params", []p1Import{{"fd_write", []byte{i32, i32}, []byte{i32}}},
			[]string{"p1.wasm: 1 import(s) the host can't provide:\n  wasi_snapshot_preview1.fd_write: core signature (i32, i32) -> (i32), WASI preview 1 declares (i32, i32, i32, i32) -> (i32): declare it as WASI preview 1 does"}},
		{"i64 result", []p1Import{{"fd_write", []byte{i32, i32, i32, i32}, []byte{i64}}},
			[]string{"wasi_snapshot_preview1.fd_write: core signature (i32, i32, i32, i32) -> (i64), WASI preview 1 declares (i32, i32, i32, i32) -> (i32)"}},
		{"two wrong and an unknown", []p1Import{fdWrite, {"proc_exit", nil, nil}, {"fd_frobnicate", nil, nil}, {"random_get", []byte{i32}, []byte{i32}}},
			[]string{"p1.wasm: 3 import(s) the host can't provide:",
				"\n  wasi_snapshot_preview1.proc_exit: core signature () -> (), WASI preview 1 declares (i32) -> ()",
				"\n  wasi_snapshot_preview1.fd_frobnicate: not a wasi_snapshot_preview1 function the host provides",
				"\n  wasi_snapshot_preview1.random_get: core signature (i32) -> (i32), WASI preview 1 declares (i32, i32) -> (i32)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rt.Load(context.Background(), p1Module(tc.imports...), host.LoadOptions{Name: "p1.wasm", Fallback: r, FallbackWorld: w})
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("loaded; want a load error")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error\n%v\nwant it to contain %q", err, want)
				}
			}
		})
	}
}

// Component value types and declarations (see the component model's
// Binary.md).
const (
	cU32, cU64, cString = 0x79, 0x77, 0x73
	cList, cBorrow      = 0x70, 0x68
)

func dType(t ...byte) []byte { return cat([]byte{0x01}, t) }
func dExport(name string, desc ...byte) []byte {
	return cat([]byte{0x04, 0x00}, wstr(name), desc)
}
func xFunc(t byte) []byte { return []byte{0x01, t} }

var xSubResource = []byte{0x03, 0x01}

// fn is a component function type; result 0 means none.
func fn(result byte, params ...[]byte) []byte {
	res := []byte{0x01, 0x00}
	if result != 0 {
		res = []byte{0x00, result}
	}
	return cat([]byte{0x40}, vec(params...), res)
}
func param(name string, t byte) []byte { return cat(wstr(name), []byte{t}) }

// importOnly is a component that imports one instance (declared by decls)
// under name and does nothing else: enough for the host to type-check the
// import when it links the guest.
func importOnly(name string, decls ...[]byte) []byte {
	types := sec(7, vec(cat([]byte{0x42}, vec(decls...))))
	imports := sec(10, vec(cat([]byte{0x00}, wstr(name), []byte{0x05, 0x00})))
	return cat([]byte("\x00asm\x0d\x00\x01\x00"), types, imports)
}

// fieldsGet declares wasi:http/types' `fields` with `get` taking name as
// nameType (WASI: field-name, a string) and returning list<list<u8>>.
func fieldsGet(nameType byte) [][]byte {
	return [][]byte{
		dExport("fields", xSubResource...), // type 0
		dType(cBorrow, 0x00),               // 1: borrow<fields>
		dType(cList, 0x7d),                 // 2: list<u8>
		dType(cList, 0x02),                 // 3: list<list<u8>>
		dType(fn(0x03, param("self", 0x01), param("name", nameType))...), // 4
		dExport("[method]fields.get", xFunc(0x04)...),
	}
}

func TestComponentWASIImportTypes(t *testing.T) {
	rt := newRuntime(t, host.Config{})
	for _, tc := range []struct {
		name string
		wasm []byte
		want []string // empty: loads
	}{
		{"random right", importOnly("wasi:random/random@0.2.0",
			dType(fn(cU64)...), dExport("get-random-u64", xFunc(0)...)), nil},
		{"random result", importOnly("wasi:random/random@0.2.3",
			dType(fn(cU32)...), dExport("get-random-u64", xFunc(0)...)),
			[]string{"guest.wasm: import wasi:random/random@0.2.3#get-random-u64: result is u32, WASI declares u64 (the guest's bindings do not match WASI 0.2"}},
		{"random shape", importOnly("wasi:random/random@0.2.0",
			dType(fn(cU64, param("n", cU64))...), dExport("get-random-u64", xFunc(0)...)),
			[]string{"import wasi:random/random@0.2.0#get-random-u64: type is func(n: u64) -> u64, WASI declares func() -> u64"}},
		{"fields right", importOnly("wasi:http/types@0.2.0", fieldsGet(cString)...), nil},
		{"fields param", importOnly("wasi:http/types@0.2.0", fieldsGet(cU32)...),
			[]string{"guest.wasm: import wasi:http/types@0.2.0#[method]fields.get: param 1 (name) is u32, WASI declares field-name (string)"}},
		{"resource not in WASI", importOnly("wasi:io/poll@0.2.0",
			dExport("pollable", xSubResource...), dExport("gadget", xSubResource...)),
			[]string{"guest.wasm: import wasi:io/poll@0.2.0: type gadget is not in WASI's wasi:io/poll"}},
		{"type export differs", importOnly("wasi:io/poll@0.2.0",
			dType(cU32), dExport("pollable", 0x03, 0x00, 0x00)),
			[]string{"guest.wasm: import wasi:io/poll@0.2.0: type pollable is pollable (u32), WASI declares resource pollable"}},
		{"not provided", importOnly("wasi:random/random@0.2.0",
			dType(fn(cU64)...), dExport("get-random-u128", xFunc(0)...)),
			[]string{"import wasi:random/random@0.2.0: the host does not provide get-random-u128"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rt.Load(context.Background(), tc.wasm, host.LoadOptions{Name: "guest.wasm"})
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("loaded; want a load error")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error\n%v\nwant it to contain %q", err, want)
				}
			}
		})
	}
}
