package host_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/host"
	"github.com/bigband-dev/bigband/internal/wasmasm"
)

// A core module's WASI 0.2 imports (wit-component's core names) are typed
// by WASI's WIT: right ones link, and each wrong one is named with what to
// do about it.
func TestCoreWASI02Imports(t *testing.T) {
	r, w := frontendWorld(t)
	rt := newRuntime(t, host.Config{})
	const types, streams = "wasi:http/types@0.2.0", "wasi:io/streams@0.2.0"
	imp := func(module, name string, params, results []byte) wasmasm.Import {
		return wasmasm.Import{Module: module, Name: name, Params: params, Results: results}
	}
	good := []wasmasm.Import{
		imp(types, "[constructor]fields", nil, []byte{i32}),
		imp(types, "[method]fields.entries", []byte{i32, i32}, nil),
		imp(types, "[resource-drop]fields", []byte{i32}, nil),
		imp(streams, "[method]output-stream.write", []byte{i32, i32, i32, i32}, nil),
		imp("wasi:io/poll@0.2.3", "[method]pollable.block", []byte{i32}, nil), // a later 0.2.x
		imp("wasi_snapshot_preview1", "fd_write", []byte{i32, i32, i32, i32}, []byte{i32}),
	}
	for _, tc := range []struct {
		name    string
		imports []wasmasm.Import
		want    []string // empty: loads
	}{
		{"right", good, nil},
		{"wrong signatures", []wasmasm.Import{
			imp(types, "[constructor]fields", nil, nil),
			imp(streams, "[method]input-stream.blocking-read", []byte{i32, i32, i32}, nil),
		}, []string{"p2.wasm: 2 import(s) the host can't provide:",
			"\n  wasi:http/types@0.2.0.[constructor]fields: core signature () -> (), its WASI type flattens to () -> (i32)",
			"\n  wasi:io/streams@0.2.0.[method]input-stream.blocking-read: core signature (i32, i32, i32) -> (), its WASI type flattens to (i32, i64, i32) -> ()"}},
		{"unknown names", []wasmasm.Import{
			imp(types, "[method]fields.frobnicate", []byte{i32}, nil),
			imp(types, "[resource-drop]gizmo", []byte{i32}, nil),
			imp("wasi:nope/thing@0.2.0", "f", nil, nil),
			imp("wasi:http/types@0.3.0", "[constructor]fields", nil, []byte{i32}),
		}, []string{"4 import(s)",
			"wasi:http/types@0.2.0.[method]fields.frobnicate: the host does not provide it",
			"wasi:http/types@0.2.0.[resource-drop]gizmo: wasi:http/types defines no resource gizmo",
			"wasi:nope/thing@0.2.0.f: not a WASI 0.2 interface the host provides",
			"wasi:http/types@0.3.0.[constructor]fields: not a WASI 0.2 interface the host provides"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := rt.Load(context.Background(), wasmasm.Module{Imports: tc.imports, MinPages: 1}.Bytes(), host.LoadOptions{Name: "p2.wasm", Fallback: r, FallbackWorld: w})
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				p.Close(context.Background())
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
