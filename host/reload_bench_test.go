package host_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/internal/wasmasm"

	"github.com/bigband-dev/bigband/host"
)

// The reload benchmark: from a new build's bytes to an instance serving,
// as `bigband-dev watch` does it: Load, Instantiate, and one cheap call.
// Each mode is a situation of a dev loop:
//
//	cold       the first load of a session, nothing compiled anywhere
//	disk       a restarted session: compiled code in the disk cache
//	edit       a build whose code changed, in a running session
//	data-edit  a one-line JS edit (componentize-js builds differing in one
//	           string literal: same code, other data)
//	same       a build whose code is unchanged (data-only edit, or a
//	           rebuild giving the same code)
//	fast       Config.FastLoad: a changed build served from the
//	           interpreter; upgrade-ms is how long compiling it took
//
// Reported: p50 and mean milliseconds per reload (ns/op also counts the
// setup of each iteration). For example:
//
//	go test ./host -run '^$' -bench BenchmarkReload -benchtime 5x
//	go test ./host -run '^$' -bench 'BenchmarkReload/js-backend/(cold|disk)' -benchtime 1x
var reloadGuests = []struct {
	name   string
	builds []string
	call   string
	modes  []string
}{
	{"js-backend", []string{"fixtures/guests/js/backend/backend.wasm", "fixtures/guests/js/backend/backend-v2.wasm"},
		"backstage-backend-plugin#get-routes", []string{"cold", "disk", "data-edit", "fast"}},
	{"c-backend", []string{"fixtures/guests/c/backend/backend.wasm"},
		"backstage-backend-plugin#get-routes", []string{"cold", "disk", "edit", "same", "fast"}},
	{"c-frontend", []string{"fixtures/guests/c/frontend/frontend.wasm"},
		"backstage-frontend-plugin#get-node-deps", []string{"cold", "disk", "edit", "same"}},
	{"go-frontend", []string{"fixtures/guests/go/frontend/frontend.core.wasm"},
		"backstage-frontend-plugin#get-node-deps", []string{"cold", "disk", "edit", "same", "fast"}},
}

func BenchmarkReload(b *testing.B) {
	for _, g := range reloadGuests {
		var builds [][]byte
		for _, rel := range g.builds {
			builds = append(builds, repoFile(b, rel))
		}
		for _, mode := range g.modes {
			b.Run(g.name+"/"+mode, func(b *testing.B) { benchReload(b, builds, g.call, mode) })
		}
	}
}

func benchReload(b *testing.B, builds [][]byte, call, mode string) {
	ctx := context.Background()
	r, w := frontendWorld(b)
	opts := host.LoadOptions{Name: "guest.wasm", Fallback: r, FallbackWorld: w}
	cfg := host.Config{CacheDir: b.TempDir()}
	if mode == "fast" {
		// Every guest, small ones too: whether the interpreter pays.
		cfg.FastLoad, cfg.FastLoadMinBytes = true, 1
	}
	session := quietRuntime(b, cfg) // the runtime of a running session
	var prev *host.Program
	if mode != "cold" && mode != "fast" {
		// Compiled once: on disk, and in the session's memory.
		p, err := session.Load(ctx, builds[0], opts)
		if err != nil {
			b.Fatal(err)
		}
		prev = p
	}
	var took, upgrades []time.Duration
	n := 0
	for b.Loop() {
		n++
		rt, wasm := session, builds[0]
		switch mode {
		case "cold":
			rt = quietRuntime(b, host.Config{CacheDir: b.TempDir()})
		case "disk":
			rt = quietRuntime(b, host.Config{CacheDir: cfg.CacheDir})
		case "edit", "fast":
			wasm = changedCode(b, builds[0], n)
		case "data-edit":
			wasm = builds[n%len(builds)]
		}
		start := time.Now()
		p, err := rt.Load(ctx, wasm, opts)
		if err != nil {
			b.Fatal(err)
		}
		inst, err := p.Instantiate(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := inst.Call(ctx, call); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
		inst.Close(ctx)
		if mode == "fast" {
			if !p.Interpreted() {
				b.Fatal("FastLoad did not use the interpreter")
			}
			np := <-p.Upgraded()
			if np == nil {
				b.Fatal("no upgrade")
			}
			upgrades = append(upgrades, time.Since(start))
			np.Close(ctx)
		}
		if prev != nil {
			prev.Close(ctx)
		}
		prev = p
		if rt != session {
			prev.Close(ctx)
			prev = nil
			rt.Close(ctx)
		}
	}
	if prev != nil {
		prev.Close(ctx)
	}
	reportMillis(b, "reload", took)
	if len(upgrades) > 0 {
		reportMillis(b, "upgrade", upgrades)
	}
}

func reportMillis(b *testing.B, what string, ds []time.Duration) {
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(ds[len(ds)/2]), what+"-ms-p50")
	b.ReportMetric(ms(sum/time.Duration(len(ds))), what+"-ms-mean")
}

// changedCode is wasm with new code: its largest core module (the guest
// itself, when wasm is a component) gets a custom section naming build n,
// so it is compiled afresh, as after an edit to the guest's code.
func changedCode(b testing.TB, wasm []byte, n int) []byte {
	if wasm[4] == 1 { // a core module
		return changedBuild(wasm, n)
	}
	// A component: find its largest core module section (id 1).
	pos, best, bestLen := 8, -1, 0
	for pos < len(wasm) {
		id := wasm[pos]
		size, k := readULEB(wasm[pos+1:])
		if id == 1 && int(size) > bestLen {
			best, bestLen = pos, int(size)
		}
		pos += 1 + k + int(size)
	}
	if best < 0 {
		b.Fatal("no core module in the component")
	}
	_, k := readULEB(wasm[best+1:])
	body := changedBuild(wasm[best+1+k:best+1+k+bestLen], n)
	out := append([]byte{}, wasm[:best]...)
	out = append(out, 1)
	out = append(out, wasmasm.U(uint64(len(body)))...)
	out = append(out, body...)
	return append(out, wasm[best+1+k+bestLen:]...)
}

func readULEB(b []byte) (uint32, int) {
	var v uint32
	for i, c := range b {
		v |= uint32(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, i + 1
		}
	}
	return v, len(b)
}
