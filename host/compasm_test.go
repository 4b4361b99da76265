package host_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/internal/wasmasm"

	"github.com/bigband-dev/bigband/host"
	"github.com/bigband-dev/bigband/host/wasi"
)

// Canon built-ins on the component's resource, as the core module imports
// them ("x" "<name>").
const (
	canonResourceNew  = 0x02
	canonResourceDrop = 0x03
)

// resourceComponent is a component whose core module runs mod's exported
// "f" (a world-level export `f: func()`), with "x" "<name>" importing the
// canon built-in op on a resource the component defines.
func resourceComponent(mod []byte, op byte, name string) []byte {
	section := func(id byte, entries ...[]byte) []byte { return wasmasm.Section(id, wasmasm.Vec(entries...)) }
	out := []byte("\x00asm\x0d\x00\x01\x00")
	// types: 0 = (resource (rep i32)), 1 = (func)
	out = append(out, section(7, []byte{0x3f, 0x7f, 0x00}, []byte{0x40, 0x00, 0x01, 0x00})...)
	// core func 0 = canon <op> 0
	out = append(out, section(8, []byte{op, 0x00})...)
	out = append(out, append(append([]byte{1}, wasmasm.U(uint64(len(mod)))...), mod...)...)
	// core instance 0 = {drop: core func 0}; 1 = instantiate module 0 with x = 0
	inline := append([]byte{0x01, 0x01}, wasmasm.Name(name)...)
	inline = append(inline, 0x00, 0x00)
	inst := append([]byte{0x00, 0x00, 0x01}, wasmasm.Name("x")...)
	inst = append(inst, 0x12, 0x00)
	out = append(out, section(2, inline, inst)...)
	// core func 1 = alias core export of instance 1 "f"
	out = append(out, section(6, append([]byte{0x00, 0x00, 0x01, 0x01}, wasmasm.Name("f")...))...)
	// func 0 = canon lift core func 1, no options, type 1
	out = append(out, section(8, []byte{0x00, 0x00, 0x01, 0x00, 0x01})...)
	exp := append([]byte{0x00}, wasmasm.Name("f")...)
	exp = append(exp, 0x01, 0x00, 0x00)
	return append(out, section(11, exp)...)
}

// A host function failing while the guest called it (here resource.drop
// of a handle that doesn't exist) traps the guest, and the instance is
// discarded.
func TestHostFunctionErrorDiscardsComponentInstance(t *testing.T) {
	mod := wasmasm.Module{MinPages: 1,
		Imports: []wasmasm.Import{{Module: "x", Name: "drop", Params: []byte{i32}, Results: nil}},
		Funcs:   []wasmasm.Func{{Export: "f", Body: []byte{0x41, 9, 0x10, 0x00}}}}
	rt := newRuntime(t, host.Config{})
	ctx := context.Background()
	p, err := rt.Load(ctx, resourceComponent(mod.Bytes(), canonResourceDrop, "drop"), host.LoadOptions{Name: "drop.wasm"})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := p.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inst.Call(ctx, "f"); err == nil || !strings.Contains(err.Error(), "unknown handle index 9") {
		t.Fatalf("dropping a bad handle must trap, got %v", err)
	}
	if _, err := inst.Call(ctx, "f"); !errors.Is(err, host.ErrBroken) {
		t.Fatalf("the instance must be discarded after the host function failed, got %v", err)
	}
}

// A component's core module start function is bounded by the deadline too.
func TestDeadlineCoversComponentInstantiation(t *testing.T) {
	mod := wasmasm.Module{MinPages: 1,
		Imports: []wasmasm.Import{{Module: "x", Name: "drop", Params: []byte{i32}, Results: nil}},
		Funcs:   []wasmasm.Func{{Body: spinBody}, {Export: "f"}}, Start: wasmasm.Index(1)}
	rt := newRuntime(t, host.Config{CallTimeout: 300 * time.Millisecond})
	var err error
	within(t, "Load", func() {
		_, err = rt.Load(context.Background(), resourceComponent(mod.Bytes(), canonResourceDrop, "drop"), host.LoadOptions{Name: "spin.wasm"})
	})
	if err == nil || !strings.Contains(err.Error(), "spin.wasm: instantiate: stopped: the 300ms deadline passed") {
		t.Fatalf("a component whose start function spins must stop at the deadline, got %v", err)
	}
}

// LiveHandles counts what a guest leaves in its handle table: here one
// resource.new per call, never dropped.
func TestLiveHandlesCountsLeaks(t *testing.T) {
	mod := wasmasm.Module{MinPages: 1,
		Imports: []wasmasm.Import{{Module: "x", Name: "new", Params: []byte{i32}, Results: []byte{i32}}},
		Funcs:   []wasmasm.Func{{Export: "f", Body: []byte{0x41, 5, 0x10, 0x00, 0x1a}}}}
	rt := newRuntime(t, host.Config{})
	ctx := context.Background()
	p, err := rt.Load(ctx, resourceComponent(mod.Bytes(), canonResourceNew, "new"), host.LoadOptions{Name: "leak.wasm"})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := p.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	for want := 0; want <= 3; want++ {
		if got := inst.LiveHandles(); got != want {
			t.Fatalf("after %d leaking calls LiveHandles() = %d", want, got)
		}
		if _, err := inst.Call(ctx, "f"); err != nil {
			t.Fatal(err)
		}
	}
}

// A guest that drops what it uses leaves nothing behind between requests.
func TestLiveHandlesAfterRequests(t *testing.T) {
	p := loadGuest(t, "fixtures/guests/c/backend/backend.wasm")
	ctx := context.Background()
	inst, err := p.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	h, err := host.HandlerExport(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/hello", "/headers", "/status/404"} {
		rec := httptest.NewRecorder()
		req := wasi.NewIncomingRequest(httptest.NewRequest("GET", path, nil), wasi.HTTPLimits{MaxBodyBytes: 1 << 20})
		if _, err := inst.CallExport(ctx, h, req, wasi.NewResponseOutparam(rec)); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if n := inst.LiveHandles(); n != 0 {
			t.Errorf("after %s: %d live handles, want 0", path, n)
		}
	}
}
