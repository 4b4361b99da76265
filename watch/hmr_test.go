package watch_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/bigband-dev/bigband/hmr"
	"github.com/bigband-dev/bigband/internal/browsertest"
	"github.com/bigband-dev/bigband/watch"
)

var browser browsertest.Browser

func TestMain(m *testing.M) {
	code := m.Run()
	browser.Close()
	os.Exit(code)
}

// hmrDial connects to a session's websocket as a non-browser client.
func hmrDial(t *testing.T, s *watch.Session) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial("ws://"+s.Addr()+hmr.SocketPath+"?token="+s.HMR().Token(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func hmrNext(t *testing.T, c *websocket.Conn, skipPings bool) map[string]any {
	t.Helper()
	for {
		c.SetReadDeadline(time.Now().Add(time.Minute))
		_, b, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("reading a frame: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if m["type"] != "ping" || !skipPings {
			return m
		}
	}
}

// A session's cycles reach websocket clients: building, then update with
// the new version, and a failed load as an error kept for late clients.
func TestSessionHMRMessages(t *testing.T) {
	dir := t.TempDir()
	guest := filepath.Join(dir, "echo.wasm")
	copyFile(t, filepath.Join("..", "fixtures/guests/c/backend/backend.wasm"), guest)
	s, cs := startSession(t, watch.Options{Sources: []string{guest}})
	if c := cs.next(t); c.Err != nil {
		t.Fatal(c.Err)
	}
	ws := hmrDial(t, s)
	m := hmrNext(t, ws, true)
	if m["type"] != "connected" || !strings.Contains(strings.Join(anyStrings(m["plugins"]), ","), "echo") {
		t.Fatalf("first frame %v, want connected naming echo", m)
	}

	copyFile(t, filepath.Join("..", "fixtures/guests/c/backend/backend-v2.wasm"), guest)
	cs.next(t)
	m = hmrNext(t, ws, true)
	if m["type"] != "building" || m["plugin"] != "echo" {
		t.Fatalf("got %v, want building echo", m)
	}
	m = hmrNext(t, ws, true)
	if m["type"] != "update" || m["kind"] != "backend" || m["version"] != 2.0 || m["previous"] != 1.0 {
		t.Fatalf("got %v, want an update of backend echo to v2", m)
	}
	if routes, _ := m["routes"].([]any); len(routes) != 7 {
		t.Errorf("update routes %v, want the guest's 7", m["routes"])
	}
	var phases []string
	for _, tm := range m["timings"].([]any) {
		phases = append(phases, tm.(map[string]any)["phase"].(string))
	}
	if got := strings.Join(phases, " "); !strings.Contains(got, "load") || !strings.Contains(got, "swap") {
		t.Errorf("timings phases %q, want load ... swap", got)
	}

	if err := os.WriteFile(guest, []byte("\x00asm\x0d\x00\x01\x00truncated"), 0o644); err != nil {
		t.Fatal(err)
	}
	cs.next(t)
	hmrNext(t, ws, true) // building
	m = hmrNext(t, ws, true)
	if m["type"] != "error" || m["phase"] != "load" || m["plugin"] != "echo" || m["message"] == "" {
		t.Fatalf("got %v, want a load error", m)
	}
	// A client connecting now sees it at once.
	late := hmrDial(t, s)
	hmrNext(t, late, true)
	if m := hmrNext(t, late, true); m["type"] != "error" || m["phase"] != "load" {
		t.Fatalf("late client got %v, want the replayed load error", m)
	}

	// Pages from other origins are refused.
	req, _ := http.NewRequest("GET", "http://"+s.Addr()+hmr.SocketPath, nil)
	req.Header.Set("Origin", "http://evil.example")
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("handshake from another origin: %d, want 403", resp.StatusCode)
	}
}

func anyStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// With HMR off, nothing is served under /__bigband/.
func TestSessionNoHMR(t *testing.T) {
	dir := t.TempDir()
	guest := filepath.Join(dir, "echo.wasm")
	copyFile(t, filepath.Join("..", "fixtures/guests/c/backend/backend.wasm"), guest)
	s, cs := startSession(t, watch.Options{Sources: []string{guest}, NoHMR: true})
	cs.next(t)
	if s.HMR() != nil || s.DashboardURL() != "" {
		t.Fatal("HMR hub made with NoHMR")
	}
	resp, body := get(t, "http://"+s.Addr()+hmr.ClientPath)
	if resp.StatusCode == http.StatusOK && strings.Contains(body, "bigband") {
		t.Errorf("client served with NoHMR: %d %.80s", resp.StatusCode, body)
	}
}

// The dashboard of a real session renders the backend and calls its
// routes, and follows a swap live.
func TestDashboardBrowser(t *testing.T) {
	tab := browser.Tab(t)
	dir := t.TempDir()
	guest := filepath.Join(dir, "echo.wasm")
	copyFile(t, filepath.Join("..", "fixtures/guests/c/backend/backend.wasm"), guest)
	s, cs := startSession(t, watch.Options{Sources: []string{guest}})
	if c := cs.next(t); c.Err != nil {
		t.Fatal(c.Err)
	}
	browsertest.Navigate(t, tab, s.DashboardURL())
	card := `document.querySelector('#plugin-echo')`
	browsertest.Wait(t, tab, "echo's card", card+` && `+card+`.dataset.status === 'ok'`)
	text := browsertest.Eval[string](t, tab, card+`.textContent`)
	for _, want := range []string{"echo", "backend", "v1", "load", "swap", "routes (served at /api/echo/)", "src/router.ts  (written)"} {
		if !strings.Contains(text, want) {
			t.Errorf("card text lacks %q:\n%s", want, text)
		}
	}

	if !browsertest.Eval[bool](t, tab, card+`.querySelector('[data-route="GET /status/{code}"] input').value === '/status/{code}'`) {
		t.Error("no editable path for GET /status/{code}")
	}

	// Call GET /hello and POST /echo from their buttons.
	route := func(r string) string { return card + `.querySelector('[data-route="` + r + `"]')` }
	browsertest.Eval[bool](t, tab, route("GET /hello")+`.querySelector('button.call').click(), true`)
	browsertest.Wait(t, tab, "GET /hello's response", route("GET /hello")+`.querySelector('.resp').textContent.indexOf('"hello": "backstage"') >= 0`)
	if got := browsertest.Eval[string](t, tab, route("GET /hello")+`.querySelector('.resp').textContent`); !strings.HasPrefix(got, "200") {
		t.Errorf("GET /hello shows %q, want status 200 first", got)
	}
	browsertest.Eval[bool](t, tab, route("POST /echo")+`.querySelector('textarea').value = '{"said":"hi"}', true`)
	browsertest.Eval[bool](t, tab, route("POST /echo")+`.querySelector('button.call').click(), true`)
	browsertest.Wait(t, tab, "POST /echo's response", route("POST /echo")+`.querySelector('.resp').textContent.indexOf('"said": "hi"') >= 0`)

	// A swap shows up without reloading the dashboard.
	browsertest.Eval[bool](t, tab, `window.__marker = true`)
	copyFile(t, filepath.Join("..", "fixtures/guests/c/backend/backend-v2.wasm"), guest)
	cs.next(t)
	browsertest.Wait(t, tab, "v2 on the card", card+`.textContent.indexOf('v2') >= 0 && `+card+`.textContent.indexOf('swapped v1 → v2') >= 0`)
	// The earlier response stays on the re-rendered card.
	browsertest.Wait(t, tab, "the kept response", route("GET /hello")+`.querySelector('.resp').textContent.indexOf('backstage') >= 0`)
	if !browsertest.Eval[bool](t, tab, `window.__marker === true`) {
		t.Error("the dashboard reloaded")
	}

	// A failed cycle shows its phase and message.
	if err := os.WriteFile(guest, []byte("\x00asm\x0d\x00\x01\x00truncated"), 0o644); err != nil {
		t.Fatal(err)
	}
	cs.next(t)
	browsertest.Wait(t, tab, "the error on the card", card+`.dataset.status === 'error' && `+card+`.textContent.indexOf('last cycle failed in load') >= 0`)

	if ex := tab.Exceptions(); len(ex) > 0 {
		t.Errorf("the dashboard threw:\n%s", strings.Join(ex, "\n"))
	}
	for _, l := range tab.Console() {
		if strings.HasPrefix(l, "error") || strings.HasPrefix(l, "warning") {
			t.Errorf("dashboard console: %s", l)
		}
	}
}

// A failing build reaches the browser with the compiler's file:line and
// output; the fix clears it with an update carrying the build's output.
func TestSessionHMRBuildError(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, filepath.Join("..", "fixtures/guests/c/backend/backend.wasm"), filepath.Join(dir, "good.wasm"))
	writeToml := func(cmd string) {
		t.Helper()
		toml := "id = \"broken\"\n[build]\ncommand = " + strconvQuote(cmd) + "\nartifact = \"out.wasm\"\nwatch = [\"*.wasm\"]\n"
		if err := os.WriteFile(filepath.Join(dir, "bigband.toml"), []byte(toml), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeToml(`echo "src/main.c:3:5: error: expected ';' after expression" >&2; exit 1`)
	s, cs := startSession(t, watch.Options{Sources: []string{dir}})
	if c := cs.next(t); c.Err == nil || c.Err.Phase != watch.PhaseBuild {
		t.Fatalf("first cycle: %v, want a build failure", c.Err)
	}
	ws := hmrDial(t, s)
	hmrNext(t, ws, true) // connected
	m := hmrNext(t, ws, true)
	if m["type"] != "error" || m["phase"] != "build" {
		t.Fatalf("replayed %v, want the build error", m)
	}
	loc, _ := m["loc"].(map[string]any)
	if loc == nil || !strings.HasSuffix(loc["file"].(string), "main.c") || loc["line"] != 3.0 || loc["column"] != 5.0 {
		t.Errorf("error loc %v, want main.c:3:5", m["loc"])
	}
	if out, _ := m["output"].(string); !strings.Contains(out, "expected ';' after expression") {
		t.Errorf("error output %q lacks the compiler's message", out)
	}

	writeToml(`echo compiled fine; cp good.wasm out.wasm`)
	for {
		c := cs.next(t)
		if c.Err == nil {
			break
		}
	}
	for {
		m = hmrNext(t, ws, true)
		if m["type"] == "update" {
			break
		}
	}
	if m["plugin"] != "broken" || m["kind"] != "backend" || m["version"] != 1.0 {
		t.Errorf("update %v, want backend broken v1", m)
	}
	if out, _ := m["output"].(string); !strings.Contains(out, "compiled fine") {
		t.Errorf("update output %q lacks the build's output", out)
	}
	st := s.HMR().State()
	if len(st.Plugins) != 1 || st.Plugins[0].Status != hmr.StatusOK || st.Plugins[0].Error != nil {
		t.Errorf("state after the fix: %+v", st.Plugins)
	}
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

// The browser client on a page from the app's origin follows a real
// session: a broken guest shows the overlay, the fixed one removes it and
// reloads the page that shows the plugin.
func TestClientFollowsSession(t *testing.T) {
	tab := browser.Tab(t)
	sessionURL := make(chan string, 1)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := <-sessionURL
		sessionURL <- u
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!doctype html><title>app</title><h1>echo page</h1>
<script>window.__loads = (Number(sessionStorage.getItem('loads')) || 0) + 1; sessionStorage.setItem('loads', String(window.__loads));</script>
<script src="%s/__bigband/client.js"></script>`, u)
	}))
	t.Cleanup(app.Close)

	dir := t.TempDir()
	guest := filepath.Join(dir, "echo.wasm")
	copyFile(t, filepath.Join("..", "fixtures/guests/c/backend/backend.wasm"), guest)
	s, cs := startSession(t, watch.Options{Sources: []string{guest}, HMROrigins: []string{app.URL}})
	if c := cs.next(t); c.Err != nil {
		t.Fatal(c.Err)
	}
	sessionURL <- "http://" + s.Addr()
	// The page's path names the plugin: it shows it.
	browsertest.Navigate(t, tab, app.URL+"/echo")
	browsertest.Wait(t, tab, "the client connected", `window.__bigbandHMRClient && window.__bigbandHMRClient.connected`)

	if err := os.WriteFile(guest, []byte("\x00asm\x0d\x00\x01\x00truncated"), 0o644); err != nil {
		t.Fatal(err)
	}
	cs.next(t)
	overlay := `(function () { var o = document.querySelector('bigband-error-overlay'); return o ? o.shadowRoot.textContent : ''; })()`
	browsertest.Wait(t, tab, "the overlay", overlay+`.indexOf('echo: load failed') >= 0`)
	if n := browsertest.Eval[int](t, tab, `window.__loads`); n != 1 {
		t.Fatalf("a failed cycle reloaded the page (load %d)", n)
	}

	copyFile(t, filepath.Join("..", "fixtures/guests/c/backend/backend-v2.wasm"), guest)
	if c := cs.next(t); c.Err != nil {
		t.Fatal(c.Err)
	}
	browsertest.Wait(t, tab, "the reload after the fix", `window.__loads === 2 && window.__bigbandHMRClient && window.__bigbandHMRClient.connected`)
	browsertest.Wait(t, tab, "the connected message", `window.__bigbandHMRClient.events.indexOf('connected') >= 0`)
	if o := browsertest.Eval[string](t, tab, overlay); o != "" {
		t.Errorf("overlay still shown after the fix: %s", o)
	}
	if ex := tab.Exceptions(); len(ex) > 0 {
		t.Errorf("the page threw:\n%s", strings.Join(ex, "\n"))
	}
}
