// Package libtest_test tests the C (guest/c) and Rust (guest/rust) guest
// libraries against the host: the same feature guests in both languages
// (testdata/features.*, testdata/front.*), built with the real toolchains,
// served by host.Backend over HTTP and read through the contract.
package libtest_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/contract"
	"github.com/bigband-dev/bigband/host"
	"github.com/bigband-dev/bigband/internal/tooltest"
)

const (
	root        = "../.."
	cInstall    = "apt install clang lld wasi-libc libclang-rt-14-dev-wasm32"
	rustInstall = "apt install --no-install-recommends rustc libstd-rust-dev-wasm32"
	nodeInstall = "apt install nodejs npm; then npm ci in tools/js"
)

// lang builds one test guest of a language into a core module.
type lang struct {
	name string
	ext  string
	// need skips (or fails) the test when the toolchain is missing.
	need func(t *testing.T)
	// build compiles src to out; variant is "" or "fail" (front only).
	build func(t *testing.T, src, out, variant string)
}

var langs = []lang{
	{"c", ".c", needC, buildC},
	{"rust", ".rs", needRust, buildRust},
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute) // hang guard
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func needC(t *testing.T) {
	tooltest.Look(t, "clang", cInstall)
	tooltest.File(t, "/usr/lib/wasm32-wasi/libc.a", "wasi-libc", cInstall)
}

func buildC(t *testing.T, src, out, variant string) {
	args := []string{"--target=wasm32-wasi", "-mexec-model=reactor", "-O2", "-Wall", "-Wextra", "-Werror",
		"-I", filepath.Join(root, "guest/c"), "-o", out}
	if variant == "fail" {
		args = append(args, "-DFAIL")
	}
	run(t, "clang", append(args, src, filepath.Join(root, "guest/c/bigband.c"))...)
}

// Debian's rustc: rustup's usually has no wasm targets.
func needRust(t *testing.T) {
	tooltest.File(t, "/usr/bin/rustc", "Debian's rustc", rustInstall)
	tooltest.File(t, "/usr/lib/rustlib/wasm32-wasi/lib", "the wasm32-wasi standard library", rustInstall)
}

func buildRust(t *testing.T, src, out, variant string) {
	args := []string{"--edition", "2021", "--crate-type", "cdylib", "--target", "wasm32-wasi",
		"-C", "opt-level=s", "-C", "strip=symbols", "-o", out}
	if variant == "fail" {
		args = append(args, "--cfg", "fail")
	}
	run(t, "/usr/bin/rustc", append(args, src)...)
}

// component makes a core backend module a component the way the examples'
// Makefiles do: the backend-c world embedded, the preview1 reactor adapter.
func component(t *testing.T, core, out string) {
	tooltest.Look(t, "node", nodeInstall)
	tooltest.File(t, filepath.Join(root, "tools/js/node_modules/@bytecodealliance/jco"), "jco", "cd tools/js && npm ci")
	run(t, "node", filepath.Join(root, "tools/js/wasm-tools.mjs"), "new",
		"--wit", filepath.Join(root, "guest/wit/http/0.2.0"), "--world", "backend-c", "--adapter", "reactor", core, out)
}

// builds shares built modules between subtests: each (source, variant)
// is compiled once per run.
var builds struct {
	sync.Mutex
	m map[string]*built
}

type built struct {
	once sync.Once
	path string
	ok   bool
}

// buildOnce builds src with l into a directory kept for the run.
func buildOnce(t *testing.T, l lang, src, variant string) string {
	l.need(t)
	builds.Lock()
	if builds.m == nil {
		builds.m = map[string]*built{}
	}
	key := src + "\x00" + variant
	b := builds.m[key]
	if b == nil {
		b = &built{path: filepath.Join(work, fmt.Sprintf("%d.wasm", len(builds.m)))}
		builds.m[key] = b
	}
	builds.Unlock()
	b.once.Do(func() {
		l.build(t, src, b.path, variant)
		b.ok = true
	})
	if !b.ok {
		t.Fatalf("building %s failed in another test", src)
	}
	return b.path
}

// work holds the run's builds.
var work string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bigband-libtest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	work = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func newRuntime(t *testing.T) *host.Runtime {
	ctx := context.Background()
	rt, err := host.NewRuntime(ctx, host.Config{}) // no disk cache
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close(ctx) })
	return rt
}

func load(t *testing.T, rt *host.Runtime, path string) *host.Program {
	wasm, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := contract.LoadGuest(context.Background(), rt, wasm, filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prog.Close(context.Background()) })
	return prog
}

// call calls an export on a fresh instance and renders the result as
// `bigband-dev call` prints it.
func call(t *testing.T, prog *host.Program, name string) string {
	t.Helper()
	exp, err := prog.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	out, err := prog.CallJSON(context.Background(), exp)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return string(out)
}

func TestFrontend(t *testing.T) {
	const (
		deps  = `{"ok":[{"name":"@backstage/core-components","version":"^0.18.0","dev":false},{"name":"@types/react","version":null,"dev":true}]}`
		files = `{"ok":[{"path":"Page.tsx","is-root":true,"component-class-name":"Page","contents":"export const Page = () =\u003e \u003cp\u003eGrüße 🚀\u003c/p\u003e;\n"},` +
			`{"path":"index.ts","is-root":false,"component-class-name":null,"contents":"export { Page } from './Page';\n"}]}`
		failed = `{"err":"no files today"}`
	)
	for _, l := range langs {
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			src := filepath.Join("testdata", "front"+l.ext)
			ok, fail := buildOnce(t, l, src, ""), buildOnce(t, l, src, "fail")
			rt := newRuntime(t)
			prog := load(t, rt, ok)
			if k, err := contract.KindOf(prog); err != nil || k != contract.Frontend {
				t.Fatalf("kind %v, %v; want frontend", k, err)
			}
			// Twice each: the second call shows post-return freed the
			// first's memory without breaking the instance's state.
			for i := 0; i < 2; i++ {
				if got := call(t, prog, "backstage-frontend-plugin#get-node-deps"); got != deps {
					t.Errorf("get-node-deps:\n got %s\nwant %s", got, deps)
				}
				if got := call(t, prog, "backstage-frontend-plugin#get-component-files"); got != files {
					t.Errorf("get-component-files:\n got %s\nwant %s", got, files)
				}
			}
			m, err := contract.ReadManifest(context.Background(), prog, contract.Frontend)
			if err != nil {
				t.Fatal(err)
			}
			if r := m.Root(); r == nil || r.ComponentClassName != "Page" || len(m.Deps) != 2 {
				t.Errorf("manifest: root %+v, %d deps", r, len(m.Deps))
			}
			if got := call(t, load(t, rt, fail), "backstage-frontend-plugin#get-component-files"); got != failed {
				t.Errorf("failing get-component-files: got %s, want %s", got, failed)
			}
		})
	}
}

// serve builds testdata/features in l and serves it: made a component, or
// as the core module itself when asComponent is false.
func serve(t *testing.T, l lang, asComponent bool) (*httptest.Server, *host.Program) {
	core := buildOnce(t, l, filepath.Join("testdata", "features"+l.ext), "")
	comp := filepath.Join(t.TempDir(), "features.wasm")
	rt := newRuntime(t)
	var prog *host.Program
	if asComponent {
		component(t, core, comp)
		prog = load(t, rt, comp)
	} else {
		wasm, err := os.ReadFile(core)
		if err != nil {
			t.Fatal(err)
		}
		prog, err = contract.LoadGuest(context.Background(), rt, wasm, "core.wasm")
		if err != nil && strings.Contains(err.Error(), "a core module can't use it") {
			t.Skip("this host serves wasi:http to components only")
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { prog.Close(context.Background()) })
	}
	b, err := rt.NewBackend(context.Background(), prog, host.BackendConfig{PoolSize: 2, RequestTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(b)
	t.Cleanup(func() {
		srv.Close()
		b.Close()
	})
	return srv, prog
}

type exchange struct {
	method, path string
	header       http.Header
	status       int
	body         string
	respHeader   map[string][]string // each must match exactly
	trailer      map[string]string
}

func TestBackend(t *testing.T) {
	exchanges := []exchange{
		{method: "GET", path: "/info?a=1&b=2", header: http.Header{"X-One": {"one"}, "X-Multi": {"1", "2"}},
			status: 200, body: "GET /info a=1&b=2 one 2", respHeader: map[string][]string{"Content-Type": {"text/plain"}}},
		{method: "PURGE", path: "/info", status: 200, body: "PURGE /info  - 0"},
		{method: "DELETE", path: "/info?", status: 200, body: "DELETE /info  - 0"},
		{method: "GET", path: "/status/201", status: 201, body: "s"},
		{method: "GET", path: "/status/418", status: 418, body: "s"},
		{method: "GET", path: "/status/503", status: 503, body: "s"},
		{method: "GET", path: "/trailers", status: 200, body: "ok", trailer: map[string]string{"X-Checksum": "abc", "X-Two": "2"}},
		{method: "GET", path: "/headers-out", status: 200, body: "", respHeader: map[string][]string{"X-A": {"1"}, "X-B": {"1", "2"}}},
		{method: "GET", path: "/late-header", status: 200, body: "a-1", respHeader: map[string][]string{"X-Late": nil}},
		{method: "GET", path: "/match/x/y", status: 200, body: "a=x b=y"},
		{method: "GET", path: "/match/x", status: 404, body: "not found"},
		{method: "GET", path: "/match/x/y/z", status: 404, body: "not found"},
		{method: "GET", path: "/match//y", status: 404, body: "not found"},
		{method: "GET", path: "/nope", status: 404, body: "not found"},
	}
	for _, l := range langs {
		for _, asComponent := range []bool{true, false} {
			name := l.name + "/component"
			if !asComponent {
				name = l.name + "/core"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				exercise(t, l, asComponent, exchanges)
			})
		}
	}
}

func exercise(t *testing.T, l lang, asComponent bool, exchanges []exchange) {
	srv, prog := serve(t, l, asComponent)
	routes := call(t, prog, "backstage-backend-plugin#get-routes")
	if !strings.HasPrefix(routes, `{"ok":[{"method":"GET","path":"/info"},{"method":"POST","path":"/echo"}`) ||
		strings.Count(routes, `"method"`) != 10 || !strings.Contains(routes, `{"method":"GET","path":"/match/{a}/{b}"},{"method":"POST","path":"/req-trailers"}]}`) {
		t.Errorf("get-routes: %s", routes)
	}
	for _, x := range exchanges {
		req, _ := http.NewRequest(x.method, srv.URL+x.path, nil)
		for k, vs := range x.header {
			req.Header[k] = vs
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", x.method, x.path, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != x.status || string(body) != x.body {
			t.Errorf("%s %s: %d %q (%v); want %d %q", x.method, x.path, resp.StatusCode, body, err, x.status, x.body)
		}
		for k, want := range x.respHeader {
			if got := resp.Header.Values(k); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s %s: header %s = %q, want %q", x.method, x.path, k, got, want)
			}
		}
		for k, want := range x.trailer {
			if got := resp.Trailer.Get(k); got != want {
				t.Errorf("%s %s: trailer %s = %q, want %q (trailers %v)", x.method, x.path, k, got, want, resp.Trailer)
			}
		}
	}
	t.Run("10MiB", func(t *testing.T) { bigBodies(t, srv.URL) })
	t.Run("request trailers", func(t *testing.T) { requestTrailers(t, srv.URL) })
}

// bigBodies streams 10 MiB each way: echoed, generated by the guest, and
// counted by it.
func bigBodies(t *testing.T, base string) {
	const size = 10 << 20
	data := make([]byte, size)
	var sum uint32
	for i := range data {
		data[i] = byte(i*7 + i>>11)
		sum += uint32(data[i])
	}

	req, _ := http.NewRequest("POST", base+"/echo", io.NopCloser(bytes.NewReader(data))) // chunked: no length
	req.Header.Set("Content-Type", "application/x-test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !bytes.Equal(got, data) || resp.Header.Get("Content-Type") != "application/x-test" {
		t.Errorf("echo: %d bytes back (err %v, equal %v), content-type %q", len(got), err, bytes.Equal(got, data), resp.Header.Get("Content-Type"))
	}

	resp, err = http.Get(base + fmt.Sprintf("/gen?n=%d", size))
	if err != nil {
		t.Fatal(err)
	}
	got, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	want := make([]byte, size)
	for i := range want {
		want[i] = byte(i % 251)
	}
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("gen: %d bytes (err %v), digest %x, want %x", len(got), err, sha256.Sum256(got), sha256.Sum256(want))
	}

	resp, err = http.Post(base+"/count", "application/octet-stream", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if w := fmt.Sprintf("%d %d", size, sum); string(got) != w {
		t.Errorf("count: %q, want %q", got, w)
	}
}

// requestTrailers sends chunked bodies with and without trailers; the
// guest reads all, or none, of the body and then takes the trailers.
func requestTrailers(t *testing.T, base string) {
	big := strings.Repeat("b", 100<<10)
	for _, c := range []struct {
		name, query, body string
		trailer           http.Header
		want              string
	}{
		{"read all", "", "hello", http.Header{"X-T": {"abc"}}, "5 1 abc"},
		{"none sent", "", "hi", nil, "2 0 -"},
		{"body unread", "?read=0", big, http.Header{"X-T": {"late"}}, "0 1 late"},
		{"two", "", big, http.Header{"X-T": {"1"}, "X-U": {"2"}}, fmt.Sprintf("%d 2 1", len(big))},
	} {
		// NopCloser hides the length: the body goes chunked, trailers after it.
		req, _ := http.NewRequest("POST", base+"/req-trailers"+c.query, io.NopCloser(strings.NewReader(c.body)))
		req.Trailer = c.trailer
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(got) != c.want {
			t.Errorf("%s: %d %q, want 200 %q", c.name, resp.StatusCode, got, c.want)
		}
	}
}
