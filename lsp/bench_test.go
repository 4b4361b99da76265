package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/lsp/internal/benchpkg"
)

// benchEnv is a server with the 50-file benchmark package (WASI 0.2 and
// wasi:http in deps/), part00.wit open.
func benchEnv(b *testing.B) (*testEnv, string, string) {
	e := newSettledEnv(b, nil)
	path, err := benchpkg.Write(e.dir, 50)
	if err != nil {
		b.Fatal(err)
	}
	name, _ := filepath.Rel(e.dir, path)
	orig, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return e, filepath.ToSlash(name), string(orig)
}

// BenchmarkDidChangeToPublish measures an edit in an open buffer until its
// diagnostics arrive at the client, over the whole 50-file package and its
// deps/. Reports p50 and p90 besides the mean (ns/op).
func BenchmarkDidChangeToPublish(b *testing.B) {
	e, name, orig := benchEnv(b)
	e.openText(name, orig, 1)
	e.settle(name)
	e.awaitVersion(name, 1)
	var lat []time.Duration
	v := int32(1)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		v++
		text := fmt.Sprintf("// edit %d\n%s", i, orig)
		if i%2 == 1 {
			text += "interface broken { f: func() -> nope; }\n"
		}
		start := time.Now()
		e.change(name, text, v)
		e.awaitVersion(name, v)
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*9/10].Microseconds())/1000, "p90-ms")
}

// BenchmarkStartupToFirstDiagnostics measures a new server, initialize and
// the first didOpen until the first diagnostics arrive.
func BenchmarkStartupToFirstDiagnostics(b *testing.B) {
	dir := b.TempDir()
	path, err := benchpkg.Write(dir, 50)
	if err != nil {
		b.Fatal(err)
	}
	orig, _ := os.ReadFile(path)
	for b.Loop() {
		e := newSettledEnv(b, nil)
		e.dir = dir
		e.openText("part00.wit", string(orig), 1)
		e.awaitVersion("part00.wit", 1)
	}
}

// BenchmarkMemoryAfterEdits reports the live heap after 100 edits and
// after 1,000 more: it should stay flat (snapshots and analyses of old
// versions are dropped).
func BenchmarkMemoryAfterEdits(b *testing.B) {
	for b.Loop() {
		e, name, orig := benchEnv(b)
		e.openText(name, orig, 1)
		heap := func() float64 {
			runtime.GC()
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			return float64(ms.HeapAlloc) / (1 << 20)
		}
		v := int32(1)
		// Every edit is analysed and published before the next, as when
		// someone types slower than the server answers.
		edit := func(n int) {
			for range n {
				v++
				e.change(name, fmt.Sprintf("// edit %d\n%s", v, orig), v)
				e.awaitVersion(name, v)
			}
		}
		edit(100)
		after100 := heap()
		edit(1000)
		after1100 := heap()
		b.ReportMetric(after100, "heap-MB-after-100")
		b.ReportMetric(after1100, "heap-MB-after-1100")
	}
}

// The session keeps one snapshot's worth of state however many edits come.
func TestSessionStateBounded(t *testing.T) {
	e := newSettledEnv(t, map[string]string{"wit/a.wit": okWIT, "wit/b.wit": "package demo:ok;\ninterface b {}\n"})
	e.open("wit/a.wit")
	for v := int32(2); v <= 300; v++ {
		e.change("wit/a.wit", fmt.Sprintf("// %d\n%s", v, okWIT), v)
	}
	e.settle("wit/a.wit")
	e.awaitVersion("wit/a.wit", 300)
	ss := e.srv.sess
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if len(ss.docs) != 1 || len(ss.roots) != 1 || len(ss.snap.overlays) != 1 {
		t.Errorf("after 300 edits: %d docs, %d roots, %d overlays; want 1 each", len(ss.docs), len(ss.roots), len(ss.snap.overlays))
	}
	for root, rs := range ss.roots {
		if rs.memo == nil || rs.memo.seq != ss.seq {
			t.Errorf("%s: the memoized analysis is not the newest snapshot's", root)
		}
		if len(rs.files) > 2 {
			t.Errorf("%s: %d files remembered as published", root, len(rs.files))
		}
	}
}
