package watch_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/watch"
)

// TestMeasureWatch measures a watch session (BIGBAND_MEASURE=watch):
// edits of the C and Go frontend examples, each a save that changes the
// generated file, and swaps of a prebuilt JS backend between two builds.
// It prints, per guest, the p50 of each phase and of the bigband-dev part
// (everything but the toolchain's build), and the process's RSS after the
// first few cycles and after the last. Figures, not assertions.
//
//	BIGBAND_MEASURE=watch BIGBAND_MEASURE_C=500 BIGBAND_MEASURE_JS=30 go test ./watch -run TestMeasureWatch -v -timeout 1h
func TestMeasureWatch(t *testing.T) {
	if os.Getenv("BIGBAND_MEASURE") != "watch" {
		t.Skip("a measurement: set BIGBAND_MEASURE=watch")
	}
	n := func(key string, def int) int {
		if v, err := strconv.Atoi(os.Getenv(key)); err == nil && v > 0 {
			return v
		}
		return def
	}
	t.Run("c", func(t *testing.T) {
		if _, err := exec.LookPath("clang"); err != nil {
			t.Skip("clang not installed")
		}
		dir := t.TempDir()
		copyFile(t, filepath.Join("..", "fixtures/guests/c/frontend/plugin.c"), filepath.Join(dir, "plugin.c"))
		copyFile(t, filepath.Join("..", "guest/c/bigband.h"), filepath.Join(dir, "bigband.h"))
		measureEdits(t, dir, "plugin.c", n("BIGBAND_MEASURE_C", 100))
	})
	t.Run("go", func(t *testing.T) {
		dir := t.TempDir()
		for _, f := range []string{"go.mod", "plugin.go", "abi.go"} {
			copyFile(t, filepath.Join("..", "fixtures/guests/go/frontend", f), filepath.Join(dir, f))
		}
		measureEdits(t, dir, "plugin.go", n("BIGBAND_MEASURE_GO", 20))
	})
	t.Run("js-swap", func(t *testing.T) {
		dir := t.TempDir()
		guest := filepath.Join(dir, "echo.wasm")
		builds := []string{"fixtures/guests/js/backend/backend.wasm", "fixtures/guests/js/backend/backend-v2.wasm"}
		copyFile(t, filepath.Join("..", builds[0]), guest)
		_, cs := startSession(t, watch.Options{Sources: []string{guest}})
		var cycles []*watch.Cycle
		rss := []int64{}
		for i := 0; i < n("BIGBAND_MEASURE_JS", 30); i++ {
			if i > 0 {
				copyFile(t, filepath.Join("..", builds[i%2]), guest)
			}
			c := cs.next(t)
			for c.Trigger == "compiled" { // the interpreter's upgrade: its own cycle
				c = cs.next(t)
			}
			if c.Err != nil {
				t.Fatal(c.Err)
			}
			cycles = append(cycles, timings(c))
			runtime.GC()
			rss = append(rss, vmRSS(t))
		}
		report(t, "js backend, a new artifact swapped in", cycles, rss)
	})
}

// measureEdits saves the source count times, each save changing the text
// the guest's root component shows, and waits for each cycle.
func measureEdits(t *testing.T, dir, src string, count int) {
	_, cs := startSession(t, watch.Options{Sources: []string{dir}, ID: "m"})
	if c := cs.next(t); c.Err != nil {
		t.Fatal(c.Err)
	}
	path := filepath.Join(dir, src)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const marker = "Hello from a WebAssembly guest."
	if !strings.Contains(string(orig), marker) {
		t.Fatalf("%s lacks %q", src, marker)
	}
	var cycles []*watch.Cycle
	rss := []int64{}
	for i := range count {
		edited := strings.Replace(string(orig), marker, fmt.Sprintf("Edit %d from a WebAssembly guest.", i), 1)
		if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		c := cs.next(t)
		if c.Err != nil {
			t.Fatal(c.Err)
		}
		cycles = append(cycles, timings(c))
		runtime.GC()
		rss = append(rss, vmRSS(t))
	}
	report(t, src+" edits", cycles, rss)
}

func report(t *testing.T, what string, cycles []*watch.Cycle, rss []int64) {
	phases := []watch.Phase{watch.PhaseBuild, watch.PhaseLoad, watch.PhaseCheck, watch.PhaseManifest, watch.PhaseRender, watch.PhaseWrite, watch.PhaseSwap}
	p50 := func(f func(*watch.Cycle) time.Duration) time.Duration {
		ds := make([]time.Duration, len(cycles))
		for i, c := range cycles {
			ds[i] = f(c)
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[len(ds)/2]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s, %d cycles, p50:", what, len(cycles))
	for _, p := range phases {
		fmt.Fprintf(&b, " %s %v", p, p50(func(c *watch.Cycle) time.Duration { return c.Took(p) }).Round(10*time.Microsecond))
	}
	fmt.Fprintf(&b, "; bigband-dev part %v", p50(func(c *watch.Cycle) time.Duration { return c.Total() - c.Took(watch.PhaseBuild) }).Round(10*time.Microsecond))
	first := rss[min(4, len(rss)-1)]
	fmt.Fprintf(&b, "; RSS after cycle %d %d MiB, after cycle %d %d MiB (x%.2f)", min(5, len(rss)), first>>20, len(rss), rss[len(rss)-1]>>20, float64(rss[len(rss)-1])/float64(first))
	t.Log(b.String())
}

// timings keeps only a cycle's timings, so that holding hundreds of
// cycles doesn't hold their rendered packages (and skew the RSS).
func timings(c *watch.Cycle) *watch.Cycle {
	return &watch.Cycle{Timings: c.Timings}
}

// vmRSS is this process's resident set (the session runs in it).
func vmRSS(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
