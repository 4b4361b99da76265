package watch_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/contract"
	"github.com/bigband-dev/bigband/host"
	"github.com/bigband-dev/bigband/watch"
)

func newRuntime(t *testing.T) *host.Runtime {
	t.Helper()
	ctx := context.Background()
	rt, err := host.NewRuntime(ctx, host.Config{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close(ctx) })
	return rt
}

func readGuest(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", rel))
	if err != nil {
		t.Fatalf("%s: %v (rebuild with `task fixtures`)", rel, err)
	}
	return b
}

func TestGenerateGuests(t *testing.T) {
	guests := []struct {
		name, wasm string
		kind       contract.Kind
		short      bool // fast enough for -short
	}{
		{"c frontend", "fixtures/guests/c/frontend/frontend.wasm", contract.Frontend, true},
		{"go frontend", "fixtures/guests/go/frontend/frontend.component.wasm", contract.Frontend, true},
		{"js frontend", "fixtures/guests/js/frontend/frontend.wasm", contract.Frontend, false},
		{"c backend", "fixtures/guests/c/backend/backend.wasm", contract.Backend, true},
	}
	rt := newRuntime(t)
	for _, g := range guests {
		t.Run(g.name, func(t *testing.T) {
			if testing.Short() && !g.short {
				t.Skip("slow guest; skipped with -short")
			}
			ctx := context.Background()
			wasm := readGuest(t, g.wasm)
			tgt := watch.Target{ID: "hello", Out: t.TempDir()}
			for run := 1; run <= 2; run++ {
				c := &watch.Cycle{Trigger: "test"}
				prog, ok := watch.Generate(ctx, rt, wasm, filepath.Base(g.wasm), tgt, c)
				if !ok {
					t.Fatalf("run %d: %v", run, c.Err)
				}
				prog.Close(ctx)
				if c.Kind != g.kind {
					t.Errorf("kind = %s, want %s", c.Kind, g.kind)
				}
				for _, p := range []watch.Phase{watch.PhaseLoad, watch.PhaseCheck, watch.PhaseManifest, watch.PhaseRender, watch.PhaseWrite} {
					found := false
					for _, tm := range c.Timings {
						found = found || tm.Phase == p
					}
					if !found {
						t.Errorf("run %d: no timing for phase %s", run, p)
					}
				}
				switch run {
				case 1:
					if len(c.Write.Written) == 0 || len(c.Write.Unchanged) != 0 {
						t.Errorf("first run: written %d, unchanged %d; want all written", len(c.Write.Written), len(c.Write.Unchanged))
					}
				case 2:
					if len(c.Write.Written) != 0 {
						t.Errorf("second run rewrote %v", c.Write.Written)
					}
					if !strings.Contains(c.Summary(), "0 files written") {
						t.Errorf("summary %q does not say nothing was written", c.Summary())
					}
				}
				if g.kind == contract.Backend && len(c.Routes) == 0 {
					t.Error("backend cycle lists no routes")
				}
				if _, err := os.Stat(filepath.Join(c.PackageDir(tgt), "package.json")); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// A guest whose manifest is refused fails in the manifest phase and
// writes nothing.
func TestGenerateRefusesBadManifest(t *testing.T) {
	rt := newRuntime(t)
	out := t.TempDir()
	c := &watch.Cycle{}
	prog, ok := watch.Generate(context.Background(), rt, readGuest(t, "fixtures/guests/c/malicious/malicious.wasm"), "malicious.wasm", watch.Target{ID: "evil", Out: out}, c)
	if ok || prog != nil {
		t.Fatal("a hostile manifest was accepted")
	}
	if c.Err == nil || c.Err.Phase != watch.PhaseManifest {
		t.Fatalf("error = %v, want a manifest-phase error", c.Err)
	}
	if !strings.Contains(c.Summary(), "FAILED in manifest") {
		t.Errorf("summary %q", c.Summary())
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 0 {
		t.Errorf("wrote %d entries into %s", len(entries), out)
	}
}

// A file that is not wasm fails in the load phase.
func TestGenerateNotWasm(t *testing.T) {
	c := &watch.Cycle{}
	if _, ok := watch.Generate(context.Background(), newRuntime(t), []byte("not wasm at all"), "x.wasm", watch.Target{ID: "x", Out: t.TempDir()}, c); ok {
		t.Fatal("garbage loaded")
	}
	if c.Err.Phase != watch.PhaseLoad || !strings.Contains(c.Err.Error(), "not a WebAssembly binary") {
		t.Errorf("error = %v", c.Err)
	}
}
