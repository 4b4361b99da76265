package watch_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/host"
	"github.com/bigband-dev/bigband/watch"
)

// cycles collects a session's cycles for a test to wait on.
type cycles struct {
	ch  chan *watch.Cycle
	mu  sync.Mutex
	log bytes.Buffer
}

func newCycles() *cycles { return &cycles{ch: make(chan *watch.Cycle, 64)} }

func (c *cycles) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.log.Write(b)
}

func (c *cycles) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.log.String()
}

// next waits for the next cycle; a generous guard, not a timing check.
func (c *cycles) next(t *testing.T) *watch.Cycle {
	t.Helper()
	select {
	case cy := <-c.ch:
		return cy
	case <-time.After(3 * time.Minute):
		t.Fatalf("no cycle within 3 minutes; terminal so far:\n%s", c)
		return nil
	}
}

// startSession runs a session on a free loopback port until the test ends.
func startSession(t *testing.T, opts watch.Options) (*watch.Session, *cycles) {
	t.Helper()
	cs := newCycles()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	opts.Listener = ln
	opts.Addr = ln.Addr().String()
	opts.Term = cs
	opts.OnCycle = func(c *watch.Cycle) { cs.ch <- c }
	opts.Runtime.CacheDir = t.TempDir()
	opts.Debounce = 20 * time.Millisecond
	s, err := watch.NewSession(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, time.Second) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(time.Minute):
			t.Error("session did not stop within a minute of its context ending")
		}
	})
	return s, cs
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	// Write beside and rename, as a build tool would.
	tmp := to + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, to); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// A prebuilt backend is served, swapped when the file changes, and a
// broken file never replaces what serves.
func TestSessionSwapsPrebuiltBackend(t *testing.T) {
	dir := t.TempDir()
	guest := filepath.Join(dir, "echo.wasm")
	copyFile(t, filepath.Join("..", "fixtures/guests/c/backend/backend.wasm"), guest)
	s, cs := startSession(t, watch.Options{Sources: []string{guest}})
	c := cs.next(t)
	if c.Err != nil || c.Version != 1 {
		t.Fatalf("first cycle: version %d, err %v", c.Version, c.Err)
	}
	url := "http://" + s.Addr() + "/api/echo/headers"
	resp, body := get(t, url)
	if tag := resp.Header.Get("x-bigband-guest"); tag != "c" {
		t.Fatalf("guest tag %q, want c (status %d: %s)", tag, resp.StatusCode, body)
	}

	copyFile(t, filepath.Join("..", "fixtures/guests/c/backend/backend-v2.wasm"), guest)
	c = cs.next(t)
	if c.Err != nil || c.Previous != 1 || c.Version != 2 {
		t.Fatalf("after the new build: %s (err %v)", c.Summary(), c.Err)
	}
	if !strings.Contains(c.Summary(), "swapped v1 -> v2") {
		t.Errorf("summary %q", c.Summary())
	}
	resp, _ = get(t, url)
	if tag := resp.Header.Get("x-bigband-guest"); tag != "c-v2" {
		t.Fatalf("after swap: guest tag %q, want c-v2", tag)
	}
	// With one backend, the root serves it too, as `serve` does.
	if resp, _ := get(t, "http://"+s.Addr()+"/headers"); resp.Header.Get("x-bigband-guest") != "c-v2" {
		t.Errorf("root path: status %d", resp.StatusCode)
	}

	if err := os.WriteFile(guest, []byte("\x00asm\x0d\x00\x01\x00truncated"), 0o644); err != nil {
		t.Fatal(err)
	}
	c = cs.next(t)
	if c.Err == nil || c.Err.Phase != watch.PhaseLoad {
		t.Fatalf("broken guest: %s (err %v)", c.Summary(), c.Err)
	}
	resp, _ = get(t, url)
	if tag := resp.Header.Get("x-bigband-guest"); tag != "c-v2" {
		t.Fatalf("after a broken build: guest tag %q, want c-v2 still serving", tag)
	}
	if !strings.Contains(cs.String(), "error: echo:") {
		t.Errorf("the terminal does not show the error:\n%s", cs)
	}
}

// A Go frontend project is built with the Go toolchain alone; an edit is
// rebuilt and its files rewritten; a compile error is reported with the
// compiler's location and fixed again.
func TestSessionGoFrontend(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Go guest; skipped with -short")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go not on PATH")
	}
	dir := t.TempDir()
	for _, f := range []string{"go.mod", "plugin.go", "abi.go"} {
		copyFile(t, filepath.Join("..", "fixtures/guests/go/frontend", f), filepath.Join(dir, f))
	}
	_, cs := startSession(t, watch.Options{Sources: []string{dir}, ID: "hello"})
	c := cs.next(t)
	if c.Err != nil {
		t.Fatalf("first cycle: %v\n%s", c.Err, cs)
	}
	root := filepath.Join(dir, ".bigband", "plugins", "hello", "src", "components", "ExampleComponent", "ExampleComponent.tsx")
	b, err := os.ReadFile(root)
	if err != nil || !bytes.Contains(b, []byte("Hello from a WebAssembly guest.")) {
		t.Fatalf("generated root component: %v\n%s", err, b)
	}
	if c.Took(watch.PhaseBuild) == 0 {
		t.Error("no build phase timed")
	}

	src := filepath.Join(dir, "plugin.go")
	orig, _ := os.ReadFile(src)
	edited := bytes.Replace(orig, []byte("Hello from a WebAssembly guest."), []byte("Edited while watching."), 1)
	if err := os.WriteFile(src, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	c = cs.next(t)
	if c.Err != nil || c.Trigger != "plugin.go" {
		t.Fatalf("after the edit: trigger %q, err %v", c.Trigger, c.Err)
	}
	if b, _ := os.ReadFile(root); !bytes.Contains(b, []byte("Edited while watching.")) {
		t.Fatalf("generated file not rewritten:\n%s", b)
	}

	broken := append(bytes.Clone(edited), []byte("\nfunc broken() { return 1 }\n")...)
	if err := os.WriteFile(src, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	c = cs.next(t)
	if c.Err == nil || c.Err.Phase != watch.PhaseBuild {
		t.Fatalf("broken build: %v", c.Err)
	}
	if len(c.Err.Locations) == 0 || !strings.HasPrefix(c.Err.Locations[0], "plugin.go:") {
		t.Errorf("locations %v, want plugin.go:line:col first", c.Err.Locations)
	}
	if b, _ := os.ReadFile(root); !bytes.Contains(b, []byte("Edited while watching.")) {
		t.Fatal("a failed build changed the generated files")
	}

	if err := os.WriteFile(src, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	if c = cs.next(t); c.Err != nil {
		t.Fatalf("after the fix: %v", c.Err)
	}
	if b, _ := os.ReadFile(root); !bytes.Contains(b, []byte("Hello from a WebAssembly guest.")) {
		t.Fatal("fixed build not written")
	}
}

func TestSessionRefusesBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	guest := filepath.Join(dir, "echo.wasm")
	copyFile(t, filepath.Join("..", "fixtures/guests/c/backend/backend.wasm"), guest)
	_, err = watch.NewSession(watch.Options{Sources: []string{guest}, Addr: ln.Addr().String(), Runtime: host.Config{}})
	if err == nil || !strings.Contains(err.Error(), "--addr") {
		t.Fatalf("busy port: %v", err)
	}
}

// Editing bigband.toml reconfigures the plugin without a restart; a broken
// one is reported and the previous configuration kept.
func TestSessionReloadsConfig(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, filepath.Join("..", "fixtures/guests/c/backend/backend.wasm"), filepath.Join(dir, "v1.wasm"))
	copyFile(t, filepath.Join("..", "fixtures/guests/c/backend/backend-v2.wasm"), filepath.Join(dir, "v2.wasm"))
	conf := func(src string) string {
		return "id = \"echo\"\n[build]\ncommand = [\"cp\", \"" + src + "\", \"out/echo.wasm\"]\nartifact = \"out/echo.wasm\"\nwatch = [\"*.wasm\", \"!/out/\"]\n"
	}
	if err := os.MkdirAll(filepath.Join(dir, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeConf := func(s string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "bigband.toml"), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeConf(conf("v1.wasm"))
	s, cs := startSession(t, watch.Options{Sources: []string{dir}})
	if c := cs.next(t); c.Err != nil {
		t.Fatalf("first cycle: %v\n%s", c.Err, cs)
	}
	url := "http://" + s.Addr() + "/api/echo/headers"
	if resp, _ := get(t, url); resp.Header.Get("x-bigband-guest") != "c" {
		t.Fatalf("first build: guest tag %q", resp.Header.Get("x-bigband-guest"))
	}

	writeConf(conf("v2.wasm"))
	c := cs.next(t)
	if c.Err != nil || c.Trigger != "bigband.toml" || c.Version != 2 {
		t.Fatalf("after the config change: %s (err %v)", c.Summary(), c.Err)
	}
	if resp, _ := get(t, url); resp.Header.Get("x-bigband-guest") != "c-v2" {
		t.Fatalf("the new build command did not run: guest tag %q", resp.Header.Get("x-bigband-guest"))
	}

	writeConf("id = \"echo\"\n[build]\ncomand = \"make\"\n")
	c = cs.next(t)
	if c.Err == nil || c.Err.Phase != watch.PhaseConfig || !strings.Contains(c.Err.Error(), "bigband.toml:3:1") {
		t.Fatalf("a broken config: %v", c.Err)
	}
	if resp, _ := get(t, url); resp.Header.Get("x-bigband-guest") != "c-v2" {
		t.Fatal("a broken config replaced what serves")
	}
}

// prebuilt makes dir/name holding a copy of a fixture guest and a
// bigband.toml with the given lines, and returns the guest's path.
func prebuilt(t *testing.T, dir, name, fixture, toml string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	guest := filepath.Join(dir, name)
	copyFile(t, filepath.Join("..", "fixtures/guests", fixture), guest)
	if err := os.WriteFile(filepath.Join(dir, "bigband.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	return guest
}

// TestSessionFrontendBackendPair: a frontend and its backend share a
// Backstage id when bigband.toml gives each its kind; the backend takes
// /api/<id>/ and is named <id>-backend in the session. Without kinds, or a
// third plugin of the id, the session refuses with what to do; a kind the
// guest does not export fails its cycle.
func TestSessionFrontendBackendPair(t *testing.T) {
	dir := t.TempDir()
	front := prebuilt(t, filepath.Join(dir, "front"), "front.wasm", "c/frontend/frontend.wasm", "id = \"hello\"\nkind = \"frontend\"\n")
	back := prebuilt(t, filepath.Join(dir, "back"), "back.wasm", "c/backend/backend.wasm", "id = \"hello\"\nkind = \"backend\"\n")
	s, cs := startSession(t, watch.Options{Sources: []string{front, back}, Out: filepath.Join(dir, "app")})
	if got := strings.Join(s.Plugins(), ","); got != "hello,hello-backend" {
		t.Fatalf("plugins %q, want hello,hello-backend", got)
	}
	for range 2 {
		if c := cs.next(t); c.Err != nil {
			t.Fatalf("%s: %v", c.Plugin, c.Err)
		}
	}
	resp, body := get(t, "http://"+s.Addr()+"/api/hello/headers")
	if resp.Header.Get("x-bigband-guest") != "c" {
		t.Fatalf("/api/hello/ does not reach the backend: %d %s", resp.StatusCode, body)
	}
	for _, sub := range []string{"plugins/hello/package.json", "plugins/hello-backend/package.json"} {
		if _, err := os.Stat(filepath.Join(dir, "app", sub)); err != nil {
			t.Error(err)
		}
	}

	noKind := prebuilt(t, filepath.Join(dir, "nokind"), "x.wasm", "c/backend/backend.wasm", "id = \"hello\"\n")
	third := prebuilt(t, filepath.Join(dir, "third"), "y.wasm", "c/backend/backend.wasm", "id = \"hello\"\nkind = \"backend\"\n")
	for _, srcs := range [][]string{{front, noKind}, {front, back, third}, {back, third}} {
		_, err := watch.NewSession(watch.Options{Sources: srcs, Addr: "127.0.0.1:0"})
		if err == nil || !strings.Contains(err.Error(), `both plugin "hello"`) || !strings.Contains(err.Error(), `kind = "backend"`) {
			t.Errorf("%v: err %v", srcs, err)
		}
	}

	wrong := prebuilt(t, filepath.Join(dir, "wrong"), "w.wasm", "c/frontend/frontend.wasm", "kind = \"backend\"\n")
	_, cs2 := startSession(t, watch.Options{Sources: []string{wrong}, Out: filepath.Join(dir, "app2")})
	c := cs2.next(t)
	if c.Err == nil || c.Err.Phase != watch.PhaseCheck || !strings.Contains(c.Err.Error(), `exports the frontend contract, but kind = "backend"`) {
		t.Fatalf("kind mismatch: %v", c.Err)
	}
}
