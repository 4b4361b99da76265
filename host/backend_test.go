package host_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/host"
)

var backendGuests = []struct{ tag, path string }{
	{"c", "examples/c/backend/backend.wasm"},
	{"js", "examples/js/backend/backend.wasm"},
}

func serveGuest(t *testing.T, rel string, cfg host.BackendConfig) (*httptest.Server, *host.Backend) {
	t.Helper()
	ctx := context.Background()
	rt := newRuntime(t, host.Config{CacheDir: testCache, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	p, err := rt.Load(ctx, repoFile(t, rel), host.LoadOptions{Name: rel})
	if err != nil {
		t.Fatal(err)
	}
	b, err := rt.NewBackend(ctx, p, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(b)
	t.Cleanup(func() { srv.Close(); b.Close() })
	return srv, b
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestBackendRoutes(t *testing.T) {
	for _, g := range backendGuests {
		t.Run(g.tag, func(t *testing.T) {
			srv, _ := serveGuest(t, g.path, host.BackendConfig{RequestTimeout: 2 * time.Second})

			resp, body := get(t, srv.URL+"/hello?x=1&y=%C3%A9")
			var hello map[string]string
			if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &hello) != nil || hello["hello"] != "backstage" || hello["path"] != "/hello?x=1&y=%C3%A9" {
				t.Errorf("/hello: %d %q", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("/hello content-type %q", ct)
			}

			req, _ := http.NewRequest("GET", srv.URL+"/headers", nil)
			req.Header.Set("X-Test", "héllo")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var hdrs map[string]string
			if json.Unmarshal(b, &hdrs) != nil || hdrs["x-test"] != "héllo" || resp.Header.Get("X-Bigband-Guest") != g.tag {
				t.Errorf("/headers: %q, guest header %q", b, resp.Header.Get("X-Bigband-Guest"))
			}

			for _, code := range []int{201, 404, 503} {
				if resp, _ := get(t, fmt.Sprintf("%s/status/%d", srv.URL, code)); resp.StatusCode != code {
					t.Errorf("/status/%d: got %d", code, resp.StatusCode)
				}
			}
			if resp, body := get(t, srv.URL+"/nowhere"); resp.StatusCode != 404 || body != "not found" {
				t.Errorf("/nowhere: %d %q", resp.StatusCode, body)
			}
		})
	}
}

// TestBackendStreamsLargeBodies echoes 10 MiB through the guest, sent and
// received as streams.
func TestBackendStreamsLargeBodies(t *testing.T) {
	for _, g := range backendGuests {
		t.Run(g.tag, func(t *testing.T) {
			srv, _ := serveGuest(t, g.path, host.BackendConfig{RequestTimeout: 60 * time.Second})
			const size = 10 << 20
			pr, pw := io.Pipe()
			sent := sha256.New()
			go func() {
				chunk := make([]byte, 64<<10)
				for i := 0; i < size/len(chunk); i++ {
					for j := range chunk {
						chunk[j] = byte(i + j)
					}
					sent.Write(chunk)
					if _, err := pw.Write(chunk); err != nil {
						return
					}
				}
				pw.Close()
			}()
			req, _ := http.NewRequest("POST", srv.URL+"/echo", pr)
			req.Header.Set("Content-Type", "application/x-test")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got := sha256.New()
			n, err := io.Copy(got, resp.Body)
			if err != nil || n != size || !bytes.Equal(got.Sum(nil), sent.Sum(nil)) {
				t.Fatalf("echo: %d bytes, err %v, digest match %v", n, err, bytes.Equal(got.Sum(nil), sent.Sum(nil)))
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/x-test" {
				t.Errorf("echo content-type %q", ct)
			}
		})
	}
}

func TestBackendTrailers(t *testing.T) {
	srv, _ := serveGuest(t, "examples/c/backend/backend.wasm", host.BackendConfig{})
	resp, body := get(t, srv.URL+"/trailers")
	if resp.StatusCode != 200 || body != "ok" || resp.Trailer.Get("X-Checksum") != "abc" {
		t.Fatalf("/trailers: %d %q trailer %q", resp.StatusCode, body, resp.Trailer)
	}
}

// TestBackendSurvivesTrapsAndRunaways: a trap is a 500 with a short body,
// a guest that never returns is stopped by the deadline, and the server
// keeps serving.
func TestBackendSurvivesTrapsAndRunaways(t *testing.T) {
	for _, g := range backendGuests {
		t.Run(g.tag, func(t *testing.T) {
			srv, _ := serveGuest(t, g.path, host.BackendConfig{RequestTimeout: 500 * time.Millisecond, PoolSize: 2})
			if resp, body := get(t, srv.URL+"/trap"); resp.StatusCode != 500 || len(body) > 100 {
				t.Errorf("/trap: %d %q", resp.StatusCode, body)
			}
			start := time.Now()
			if resp, _ := get(t, srv.URL+"/spin"); resp.StatusCode != http.StatusGatewayTimeout && resp.StatusCode != 500 {
				t.Errorf("/spin: %d", resp.StatusCode)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("/spin took %v: the deadline did not stop it", d)
			}
			if resp, _ := get(t, srv.URL+"/hello"); resp.StatusCode != 200 {
				t.Errorf("after trap and spin: /hello %d", resp.StatusCode)
			}
		})
	}
}

func TestBackendConcurrentClients(t *testing.T) {
	for _, g := range backendGuests {
		t.Run(g.tag, func(t *testing.T) {
			srv, _ := serveGuest(t, g.path, host.BackendConfig{PoolSize: 4})
			var wg sync.WaitGroup
			var failed atomic.Int64
			for c := 0; c < 16; c++ {
				wg.Go(func() {
					for i := 0; i < 10; i++ {
						resp, err := http.Get(fmt.Sprintf("%s/hello?c=%d&i=%d", srv.URL, c, i))
						if err != nil {
							failed.Add(1)
							continue
						}
						b, _ := io.ReadAll(resp.Body)
						resp.Body.Close()
						if resp.StatusCode != 200 || !strings.Contains(string(b), fmt.Sprintf("c=%d&i=%d", c, i)) {
							failed.Add(1)
						}
					}
				})
			}
			wg.Wait()
			if n := failed.Load(); n != 0 {
				t.Fatalf("%d of 160 concurrent requests failed", n)
			}
		})
	}
}
