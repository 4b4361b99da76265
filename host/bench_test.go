package host_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/bigband-dev/bigband/host"
)

var benchGuests = []struct{ name, path string }{
	{"go-core", "fixtures/guests/go/frontend/frontend.core.wasm"},
	{"c-core", "fixtures/guests/c/frontend/frontend.wasm"},
	{"go-component", "fixtures/guests/go/frontend/frontend.component.wasm"},
	{"js-component", "fixtures/guests/js/frontend/frontend.wasm"},
}

func benchLoad(b *testing.B, rel string, cfg host.Config) *host.Program {
	b.Helper()
	r, w := frontendWorld(b)
	rt := newRuntime(b, cfg)
	p, err := rt.Load(context.Background(), repoFile(b, rel), host.LoadOptions{Name: filepath.Base(rel), Fallback: r, FallbackWorld: w})
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkLoadCold measures decode + compile + trial instantiation with an
// empty compilation cache.
func BenchmarkLoadCold(b *testing.B) {
	for _, g := range benchGuests {
		b.Run(g.name, func(b *testing.B) {
			for b.Loop() {
				benchLoad(b, g.path, host.Config{CacheDir: b.TempDir()})
			}
		})
	}
}

// BenchmarkLoadCached is the same with compiled code already on disk (a
// fresh runtime each time, as a restarted dev server would have).
func BenchmarkLoadCached(b *testing.B) {
	for _, g := range benchGuests {
		b.Run(g.name, func(b *testing.B) {
			dir := b.TempDir()
			benchLoad(b, g.path, host.Config{CacheDir: dir})
			for b.Loop() {
				benchLoad(b, g.path, host.Config{CacheDir: dir})
			}
		})
	}
}

func BenchmarkInstantiate(b *testing.B) {
	for _, g := range benchGuests {
		b.Run(g.name, func(b *testing.B) {
			p := benchLoad(b, g.path, host.Config{CacheDir: testCache})
			ctx := context.Background()
			for b.Loop() {
				inst, err := p.Instantiate(ctx)
				if err != nil {
					b.Fatal(err)
				}
				inst.Close(ctx)
			}
		})
	}
}

// BenchmarkGetComponentFiles is one call returning the three files (1.1 MB
// in all) on a warm instance.
func BenchmarkGetComponentFiles(b *testing.B) {
	for _, g := range benchGuests {
		b.Run(g.name, func(b *testing.B) {
			p := benchLoad(b, g.path, host.Config{CacheDir: testCache})
			ctx := context.Background()
			inst, err := p.Instantiate(ctx)
			if err != nil {
				b.Fatal(err)
			}
			defer inst.Close(ctx)
			e, err := p.Lookup("backstage-frontend-plugin#get-component-files")
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := inst.CallExport(ctx, e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
