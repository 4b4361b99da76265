package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// startServe runs `bigband-dev serve args` and stops it when the test ends.
func startServe(t *testing.T, args ...string) *cliProc {
	t.Helper()
	return startCLI(t, time.Minute, nil, nil, append([]string{"serve"}, args...)...)
}

// waitLog waits for a line matching pattern and returns the pattern's
// last group (or the whole match).
func (p *cliProc) waitLog(pattern string) string {
	p.t.Helper()
	m := p.waitFor(pattern)
	return m[len(m)-1]
}

// serving waits for the "serving" line and returns the base URL.
func (p *cliProc) serving() string {
	p.t.Helper()
	return p.waitLog(`msg=serving .*addr=(http://\S+)`)
}

// TestServeWatchSwapsBuilds runs `bigband-dev serve --watch` on a copy of
// the C backend, replaces the file with another build and then with a
// broken one: the new build is served, the broken one never replaces it.
func TestServeWatchSwapsBuilds(t *testing.T) {
	dir := t.TempDir()
	guest := filepath.Join(dir, "backend.wasm")
	copyFile := func(src string) {
		t.Helper()
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		// Like a build tool: write elsewhere, then rename over the old file.
		tmp := guest + ".tmp"
		if err := os.WriteFile(tmp, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, guest); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(fixture(t, "c/backend/backend.wasm"))

	p := startServe(t, "--watch", "--addr", "127.0.0.1:0", guest)
	base := p.serving()
	tag := func() string {
		resp, err := http.Get(base + "/headers")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header.Get("X-Bigband-Guest")
	}
	if got := tag(); got != "c" {
		t.Fatalf("first build tags %q", got)
	}
	copyFile(fixture(t, "c/backend/backend-v2.wasm"))
	p.waitLog(`msg=reloaded`)
	if got := tag(); got != "c-v2" {
		t.Fatalf("after reload the guest tags %q, want c-v2", got)
	}
	os.WriteFile(filepath.Join(dir, "broken.wasm"), []byte("\x00asm\x0d\x00\x01\x00\xff"), 0o644)
	copyFile(filepath.Join(dir, "broken.wasm"))
	if msg := p.waitLog(`(msg="reload failed.*)`); !strings.Contains(msg, "previous version") {
		t.Fatalf("unexpected log %q", msg)
	}
	if got := tag(); got != "c-v2" {
		t.Fatalf("a broken build replaced the good one: tag %q", got)
	}
}

// TestServeSignals: with a request that never ends in flight, one SIGINT
// shuts down after --grace (stopping the request) and exits 0; a second
// SIGINT exits at once with 130, however long the grace. Either way the
// port is free afterwards. Without these, serve waits for the request's
// 10-minute timeout and the hang guard fails.
func TestServeSignals(t *testing.T) {
	for _, c := range []struct {
		name    string
		grace   string
		signals int
		code    int
		log     string
	}{
		{"graceful", "500ms", 1, 0, "grace period over"},
		{"second signal", "10m", 2, 130, "second signal: exiting now"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := startServe(t, "--addr", "127.0.0.1:0", "--grace", c.grace, "--timeout", "10m", "--pool", "1", fixture(t, "c/backend/backend.wasm"))
			base := p.serving()
			u, _ := url.Parse(base)
			conn, err := net.Dial("tcp", u.Host)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			fmt.Fprint(conn, "GET /spin HTTP/1.1\r\nHost: x\r\n\r\n") // spins until --timeout
			time.Sleep(300 * time.Millisecond)                        // let it reach the guest (not an assertion)

			p.cmd.Process.Signal(os.Interrupt)
			p.waitLog("shutting down")
			if c.signals == 2 {
				p.cmd.Process.Signal(os.Interrupt)
			}
			if code := p.exitCode(); code != c.code {
				t.Errorf("exit %d, want %d; log:\n%s", code, c.code, strings.Join(p.out, "\n"))
			}
			if !strings.Contains(strings.Join(p.out, "\n"), c.log) {
				t.Errorf("log lacks %q:\n%s", c.log, strings.Join(p.out, "\n"))
			}
			ln, err := net.Listen("tcp", u.Host)
			if err != nil {
				t.Fatalf("port still taken after exit: %v", err)
			}
			ln.Close()
		})
	}
}

// TestServeClosesIdleConnections: keep-alive connections left idle are
// closed by the server after --idle-timeout.
func TestServeClosesIdleConnections(t *testing.T) {
	p := startServe(t, "--addr", "127.0.0.1:0", "--idle-timeout", "300ms", fixture(t, "c/backend/backend.wasm"))
	u, _ := url.Parse(p.serving())
	const n = 200
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	fail := func(format string, args ...any) {
		mu.Lock()
		failures = append(failures, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	for i := 0; i < n; i++ {
		wg.Go(func() {
			conn, err := net.Dial("tcp", u.Host)
			if err != nil {
				fail("dial: %v", err)
				return
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(60 * time.Second)) // hang guard
			fmt.Fprint(conn, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				fail("request: %v", err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.Close {
				fail("request: %d, close %v", resp.StatusCode, resp.Close)
				return
			}
			// Now idle: the server must hang up.
			if _, err := br.ReadByte(); err != io.EOF {
				fail("idle connection: read gave %v, want EOF (closed by the server)", err)
			}
		})
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d of %d connections failed; first: %s", len(failures), n, failures[0])
	}
}

// TestServeBusyPort: the port is tried before the guest is even read, so
// the error is about the address (and how to choose another), not about
// the guest that doesn't exist.
func TestServeBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	r := runCLI(t, "", "serve", "--addr", addr, "no-such-guest.wasm")
	if r.code != 1 || !strings.Contains(r.stderr, addr) || !strings.Contains(r.stderr, "in use") || !strings.Contains(r.stderr, "--addr") || strings.Contains(r.stderr, "no-such-guest") {
		t.Fatal(r)
	}
}

// TestServeFrontendGuest: a frontend guest is named as one, with the
// command to run instead.
func TestServeFrontendGuest(t *testing.T) {
	for _, g := range []string{"c/frontend/frontend.wasm", "go/frontend/frontend.component.wasm"} {
		guest := fixture(t, g)
		r := runCLI(t, "", "serve", "--addr", "127.0.0.1:0", guest)
		if r.code != 1 || !strings.Contains(r.stderr, "is a frontend plugin") || !strings.Contains(r.stderr, "bigband-dev generate --wasm "+guest+" --id ID") {
			t.Errorf("%s: %v", g, r)
		}
	}
}

// TestServeBodyLimitAnswers413: the declared length is refused before the
// guest runs, and the log says which limit.
func TestServeBodyLimitAnswers413(t *testing.T) {
	p := startServe(t, "--addr", "127.0.0.1:0", "--max-body", "1KiB", fixture(t, "c/backend/backend.wasm"))
	base := p.serving()
	resp, err := http.Post(base+"/echo", "text/plain", bytes.NewReader(make([]byte, 4096)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
	p.waitLog(`request body over --max-body 1 KiB`)
}

// TestServeUnderAPIPrefix: a router generated by `watch` targets
// http://addr/api/<id>, one generated by `generate` targets the root; a
// root-mounted `serve` answers both the same, and only for its own id.
func TestServeUnderAPIPrefix(t *testing.T) {
	for _, c := range []struct {
		args []string
		id   string
	}{
		{nil, "backend"}, // from the guest's file name
		{[]string{"--id", "wasm-echo"}, "wasm-echo"},
	} {
		args := append(append([]string{"--addr", "127.0.0.1:0", "--no-cache"}, c.args...), fixture(t, "c/backend/backend.wasm"))
		p := startServe(t, args...)
		base := p.serving()
		get := func(path string) (int, string) {
			t.Helper()
			resp, err := http.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		// /hello answers with the path-with-query the guest got.
		code, body := get("/hello?x=1")
		if code != 200 || !strings.Contains(body, `"path":"/hello?x=1"`) {
			t.Fatalf("%s: GET /hello?x=1: %d %q", c.id, code, body)
		}
		if code2, body2 := get("/api/" + c.id + "/hello?x=1"); code2 != code || body2 != body {
			t.Errorf("%s: under the prefix: %d %q, at the root: %d %q", c.id, code2, body2, code, body)
		}
		if code2, _ := get("/api/not-" + c.id + "/hello"); code2 != http.StatusNotFound {
			t.Errorf("%s: another plugin's prefix: %d, want the guest's 404", c.id, code2)
		}
	}
}
