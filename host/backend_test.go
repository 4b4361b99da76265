package host_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
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
	{"c", "fixtures/guests/c/backend/backend.wasm"},
	// The same C as a core module importing wasi:http directly (no component step).
	{"c-core", "fixtures/guests/c/backend/backend.core.wasm"},
	{"js", "fixtures/guests/js/backend/backend.wasm"},
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
			if json.Unmarshal(b, &hdrs) != nil || hdrs["x-test"] != "héllo" || resp.Header.Get("X-Bigband-Guest") != strings.TrimSuffix(g.tag, "-core") {
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
	srv, _ := serveGuest(t, "fixtures/guests/c/backend/backend.wasm", host.BackendConfig{})
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

// lockedBuffer collects a logger's output across goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serveGuestLogged is serveGuest with the host's log kept.
func serveGuestLogged(t *testing.T, rel string, cfg host.BackendConfig) (*httptest.Server, *host.Backend, *lockedBuffer) {
	t.Helper()
	ctx := context.Background()
	logs := &lockedBuffer{}
	rt := newRuntime(t, host.Config{CacheDir: testCache, Logger: slog.New(slog.NewTextHandler(logs, nil))})
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
	return srv, b, logs
}

// waitFor polls cond: a hang guard, not a timing assertion.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting after 60 s for %s", what)
		}
	}
}

// TestBackendStalledClientsFreeInstances: two clients POST an endless body
// to the echo route over raw TCP and never read the response. The guest
// echoes until the response stalls; the write deadline then stops both
// requests, their instances go back to the pool and other requests are
// served, while the two clients are still connected. Without the deadline
// the third request waits for an instance until the request timeout.
func TestBackendStalledClientsFreeInstances(t *testing.T) {
	srv, b, logs := serveGuestLogged(t, "fixtures/guests/c/backend/backend.wasm", host.BackendConfig{
		PoolSize: 2, RequestTimeout: 10 * time.Minute, StallTimeout: time.Second, MaxBodyBytes: -1,
	})
	addr := srv.Listener.Addr().String()
	for i := 0; i < 2; i++ {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		fmt.Fprintf(conn, "POST /echo HTTP/1.1\r\nHost: stalled\r\nContent-Length: %d\r\n\r\n", int64(1)<<40)
		go func() {
			chunk := bytes.Repeat([]byte("x"), 64<<10)
			for {
				if _, err := conn.Write(chunk); err != nil {
					return
				}
			}
		}()
	}
	waitFor(t, "both stalled requests to start", func() bool { return b.InFlight() == 2 })

	client := &http.Client{Timeout: 2 * time.Minute}
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Go(func() {
			resp, err := client.Get(srv.URL + "/hello")
			if err != nil {
				t.Errorf("request behind the stalled clients: %v", err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("request behind the stalled clients: %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	waitFor(t, "the stalled requests to end", func() bool { return b.InFlight() == 0 })
	if n := strings.Count(logs.String(), "client stopped reading the response"); n != 2 {
		t.Errorf("%d log lines about a stalled client, want 2; log:\n%s", n, logs)
	}
}

// TestBackendBodyLimit: a declared Content-Length over the limit is 413
// before the guest runs; a chunked body that crosses the limit while the
// echo guest streams it back is cut off (never a complete 200), and the
// log names the limit rather than the guest's trap.
func TestBackendBodyLimit(t *testing.T) {
	srv, _, logs := serveGuestLogged(t, "fixtures/guests/c/backend/backend.wasm", host.BackendConfig{
		PoolSize: 1, RequestTimeout: time.Minute, MaxBodyBytes: 1 << 20,
	})

	t.Run("declared", func(t *testing.T) {
		// Declared but never sent: a guest that ran would wait for it.
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", 2<<20)
		conn.SetReadDeadline(time.Now().Add(60 * time.Second)) // hang guard
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "1 MiB") {
			t.Fatalf("%d %q, want 413 naming the limit", resp.StatusCode, body)
		}
		if !strings.Contains(logs.String(), "request body over --max-body 1 MiB: answered 413 without running the guest") {
			t.Errorf("log:\n%s", logs)
		}
	})

	t.Run("streamed", func(t *testing.T) {
		pr, pw := io.Pipe()
		go func() {
			chunk := make([]byte, 64<<10)
			for i := 0; i < 64; i++ { // 4 MiB
				if _, err := pw.Write(chunk); err != nil {
					return
				}
			}
			pw.Close()
		}()
		defer pr.Close()
		req, _ := http.NewRequest("POST", srv.URL+"/echo", pr) // chunked: no length
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			n, readErr := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if readErr == nil {
				t.Fatalf("got a complete %d response of %d bytes for a body over the limit", resp.StatusCode, n)
			}
		}
		waitFor(t, "the log line", func() bool {
			return strings.Contains(logs.String(), "request body over --max-body 1 MiB") && strings.Contains(logs.String(), "cut off")
		})
		if resp, body := get(t, srv.URL+"/hello"); resp.StatusCode != 200 {
			t.Errorf("after the over-limit body: /hello %d %q", resp.StatusCode, body)
		}
	})
}

// TestBackendShutdownStopsStuckRequests: Shutdown with a short deadline
// stops a guest that would otherwise spin until its (long) request
// timeout; the request gets 503.
func TestBackendShutdownStopsStuckRequests(t *testing.T) {
	srv, b, _ := serveGuestLogged(t, "fixtures/guests/c/backend/backend.wasm", host.BackendConfig{PoolSize: 1, RequestTimeout: 10 * time.Minute})
	status := make(chan int, 1)
	go func() {
		resp, err := http.Get(srv.URL + "/spin")
		if err != nil {
			status <- -1
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	waitFor(t, "the request to start", func() bool { return b.InFlight() == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := b.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown: %v, want the deadline's error", err)
	}
	if got := <-status; got != http.StatusServiceUnavailable {
		t.Errorf("stuck request: %d, want 503", got)
	}
	if n := b.Versions(); n != 0 {
		t.Errorf("%d versions still open after Shutdown", n)
	}
	if resp, _ := get(t, srv.URL+"/hello"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("after Shutdown: %d, want 503", resp.StatusCode)
	}
	p, err := newRuntime(t, host.Config{CacheDir: testCache}).Load(context.Background(), repoFile(t, "fixtures/guests/c/backend/backend.wasm"), host.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Swap(context.Background(), p); err == nil {
		t.Error("Swap after Shutdown succeeded")
	}
}
