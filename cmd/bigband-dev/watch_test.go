package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/internal/tooltest"
)

// startWatch runs `bigband-dev watch args` with env added and stdin as
// its input (nil: none), and kills it when the test ends.
func startWatch(t *testing.T, env []string, stdin io.Reader, args ...string) *cliProc {
	t.Helper()
	return startCLI(t, 3*time.Minute, env, stdin, append([]string{"watch"}, args...)...)
}

// haveCBackendTools reports whether the C backend can be built here
// (clang with wasi-libc, and tools/js for the component step).
func haveCBackendTools(t *testing.T) bool {
	t.Helper()
	var missing []string
	if _, err := exec.LookPath("clang"); err != nil {
		missing = append(missing, "clang")
	}
	if _, err := os.Stat("/usr/lib/wasm32-wasi/libc.a"); err != nil {
		missing = append(missing, "wasi-libc")
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node")
	}
	if _, err := os.Stat("../../tools/js/node_modules"); err != nil {
		missing = append(missing, "tools/js/node_modules (npm ci in tools/js)")
	}
	if len(missing) == 0 {
		return true
	}
	tooltest.Missing(t, strings.Join(missing, ", "), "the C backend build needs them")
	return false
}

func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s has no %q", path, old)
	}
	writeFile(t, "", path, strings.Replace(string(b), old, new, 1))
}

func guestTag(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.Header.Get("x-bigband-guest")
}

// TestWatchGoFrontendAndCBackend runs `bigband-dev watch` on copies of the
// Go frontend and the C backend: edits reach the generated files and the
// served responses, a broken build keeps the old version serving and is
// reported with the compiler's location, a fix recovers, and Ctrl-C stops
// the builds in flight and frees the port.
func TestWatchGoFrontendAndCBackend(t *testing.T) {
	if testing.Short() {
		t.Skip("builds guests; skipped with -short")
	}
	haveCBackendTools(t)
	root, _ := filepath.Abs("../..")
	dir := t.TempDir()
	front, back, slow := filepath.Join(dir, "front"), filepath.Join(dir, "echo"), filepath.Join(dir, "slow")
	for _, f := range []string{"go.mod", "plugin.go", "abi.go"} {
		b, _ := os.ReadFile(filepath.Join(root, "fixtures/guests/go/frontend", f))
		writeFile(t, "", filepath.Join(front, f), string(b))
	}
	for _, f := range []string{"fixtures/guests/c/backend/backend.c", "guest/c/bigband.h", "guest/c/bigband.c"} {
		b, _ := os.ReadFile(filepath.Join(root, f))
		writeFile(t, "", filepath.Join(back, filepath.Base(f)), string(b))
	}
	tools, wit := filepath.Join(root, "tools/js/wasm-tools.mjs"), filepath.Join(root, "guest/wit/http/0.2.0")
	writeFile(t, "", filepath.Join(back, "bigband.toml"), fmt.Sprintf(`id = "echo"
[build]
command = ["sh", "-c", "mkdir -p out && clang --target=wasm32-wasi -mexec-model=reactor -O2 -o out/core.wasm backend.c bigband.c && node %s embed --wit %s --world backend-c out/core.wasm out/typed.wasm && node %s new --adapter none out/typed.wasm out/echo.wasm"]
artifact = "out/echo.wasm"
ignore = ["out/"]
`, tools, wit, tools))
	// A build that never ends: Ctrl-C must kill it.
	writeFile(t, "", filepath.Join(slow, "bigband.toml"), `[build]
command = ["sh", "-c", "sleep 600 & wait"]
artifact = "never.wasm"
`)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	gocache, _ := exec.Command("go", "env", "GOCACHE").Output()
	p := startWatch(t, []string{"GOCACHE=" + strings.TrimSpace(string(gocache))}, nil, "--addr", addr, "--debounce", "30ms", front, back, slow)

	// Both first cycles, in whichever order.
	p.waitFor(`^  frontend plugin front: package in `)
	p.seen = 0
	p.waitFor(`^  echo: serving at http://`)
	url := "http://" + addr + "/api/echo/headers"
	if tag := guestTag(t, url); tag != "c" {
		t.Fatalf("first build: x-bigband-guest %q, want c", tag)
	}
	rootTSX := filepath.Join(front, ".bigband/plugins/front/src/components/ExampleComponent/ExampleComponent.tsx")
	if b, err := os.ReadFile(rootTSX); err != nil || !bytes.Contains(b, []byte("Hello from a WebAssembly guest.")) {
		t.Fatalf("generated frontend: %v", err)
	}

	editFile(t, filepath.Join(back, "backend.c"), `#define GUEST_TAG "c"`, `#define GUEST_TAG "c-edited"`)
	p.waitFor(`^echo \(backend\.c\):.*swapped v1 -> v2`)
	if tag := guestTag(t, url); tag != "c-edited" {
		t.Fatalf("after the edit: x-bigband-guest %q, want c-edited", tag)
	}

	editFile(t, filepath.Join(front, "plugin.go"), "Hello from a WebAssembly guest.", "Edited under watch.")
	p.waitFor(`^front \(plugin\.go\):.* 1 files written`)
	if b, _ := os.ReadFile(rootTSX); !bytes.Contains(b, []byte("Edited under watch.")) {
		t.Fatal("the frontend edit did not reach the generated file")
	}

	editFile(t, filepath.Join(back, "backend.c"), `#define GUEST_TAG "c-edited"`, `#define GUEST_TAG "c-edited" oops`)
	p.waitFor(`^error: echo: build: .*`)
	loc := p.waitFor(`backend\.c:(\d+):(\d+): error`)
	if n, _ := strconv.Atoi(loc[1]); n < 1 {
		t.Errorf("error location %v", loc)
	}
	p.waitFor(`^echo \(backend\.c\):.*FAILED in build`)
	if tag := guestTag(t, url); tag != "c-edited" {
		t.Fatalf("after a broken build: x-bigband-guest %q, want c-edited still serving", tag)
	}
	editFile(t, filepath.Join(back, "backend.c"), `#define GUEST_TAG "c-edited" oops`, `#define GUEST_TAG "c-fixed"`)
	p.waitFor(`^echo \(backend\.c\):.*swapped v2 -> v3`)
	if tag := guestTag(t, url); tag != "c-fixed" {
		t.Fatalf("after the fix: x-bigband-guest %q, want c-fixed", tag)
	}

	// The slow build is running now: note the build's processes.
	builds := descendants(p.cmd.Process.Pid)
	if len(builds) == 0 {
		t.Fatal("no build process running under watch (the slow build should be)")
	}
	p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.done:
	case <-time.After(time.Minute):
		t.Fatal("watch still running a minute after Ctrl-C")
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit code %d after one Ctrl-C, want 0", code)
	}
	for _, pid := range builds {
		if alive(pid) {
			t.Errorf("build process %d still alive after watch exited", pid)
		}
	}
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("port not freed: %v", err)
	}
	ln.Close()
}

// descendants lists the processes below pid (from /proc).
func descendants(pid int) []int {
	parent := map[int]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so cut at ')'.
		rest := string(b[bytes.LastIndexByte(b, ')')+1:])
		f := strings.Fields(rest)
		if len(f) > 1 {
			parent[n], _ = strconv.Atoi(f[1])
		}
	}
	var out []int
	for n := range parent {
		for q := parent[n]; q > 1; q = parent[q] {
			if q == pid {
				out = append(out, n)
				break
			}
		}
	}
	return out
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	rest := string(b[bytes.LastIndexByte(b, ')')+1:])
	f := strings.Fields(rest)
	return len(f) > 0 && f[0] != "Z"
}

// The keys: r rebuilds now, q quits cleanly.
func TestWatchKeys(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile("../../fixtures/guests/c/backend/backend.wasm")
	if err != nil {
		t.Fatal(err)
	}
	guest := writeFile(t, dir, "echo.wasm", string(b))
	keyr, keys := io.Pipe()
	defer keys.Close()
	p := startWatch(t, nil, keyr, "--addr", "127.0.0.1:0", guest)

	dash := p.waitFor(`^dashboard: (http://\S+/__bigband/) \(pages load http://\S+/__bigband/client.js; token for non-browser clients: [0-9a-f]{32}\)`)[1]
	p.waitFor(`^echo \(start\):.*serving v1`)
	if _, body := getBody(t, dash+"state"); !strings.Contains(body, `"id":"echo"`) {
		t.Errorf("dashboard state: %s", body)
	}
	keys.Write([]byte("r"))
	p.waitFor(`^echo \(r\):.*swapped v1 -> v2`)
	keys.Write([]byte("q"))
	keys.Close() // Wait waits for the stdin copy to end
	select {
	case <-p.done:
	case <-time.After(time.Minute):
		t.Fatal("watch still running a minute after q")
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit code %d after q, want 0", code)
	}
}

func getBody(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestReadmeFirstCommand runs the README's first command as written (plus
// a free address and an output directory outside the source tree): the Go
// example pair builds with the Go toolchain alone, the frontend's package is
// written and the backend serves its items.
func TestReadmeFirstCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the Go examples; skipped with -short")
	}
	root, _ := filepath.Abs("../..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "```sh\n")
	first, _, _ := strings.Cut(block, "\n")
	args, isRun := strings.CutPrefix(first, "go run ./cmd/bigband-dev watch ")
	if !ok || !isRun {
		t.Fatalf("the README's first command is %q, not `go run ./cmd/bigband-dev watch ...`", first)
	}
	var srcs []string
	for _, a := range strings.Fields(args) {
		srcs = append(srcs, filepath.Join(root, a))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	out := t.TempDir()
	gocache, _ := exec.Command("go", "env", "GOCACHE").Output()
	p := startWatch(t, []string{"GOCACHE=" + strings.TrimSpace(string(gocache))}, nil, append([]string{"--addr", addr, "--out", out}, srcs...)...)
	m := p.waitFor(`^  frontend plugin (\S+): package in (\S+)`)
	if _, err := os.Stat(filepath.Join(m[2], "package.json")); err != nil {
		t.Errorf("the frontend package: %v", err)
	}
	p.seen = 0
	m = p.waitFor(`^  \S+: serving at (http://\S+)`)
	code, body := getBody(t, m[1]+"items")
	if code != 200 || !strings.Contains(body, `"name":"Alpha"`) {
		t.Fatalf("GET %sitems: %d %s", m[1], code, body)
	}
}
