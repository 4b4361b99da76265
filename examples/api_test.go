package examples_test

// What every example must return and serve: /work/wt/EXAMPLES-API.md,
// the same in every language, so these checks hold for all of them.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// wantRoutes is get-routes, in order.
var wantRoutes = []route{{"GET", "/items"}, {"GET", "/items/{id}"}, {"POST", "/echo"}}

type route struct {
	Method string `json:"method"`
	Path   string `json:"path"`
}

func checkRoutes(t *testing.T, wasm string) {
	t.Helper()
	var got struct {
		Ok  []route `json:"ok"`
		Err *string `json:"err"`
	}
	out := cli(t, "call", wasm, "backstage-backend-plugin#get-routes")
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("get-routes: %v\n%s", err, out)
	}
	if got.Err != nil || !slices.Equal(got.Ok, wantRoutes) {
		t.Errorf("get-routes = %s, want ok %v", strings.TrimSpace(out), wantRoutes)
	}
}

type nodeDep struct {
	Name    string  `json:"name"`
	Version *string `json:"version"`
	Dev     bool    `json:"dev"`
}

type componentFile struct {
	Path      string  `json:"path"`
	IsRoot    bool    `json:"is-root"`
	ClassName *string `json:"component-class-name"`
	Contents  string  `json:"contents"`
}

// checkFrontend: the node dependencies, a root ExamplePage that fetches
// the items from the plugin's backend, and the generated package holding
// it.
func checkFrontend(t *testing.T, lang, wasm, pkg string) {
	t.Helper()
	var deps struct {
		Ok []nodeDep `json:"ok"`
	}
	out := cli(t, "call", wasm, "backstage-frontend-plugin#get-node-deps")
	if err := json.Unmarshal([]byte(out), &deps); err != nil {
		t.Fatalf("get-node-deps: %v\n%s", err, out)
	}
	var names []string
	for _, d := range deps.Ok {
		if d.Dev {
			t.Errorf("get-node-deps: %s is a dev dependency; the examples have none", d.Name)
		}
		names = append(names, d.Name)
	}
	slices.Sort(names)
	if want := []string{"@backstage/core-components", "@backstage/core-plugin-api", "@material-ui/core"}; !slices.Equal(names, want) {
		t.Errorf("get-node-deps names = %v, want %v", names, want)
	}

	var files struct {
		Ok []componentFile `json:"ok"`
	}
	out = cli(t, "call", wasm, "backstage-frontend-plugin#get-component-files")
	if err := json.Unmarshal([]byte(out), &files); err != nil {
		t.Fatalf("get-component-files: %v\n%.2000s", err, out)
	}
	var root *componentFile
	for i, f := range files.Ok {
		if f.IsRoot {
			if root != nil {
				t.Errorf("get-component-files: two roots, %s and %s", root.Path, f.Path)
			}
			root = &files.Ok[i]
		}
	}
	if root == nil {
		t.Fatalf("get-component-files: no root among %d files", len(files.Ok))
	}
	if root.Path != "ExamplePage.tsx" || root.ClassName == nil || *root.ClassName != "ExamplePage" {
		t.Errorf("root file %s (class %v), want ExamplePage.tsx exporting ExamplePage", root.Path, root.ClassName)
	}
	// The page's parts, as EXAMPLES-API lists them.
	for _, want := range []string{"Page", "Header", "Content", "InfoCard", "Table", "Progress", "ResponseErrorPanel",
		"fetchApiRef", "discoveryApiRef", "'example-" + lang + "'", "/items", "Example ("} {
		if !anyContains(files.Ok, want) {
			t.Errorf("the component files never mention %s", want)
		}
	}
	tsx, err := os.ReadFile(filepath.Join(pkg, "src", "components", "ExamplePage.tsx"))
	if err != nil {
		t.Fatalf("generate wrote no page: %v", err)
	}
	if !bytes.Contains(tsx, []byte("ExamplePage")) {
		t.Errorf("generated ExamplePage.tsx lacks ExamplePage:\n%s", tsx)
	}
}

func anyContains(files []componentFile, s string) bool {
	for _, f := range files {
		if strings.Contains(f.Contents, s) {
			return true
		}
	}
	return false
}

// serveAndCheck runs `bigband-dev serve` on a free loopback port and
// checks every documented response over real HTTP.
func serveAndCheck(t *testing.T, wasm string) {
	t.Helper()
	begin := time.Now()
	base, stop := serve(t, wasm)
	defer stop()
	t.Logf("bigband-dev serve: answering after %v", time.Since(begin).Round(time.Millisecond))
	for _, p := range checkResponses(base) {
		t.Error(p)
	}
}

// freePort asks the kernel for a free loopback port. Another process could
// take it before serve binds it; serve then fails to start, loudly.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// serve starts bigband-dev serve and waits until it answers; stop sends
// Ctrl-C and waits for the exit.
func serve(t *testing.T, wasm string) (base string, stop func()) {
	t.Helper()
	addr := freePort(t)
	cmd := exec.Command(bigbandDev(t), "serve", "--addr", addr, wasm)
	var logs syncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop = func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			t.Errorf("serve did not stop on Ctrl-C within 30 s:\n%s", logs.String())
		}
	}
	base = "http://" + addr
	// A JS guest compiles for a few seconds first; two minutes is a hang
	// guard.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		select {
		case err := <-exited:
			t.Fatalf("serve exited before answering: %v\n%s", err, logs.String())
		default:
		}
		resp, err := http.Get(base + "/items")
		if err == nil {
			resp.Body.Close()
			return base, stop
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("serve did not answer on %s within 2 minutes: %v\n%s", addr, err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type exchange struct {
	method, path string
	contentType  string // request content-type; "" sends none
	body         []byte
	status       int
	wantType     string // response media type
	wantBody     []byte // nil: the request body (echo)
	wantAllow    bool
}

const itemsJSON = `{"items":[{"id":"1","name":"Alpha"},{"id":"2","name":"Beta"},{"id":"3","name":"Gamma"}]}`

// bigBody is larger than any one read or write and not valid UTF-8, so
// echo must stream bytes, not text.
var bigBody = sync.OnceValue(func() []byte {
	big := make([]byte, 3<<20+17)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range big {
		big[i] = byte(r.Uint32())
	}
	return big
})

func wantResponses() []exchange {
	big := bigBody()
	notAllowed := []byte(`{"error":"method not allowed"}`)
	return []exchange{
		{method: "GET", path: "/items", status: 200, wantType: "application/json", wantBody: []byte(itemsJSON)},
		{method: "GET", path: "/items?x=1", status: 200, wantType: "application/json", wantBody: []byte(itemsJSON)},
		{method: "GET", path: "/items/2", status: 200, wantType: "application/json", wantBody: []byte(`{"id":"2","name":"Beta"}`)},
		{method: "GET", path: "/items/9", status: 404, wantType: "application/json", wantBody: []byte(`{"error":"no item 9"}`)},
		{method: "GET", path: "/nothing/here", status: 404, wantType: "application/json", wantBody: []byte(`{"error":"not found"}`)},
		{method: "POST", path: "/items", status: 405, wantType: "application/json", wantBody: notAllowed, wantAllow: true},
		{method: "DELETE", path: "/items/1", status: 405, wantType: "application/json", wantBody: notAllowed, wantAllow: true},
		{method: "GET", path: "/echo", status: 405, wantType: "application/json", wantBody: notAllowed, wantAllow: true},
		{method: "POST", path: "/echo", contentType: "text/plain; charset=utf-8", body: []byte("hello, backstage\n"), status: 200, wantType: "text/plain"},
		{method: "POST", path: "/echo", body: big, status: 200, wantType: "application/octet-stream"},
		{method: "POST", path: "/echo", contentType: "application/json", body: []byte{}, status: 200, wantType: "application/json"},
	}
}

// checkResponses sends every request of wantResponses to base and returns
// what differs from the documented responses.
func checkResponses(base string) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	client := &http.Client{Timeout: time.Minute} // hang guard
	for _, x := range wantResponses() {
		name := x.method + " " + x.path
		if x.body != nil {
			name += fmt.Sprintf(" (%d bytes)", len(x.body))
		}
		req, err := http.NewRequest(x.method, base+x.path, bytes.NewReader(x.body))
		if err != nil {
			bad("%s: %v", name, err)
			continue
		}
		if x.contentType != "" {
			req.Header.Set("Content-Type", x.contentType)
		}
		resp, err := client.Do(req)
		if err != nil {
			bad("%s: %v", name, err)
			continue
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			bad("%s: reading the body: %v", name, err)
			continue
		}
		if resp.StatusCode != x.status {
			bad("%s: status %d, want %d (body %.200q)", name, resp.StatusCode, x.status, body)
		}
		if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != x.wantType {
			bad("%s: content-type %q, want %s", name, resp.Header.Get("Content-Type"), x.wantType)
		}
		want := x.wantBody
		if want == nil {
			want = x.body
		}
		if !bytes.Equal(body, want) {
			bad("%s: body (%d bytes) %.200q, want (%d bytes) %.200q", name, len(body), body, len(want), want)
		}
		if x.wantAllow && resp.Header.Get("Allow") == "" {
			bad("%s: 405 without an allow header", name)
		}
	}
	return problems
}

// syncBuffer collects a process's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
