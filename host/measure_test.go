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
	wasm := repoFile(t, "examples/c/frontend/frontend.wasm")
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
