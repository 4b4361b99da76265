package host_test

import (
	"context"
	"os"
	"runtime"
	"testing"

	"github.com/bigband-dev/bigband/host"
)

// TestMeasureSwapRSS measures the process's RSS over 300 load cycles of
// changed C builds, as `serve --watch` does them; run it in a fresh
// process per mode, without and with Program.Close:
//
//	BIGBAND_MEASURE=noclose go test -run TestMeasureSwapRSS -v ./host
//	BIGBAND_MEASURE=close go test -run TestMeasureSwapRSS -v ./host
func TestMeasureSwapRSS(t *testing.T) {
	mode := os.Getenv("BIGBAND_MEASURE")
	if mode == "" {
		t.Skip("a measurement: set BIGBAND_MEASURE=close or noclose")
	}
	rt := newRuntime(t, host.Config{})
	wasm := repoFile(t, "fixtures/guests/c/frontend/frontend.wasm")
	ctx := context.Background()
	var first uint64
	for i := range 300 {
		p, err := rt.Load(ctx, changedBuild(wasm, i), host.LoadOptions{Name: "frontend.wasm"})
		if err != nil {
			t.Fatal(err)
		}
		inst, _ := p.Instantiate(ctx)
		inst.Call(ctx, "backstage-frontend-plugin#get-node-deps")
		inst.Close(ctx)
		if mode == "close" {
			p.Close(ctx)
		}
		if i == 0 {
			runtime.GC()
			first = rssBytes()
		}
	}
	runtime.GC()
	runtime.GC()
	t.Logf("mode=%s RSS after 1 cycle %d MiB, after 300 %d MiB", mode, first>>20, rssBytes()>>20)
}

// TestMeasureReloadRSS measures the process's RSS over reloads swapped into
// a Backend, as a watch session does them: 500 builds of the C backend with
// changed code, then 30 of the JS backend alternating two builds that
// differ in one string literal. Run it in a fresh process:
//
//	BIGBAND_MEASURE=reload go test -run TestMeasureReloadRSS -v ./host
func TestMeasureReloadRSS(t *testing.T) {
	if os.Getenv("BIGBAND_MEASURE") != "reload" {
		t.Skip("a measurement: set BIGBAND_MEASURE=reload")
	}
	ctx := context.Background()
	for _, g := range []struct {
		name   string
		builds []string
		cycles int
	}{
		{"c-backend", []string{"fixtures/guests/c/backend/backend.wasm"}, 500},
		{"js-backend", []string{"fixtures/guests/js/backend/backend.wasm", "fixtures/guests/js/backend/backend-v2.wasm"}, 30},
	} {
		rt := quietRuntime(t, host.Config{CacheDir: t.TempDir()})
		var builds [][]byte
		for _, rel := range g.builds {
			builds = append(builds, repoFile(t, rel))
		}
		var b *host.Backend
		var after3 uint64
		for i := range g.cycles {
			wasm := builds[i%len(builds)]
			if len(builds) == 1 {
				wasm = changedCode(t, wasm, i)
			}
			p, err := rt.Load(ctx, wasm, host.LoadOptions{Name: g.name})
			if err != nil {
				t.Fatal(err)
			}
			if b == nil {
				b, err = rt.NewBackend(ctx, p, host.BackendConfig{PoolSize: 2})
			} else {
				err = b.Swap(ctx, p)
			}
			if err != nil {
				t.Fatal(err)
			}
			if i == 2 {
				runtime.GC()
				after3 = rssBytes()
			}
		}
		b.Close()
		runtime.GC()
		runtime.GC()
		s := rt.CodeStats()
		t.Logf("%s: RSS after 3 reloads %d MiB, after %d %d MiB; compiled modules %d (%d idle), %d compiled, %d reused",
			g.name, after3>>20, g.cycles, rssBytes()>>20, s.Modules, s.Idle, s.Misses, s.Hits)
	}
}
