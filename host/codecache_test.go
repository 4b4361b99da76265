package host_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/bigband-dev/bigband/internal/wasmasm"

	"github.com/bigband-dev/bigband/host"
)

func quietRuntime(t testing.TB, cfg host.Config) *host.Runtime {
	t.Helper()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return newRuntime(t, cfg)
}

// statsDelta is what a runtime's code cache did since before.
func statsDelta(before, after host.CodeStats) (hits, misses int64) {
	return after.Hits - before.Hits, after.Misses - before.Misses
}

// Two componentize-js builds whose JS differs in one string literal share
// all their compiled code, and each serves its own data.
func TestJSBuildsShareCompiledCode(t *testing.T) {
	ctx := context.Background()
	rt := quietRuntime(t, host.Config{CacheDir: testCache})
	v1 := repoFile(t, "fixtures/guests/js/backend/backend.wasm")
	v2 := repoFile(t, "fixtures/guests/js/backend/backend-v2.wasm")
	p1, err := rt.Load(ctx, v1, host.LoadOptions{Name: "backend.wasm"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := rt.NewBackend(ctx, p1, host.BackendConfig{PoolSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(b)
	defer srv.Close()
	defer b.Close()
	check := func(tag string) {
		t.Helper()
		resp, body := get(t, srv.URL+"/headers")
		if resp.StatusCode != 200 || resp.Header.Get("x-bigband-guest") != tag {
			t.Fatalf("GET /headers: %d, x-bigband-guest %q, want 200 and %q (%s)", resp.StatusCode, resp.Header.Get("x-bigband-guest"), tag, body)
		}
		if resp, body := get(t, srv.URL+"/hello"); !strings.Contains(body, `"hello":"backstage"`) {
			t.Fatalf("GET /hello: %d %s", resp.StatusCode, body)
		}
	}
	check("js")

	before := rt.CodeStats()
	p2, err := rt.Load(ctx, v2, host.LoadOptions{Name: "backend-v2.wasm"})
	if err != nil {
		t.Fatal(err)
	}
	after := rt.CodeStats()
	hits, misses := statsDelta(before, after)
	if misses != 0 || hits < 2 {
		t.Errorf("second build: %d core modules compiled, %d reused; want none compiled (the builds differ only in data)", misses, hits)
	}
	if after.Modules != before.Modules {
		t.Errorf("compiled modules went from %d to %d", before.Modules, after.Modules)
	}
	if err := b.Swap(ctx, p2); err != nil {
		t.Fatal(err)
	}
	check("js-v2")
	// And back: the first build's data again, on the same code.
	p3, err := rt.Load(ctx, v1, host.LoadOptions{Name: "backend.wasm"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Swap(ctx, p3); err != nil {
		t.Fatal(err)
	}
	check("js")
	if _, misses := statsDelta(before, rt.CodeStats()); misses != 0 {
		t.Errorf("%d core modules compiled again", misses)
	}
}

// dataModule is a core module typed by hostileWorld whose grow-loop export
// returns the byte at addr, with one active data segment placed at offset.
func dataModule(offset uint32, data string, addr uint32) []byte {
	body := append([]byte{0x41}, sleb64(int64(addr))...)
	body = append(body, 0x2d, 0x00, 0x00) // i32.load8_u
	m := wasmasm.Module{MinPages: 1, Funcs: []wasmasm.Func{{Export: "h#grow-loop", Params: []byte{i32}, Results: []byte{i32}, Body: body}}}.Bytes()
	seg := append([]byte{0, 0x41}, sleb64(int64(offset))...)
	seg = append(seg, 0x0b)
	seg = append(seg, wasmasm.U(uint64(len(data)))...)
	return append(m, wasmasm.Section(11, wasmasm.Vec(append(seg, data...)))...)
}

// The data taken out of the code is where the module expects it, and a
// segment that doesn't fit its memory fails instantiation, as the module
// itself would have.
func TestDataSegments(t *testing.T) {
	ctx := context.Background()
	rt := quietRuntime(t, host.Config{})
	r, w := hostileWorld(t)
	opts := host.LoadOptions{Name: "data.wasm", Fallback: r, FallbackWorld: w}
	for _, tc := range []struct {
		offset uint32
		data   string
		addr   uint32
		want   uint32
		err    string
	}{
		{offset: 1000, data: "hello", addr: 1001, want: 'e'},
		{offset: 65531, data: "hello", addr: 65535, want: 'o'},
		{offset: 2000, data: "hello", addr: 1999, want: 0},
		{offset: 65532, data: "hello", err: "data segment 0 (5 bytes at offset 0xfffc) is out of bounds of its memory (65536 bytes)"},
		{offset: 1 << 20, data: "", err: "data segment 0 (0 bytes at offset 0x100000) is out of bounds"},
	} {
		t.Run(fmt.Sprintf("%d+%d", tc.offset, len(tc.data)), func(t *testing.T) {
			p, err := rt.Load(ctx, dataModule(tc.offset, tc.data, tc.addr), opts)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "data.wasm: instantiate") {
					t.Fatalf("Load: %v, want an error containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close(ctx)
			inst, err := p.Instantiate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer inst.Close(ctx)
			v, err := inst.Call(ctx, "h#grow-loop", true)
			if err != nil {
				t.Fatal(err)
			}
			if v != tc.want {
				t.Errorf("byte at %d = %v, want %d", tc.addr, v, tc.want)
			}
		})
	}
}

// Hundreds of builds with different code, each loaded, run and closed, as
// a watch session does: the runtime keeps at most its idle allowance of
// compiled modules, and every program's hold is released.
func TestReloadsKeepCompiledCodeBounded(t *testing.T) {
	ctx := context.Background()
	rt := quietRuntime(t, host.Config{})
	wasm := repoFile(t, "fixtures/guests/c/frontend/frontend.wasm")
	maxModules := 0
	for i := range 100 {
		// Every other load is a build seen before: its code comes from
		// memory while it is still idle.
		n := i
		if i%2 == 1 {
			n = i - 1
		}
		p, err := rt.Load(ctx, changedBuild(wasm, n), host.LoadOptions{Name: "frontend.wasm"})
		if err != nil {
			t.Fatal(err)
		}
		inst, err := p.Instantiate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := inst.Call(ctx, "backstage-frontend-plugin#get-node-deps"); err != nil {
			t.Fatal(err)
		}
		inst.Close(ctx)
		p.Close(ctx)
		maxModules = max(maxModules, rt.CodeStats().Modules)
	}
	s := rt.CodeStats()
	if s.Misses != 50 || s.Hits != 50 {
		t.Errorf("%d compiled, %d reused; want 50 and 50", s.Misses, s.Hits)
	}
	if maxModules > 9 || s.Modules != s.Idle {
		t.Errorf("up to %d compiled modules held, %d at the end of which %d idle; want at most the idle allowance (8) and one in use", maxModules, s.Modules, s.Idle)
	}
}

// Loads of the same and different builds at once compile each code once,
// and share it (run with -race).
func TestConcurrentLoadsShareCompilation(t *testing.T) {
	ctx := context.Background()
	rt := quietRuntime(t, host.Config{})
	wasm := repoFile(t, "fixtures/guests/c/frontend/frontend.wasm")
	builds := [][]byte{changedBuild(wasm, 0), changedBuild(wasm, 1), changedBuild(wasm, 2)}
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for g := range 24 {
		wg.Go(func() {
			p, err := rt.Load(ctx, builds[g%len(builds)], host.LoadOptions{Name: "frontend.wasm"})
			if err != nil {
				errs <- err
				return
			}
			defer p.Close(ctx)
			inst, err := p.Instantiate(ctx)
			if err != nil {
				errs <- err
				return
			}
			defer inst.Close(ctx)
			if _, err := inst.Call(ctx, "backstage-frontend-plugin#get-node-deps"); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	s := rt.CodeStats()
	if s.Misses != int64(len(builds)) || s.Hits != 24-int64(len(builds)) {
		t.Errorf("%d compilations, %d reuses; want one compilation per build (%d)", s.Misses, s.Hits, len(builds))
	}
	if s.Modules != len(builds) || s.Idle != len(builds) {
		t.Errorf("%d compiled modules, %d idle; want %d, all idle", s.Modules, s.Idle, len(builds))
	}
}

// With FastLoad, a guest whose code is not compiled yet serves from the
// interpreter, and the compiled program it is upgraded to serves the same.
func TestFastLoadUpgrades(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := host.Config{CacheDir: dir, FastLoad: true, FastLoadMinBytes: 1}
	rt := quietRuntime(t, cfg)
	wasm := repoFile(t, "fixtures/guests/c/backend/backend.wasm")
	p, err := rt.Load(ctx, wasm, host.LoadOptions{Name: "backend.wasm"})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Interpreted() || p.Upgraded() == nil {
		t.Fatalf("first load: interpreted %v, upgrade %v; want the interpreter and an upgrade coming", p.Interpreted(), p.Upgraded() != nil)
	}
	b, err := rt.NewBackend(ctx, p, host.BackendConfig{PoolSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(b)
	defer srv.Close()
	defer b.Close()
	if resp, body := get(t, srv.URL+"/headers"); resp.Header.Get("x-bigband-guest") != "c" {
		t.Fatalf("interpreted: %d %s", resp.StatusCode, body)
	}
	var np *host.Program
	within(t, "upgrade", func() { np = <-p.Upgraded() })
	if np == nil || np.Interpreted() {
		t.Fatalf("upgrade: %v", np)
	}
	if err := b.Swap(ctx, np); err != nil {
		t.Fatal(err)
	}
	if resp, body := get(t, srv.URL+"/headers"); resp.Header.Get("x-bigband-guest") != "c" {
		t.Fatalf("compiled: %d %s", resp.StatusCode, body)
	}
	// Compiled now: in memory, and on disk for a later session.
	again, err := rt.Load(ctx, wasm, host.LoadOptions{Name: "backend.wasm"})
	if err != nil {
		t.Fatal(err)
	}
	again.Close(ctx)
	later, err := quietRuntime(t, cfg).Load(ctx, wasm, host.LoadOptions{Name: "backend.wasm"})
	if err != nil {
		t.Fatal(err)
	}
	later.Close(ctx)
	if again.Interpreted() || later.Interpreted() {
		t.Errorf("compiled code known: interpreted in the same runtime %v, in a new one on the same cache %v", again.Interpreted(), later.Interpreted())
	}
	if s := rt.CodeStats(); s.Interpreted != 1 {
		t.Errorf("CodeStats.Interpreted = %d, want 1", s.Interpreted)
	}
}

// An interpreted program closed before its upgrade arrives gives it up:
// the channel closes and nothing stays held. Closing the runtime stops
// compilations in flight.
func TestFastLoadClosedBeforeUpgrade(t *testing.T) {
	ctx := context.Background()
	rt := quietRuntime(t, host.Config{FastLoad: true, FastLoadMinBytes: 1})
	p, err := rt.Load(ctx, repoFile(t, "fixtures/guests/c/frontend/frontend.wasm"), host.LoadOptions{Name: "frontend.wasm"})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Interpreted() {
		t.Fatal("not interpreted")
	}
	up := p.Upgraded()
	p.Close(ctx)
	within(t, "upgrade channel", func() {
		for np := range up {
			t.Errorf("received an upgrade of a closed program: %v", np)
		}
	})
	if s := rt.CodeStats(); s.Modules != s.Idle {
		t.Errorf("%d compiled modules still in use (%d in all)", s.Modules-s.Idle, s.Modules)
	}

	rt2 := quietRuntime(t, host.Config{FastLoad: true, FastLoadMinBytes: 1})
	r, w := frontendWorld(t)
	p2, err := rt2.Load(ctx, repoFile(t, "fixtures/guests/go/frontend/frontend.core.wasm"), host.LoadOptions{Name: "frontend.core.wasm", Fallback: r, FallbackWorld: w})
	if err != nil {
		t.Fatal(err)
	}
	within(t, "closing the runtime while compiling", func() { rt2.Close(ctx) })
	if _, err := p2.Instantiate(ctx); err == nil {
		t.Error("instantiated a program of a closed runtime")
	}
	if _, err := rt2.Load(ctx, repoFile(t, "fixtures/guests/c/frontend/frontend.wasm"), host.LoadOptions{}); err == nil {
		t.Error("loaded into a closed runtime")
	}
}
