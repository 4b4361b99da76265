package host_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/host"
	"github.com/bigband-dev/bigband/wit"
)

// A hand-assembled core module exporting `test:t/x#spin` (loops forever),
// `#trap` (unreachable) and `#grow` (memory.grow), typed by a small world.
func limitsModule() []byte {
	sec := func(id byte, body ...byte) []byte { return append([]byte{id, byte(len(body))}, body...) }
	name := func(s string) []byte { return append([]byte{byte(len(s))}, s...) }
	var exports []byte
	exports = append(exports, 4)
	exports = append(append(exports, name("memory")...), 2, 0)
	for i, f := range []string{"spin", "trap", "grow"} {
		exports = append(append(exports, name("test:t/x#"+f)...), 0, byte(i))
	}
	b := []byte("\x00asm\x01\x00\x00\x00")
	b = append(b, sec(1, 2, 0x60, 0, 0, 0x60, 1, 0x7f, 1, 0x7f)...)
	b = append(b, sec(3, 3, 0, 0, 1)...)
	b = append(b, sec(5, 1, 0, 1)...)
	b = append(b, sec(7, exports...)...)
	b = append(b, sec(10, 3,
		7, 0, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b, // spin: loop br 0 end
		3, 0, 0x00, 0x0b, // trap: unreachable
		6, 0, 0x20, 0x00, 0x40, 0x00, 0x0b, // grow: local.get 0 memory.grow 0
	)...)
	return b
}

func limitsWorld(t *testing.T) (*wit.Resolve, wit.WorldID) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.wit")
	src := "package test:t;\ninterface x { spin: func(); trap: func(); grow: func(pages: u32) -> s32; }\nworld w { export x; }\n"
	r, pkg, err := wit.Load(path, wit.LoadOptions{Overlays: map[string][]byte{path: []byte(src)}})
	if err != nil {
		t.Fatal(err)
	}
	w, _ := r.Packages[pkg].World("w")
	return r, w
}

func loadLimits(t *testing.T, cfg host.Config) *host.Program {
	t.Helper()
	r, w := limitsWorld(t)
	p, err := newRuntime(t, cfg).Load(context.Background(), limitsModule(), host.LoadOptions{Name: "limits.wasm", Fallback: r, FallbackWorld: w})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTrapDiscardsInstance(t *testing.T) {
	p := loadLimits(t, host.Config{})
	ctx := context.Background()
	inst, err := p.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = inst.Call(ctx, "x#trap")
	if err == nil || !strings.Contains(err.Error(), "limits.wasm: test:t/x#trap") || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("trap error should name the export and the trap: %v", err)
	}
	if _, err := inst.Call(ctx, "x#grow", uint32(0)); !errors.Is(err, host.ErrBroken) {
		t.Fatalf("a trapped instance must not run again, got %v", err)
	}
	// A fresh instance of the same program works.
	inst2, err := p.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer inst2.Close(ctx)
	if v, err := inst2.Call(ctx, "x#grow", uint32(0)); err != nil || v != int32(1) {
		t.Fatalf("grow(0) = %v, %v; want the current size 1", v, err)
	}
}

func TestDeadlineStopsRunawayGuest(t *testing.T) {
	p := loadLimits(t, host.Config{CallTimeout: 200 * time.Millisecond})
	ctx := context.Background()
	inst, err := p.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := inst.Call(ctx, "x#spin"); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "stopped") {
			t.Fatalf("spin should be stopped by the deadline, got %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the deadline did not stop the guest")
	}
	if _, err := inst.Call(ctx, "x#grow", uint32(0)); !errors.Is(err, host.ErrBroken) {
		t.Fatalf("a stopped instance must be discarded, got %v", err)
	}
}

func TestContextCancelStopsGuest(t *testing.T) {
	p := loadLimits(t, host.Config{})
	inst, err := p.Instantiate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	if _, err := inst.Call(ctx, "x#spin"); err == nil {
		t.Fatal("cancelling the context must stop the call")
	}
}

func TestMemoryLimit(t *testing.T) {
	p := loadLimits(t, host.Config{MemoryLimitPages: 4})
	ctx := context.Background()
	inst, err := p.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	if v, err := inst.Call(ctx, "x#grow", uint32(2)); err != nil || v != int32(1) {
		t.Fatalf("grow(2) within the limit = %v, %v", v, err)
	}
	if v, err := inst.Call(ctx, "x#grow", uint32(10)); err != nil || v != int32(-1) {
		t.Fatalf("grow past the 4-page limit = %v, %v; want -1", v, err)
	}
}
