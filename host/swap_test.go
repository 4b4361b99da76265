package host_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/host"
)

// TestSwapUnderLoad holds 250 requests a second for 10 seconds while the
// guest is swapped 20 times between two versions of the C backend (built
// from one source, tagging responses "c" and "c-v2"), loaded from bytes
// each time. No request may fail, and each
// response must come whole from one version: the guest's tag header and the
// request id it echoes in the body belong to the same handling.
func TestSwapUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("10 s load test")
	}
	ctx := context.Background()
	rt := newRuntime(t, host.Config{CacheDir: testCache, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	versions := [][]byte{repoFile(t, "fixtures/guests/c/backend/backend.wasm"), repoFile(t, "fixtures/guests/c/backend/backend-v2.wasm")}
	tags := []string{"c", "c-v2"}
	p, err := rt.Load(ctx, versions[0], host.LoadOptions{Name: "v0"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := rt.NewBackend(ctx, p, host.BackendConfig{PoolSize: 4, RequestTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(b)
	defer srv.Close()
	defer b.Close()

	const rate, duration = 250, 10 * time.Second
	var sent, failed atomic.Int64
	seen := map[string]*atomic.Int64{"c": {}, "c-v2": {}}
	var firstErr atomic.Value
	fail := func(format string, args ...any) {
		failed.Add(1)
		firstErr.CompareAndSwap(nil, fmt.Sprintf(format, args...))
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	jobs := make(chan int64, rate)
	var wg sync.WaitGroup
	for w := 0; w < 32; w++ {
		wg.Go(func() {
			for id := range jobs {
				req, _ := http.NewRequest("GET", srv.URL+"/headers", nil)
				req.Header.Set("X-Req-Id", fmt.Sprint(id))
				resp, err := client.Do(req)
				if err != nil {
					fail("request %d: %v", id, err)
					continue
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				var echoed map[string]string
				tag := resp.Header.Get("X-Bigband-Guest")
				switch {
				case err != nil || resp.StatusCode != 200:
					fail("request %d: %d %v %q", id, resp.StatusCode, err, body)
				case json.Unmarshal(body, &echoed) != nil || echoed["x-req-id"] != fmt.Sprint(id):
					fail("request %d: body from another request: %q", id, body)
				case seen[tag] == nil:
					fail("request %d: unknown version %q", id, tag)
				default:
					seen[tag].Add(1)
				}
			}
		})
	}

	stopSwaps := make(chan struct{})
	var swaps int
	var swapErr error
	swapped := make(chan struct{})
	go func() {
		defer close(swapped)
		tick := time.NewTicker(duration / 21)
		defer tick.Stop()
		for swaps < 20 {
			select {
			case <-stopSwaps:
				return
			case <-tick.C:
			}
			next := (swaps + 1) % 2
			prog, err := rt.Load(ctx, versions[next], host.LoadOptions{Name: tags[next]})
			if err == nil {
				err = b.Swap(ctx, prog)
			}
			if err != nil {
				swapErr = err
				return
			}
			swaps++
		}
	}()

	start := time.Now()
	tick := time.NewTicker(time.Second / rate)
	for time.Since(start) < duration {
		<-tick.C
		jobs <- sent.Add(1)
	}
	tick.Stop()
	close(jobs)
	wg.Wait()
	close(stopSwaps)
	<-swapped
	elapsed := time.Since(start)
	if swapErr != nil {
		t.Fatal(swapErr)
	}
	t.Logf("%d requests in %v (%.0f req/s), %d swaps, served by c: %d, c-v2: %d",
		sent.Load(), elapsed.Round(time.Millisecond), float64(sent.Load())/elapsed.Seconds(), swaps, seen["c"].Load(), seen["c-v2"].Load())
	if n := failed.Load(); n != 0 {
		t.Fatalf("%d requests failed; first: %v", n, firstErr.Load())
	}
	if swaps != 20 {
		t.Fatalf("only %d swaps happened", swaps)
	}
	if seen["c"].Load() == 0 || seen["c-v2"].Load() == 0 {
		t.Fatal("both versions should have served requests")
	}
}

// TestSwapReleasesRetiredVersions: a retired version stays open while a
// request runs on it and is released (its instances and program closed)
// when that request ends; versions retired idle are released at once.
func TestSwapReleasesRetiredVersions(t *testing.T) {
	ctx := context.Background()
	rt := newRuntime(t, host.Config{CacheDir: testCache, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	load := func(rel string) *host.Program {
		t.Helper()
		p, err := rt.Load(ctx, repoFile(t, rel), host.LoadOptions{Name: rel})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	b, err := rt.NewBackend(ctx, load("fixtures/guests/c/backend/backend.wasm"), host.BackendConfig{PoolSize: 2, RequestTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(b)
	defer srv.Close()
	defer b.Close()

	spun := make(chan int, 1)
	go func() {
		resp, err := http.Get(srv.URL + "/spin") // runs until the request timeout
		if err != nil {
			spun <- -1
			return
		}
		resp.Body.Close()
		spun <- resp.StatusCode
	}()
	waitFor(t, "the spinning request to start", func() bool { return b.InFlight() == 1 })
	if err := b.Swap(ctx, load("fixtures/guests/c/backend/backend-v2.wasm")); err != nil {
		t.Fatal(err)
	}
	if n := b.Versions(); n != 2 {
		t.Errorf("%d versions open while a request runs on the retired one, want 2", n)
	}
	resp, _ := get(t, srv.URL+"/headers")
	if tag := resp.Header.Get("X-Bigband-Guest"); tag != "c-v2" {
		t.Errorf("after the swap a new request ran on %q", tag)
	}
	if code := <-spun; code != http.StatusGatewayTimeout {
		t.Errorf("spinning request: %d, want 504", code)
	}
	waitFor(t, "the retired version to be released", func() bool { return b.Versions() == 1 })

	for i := 0; i < 10; i++ {
		if err := b.Swap(ctx, load("fixtures/guests/c/backend/backend.wasm")); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "idle retired versions to be released", func() bool { return b.Versions() == 1 })
	if resp, _ := get(t, srv.URL+"/hello"); resp.StatusCode != 200 {
		t.Errorf("after 11 swaps: /hello %d", resp.StatusCode)
	}
}
