package watch_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/host"
	"github.com/bigband-dev/bigband/watch"
)

// A backend nothing compiled was cached for serves from the interpreter at
// once, and its compiled version swaps in when ready, reported as a cycle.
// (FastLoadMinBytes 1 makes the small C guest count as large.)
func TestSessionSwapsInCompiledBackend(t *testing.T) {
	dir := t.TempDir()
	guest := filepath.Join(dir, "echo.wasm")
	copyFile(t, filepath.Join("..", "fixtures/guests/c/backend/backend.wasm"), guest)
	s, cs := startSession(t, watch.Options{Sources: []string{guest}, Runtime: host.Config{FastLoadMinBytes: 1}})
	c := cs.next(t)
	if c.Err != nil || c.Version != 1 || len(c.Notes) == 0 || !strings.Contains(c.Notes[0], "interpreter") {
		t.Fatalf("first cycle: version %d, notes %q, err %v", c.Version, c.Notes, c.Err)
	}
	c = cs.next(t)
	if c.Err != nil || c.Trigger != "compiled" || c.Previous != 1 || c.Version != 2 {
		t.Fatalf("second cycle: %s (err %v)", c.Summary(), c.Err)
	}
	if !strings.Contains(c.Summary(), "echo (compiled): swap") || !strings.Contains(c.Summary(), "swapped v1 -> v2") {
		t.Errorf("summary %q", c.Summary())
	}
	url := "http://" + s.Addr() + "/api/echo/headers"
	if resp, body := get(t, url); resp.Header.Get("x-bigband-guest") != "c" {
		t.Fatalf("after the swap: %d %s", resp.StatusCode, body)
	}
}

// A frontend on the interpreter waits for its compiled version before its
// exports make the files.
func TestGenerateWaitsForCompiledFrontend(t *testing.T) {
	ctx := context.Background()
	rt, err := host.NewRuntime(ctx, host.Config{FastLoad: true, FastLoadMinBytes: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	c := &watch.Cycle{Trigger: "test"}
	prog, ok := watch.Generate(ctx, rt, readGuest(t, "fixtures/guests/c/frontend/frontend.wasm"), "frontend.wasm", watch.Target{ID: "hello", Out: t.TempDir()}, c)
	if !ok {
		t.Fatal(c.Err)
	}
	defer prog.Close(ctx)
	if prog.Interpreted() {
		t.Error("the program returned is interpreted")
	}
	loads := 0
	for _, tm := range c.Timings {
		if tm.Phase == watch.PhaseLoad {
			loads++
		}
	}
	if loads != 2 || c.Write == nil || len(c.Write.Written) == 0 {
		t.Errorf("%d load phases (want the load and the wait), write %+v", loads, c.Write)
	}
	if s := rt.CodeStats(); s.Interpreted != 1 {
		t.Errorf("CodeStats.Interpreted = %d, want 1", s.Interpreted)
	}
}
