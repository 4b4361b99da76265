package hmr

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/internal/browsertest"
)

var browser browsertest.Browser

func TestMain(m *testing.M) {
	code := m.Run()
	browser.Close()
	os.Exit(code)
}

// appPage is a stand-in for a Backstage page on another origin than the
// session: it loads the client, counts its loads across reloads, uses the
// backend "c" when asked (?use=c), and handles backend "self" updates by
// itself.
const appPage = `<!doctype html>
<html><head><title>app</title></head><body><h1>app</h1>
<script>
window.__loads = (Number(sessionStorage.getItem('loads')) || 0) + 1;
sessionStorage.setItem('loads', String(window.__loads));
window.addEventListener('bigband:backend-update', function (e) {
  if (e.detail.plugin === 'self') { window.__handled = e.detail.version; e.preventDefault(); }
});
</script>
<script src="%s/__bigband/client.js"></script>
<script>
if (location.search.indexOf('use=c') >= 0) fetch('/api/c/items').then(function (r) { return r.json(); }).then(function (j) { window.__items = j; });
</script>
</body></html>`

type browserEnv struct {
	hub  *Hub
	srv  *httptest.Server
	addr string // the session's address, kept across restarts
	app  string // the page's origin
	tab  *browsertest.Tab
}

// newBrowserEnv serves a hub (the session) and an app page on another
// origin that loads the client, and opens a tab on the page.
func newBrowserEnv(t *testing.T, query string) *browserEnv {
	t.Helper()
	tab := browser.Tab(t)
	e := &browserEnv{tab: tab}
	hubURL := make(chan string, 1)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/c/items" {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `[{"id":"1"}]`)
			return
		}
		u := <-hubURL
		hubURL <- u
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, appPage, u)
	}))
	t.Cleanup(app.Close)
	e.app = app.URL
	e.hub = NewHub(Config{Origins: []string{app.URL}})
	e.srv = httptest.NewServer(e.hub.Handler())
	e.addr = e.srv.Listener.Addr().String()
	hubURL <- e.srv.URL
	t.Cleanup(func() {
		e.hub.Close()
		e.srv.Close()
	})
	browsertest.Navigate(t, tab, app.URL+"/"+query)
	e.waitConnected(t, 1)
	t.Cleanup(func() {
		if ex := tab.Exceptions(); len(ex) > 0 {
			t.Errorf("the page threw:\n%s", strings.Join(ex, "\n"))
		}
	})
	return e
}

// waitConnected waits until the page's load number n has the client
// connected.
func (e *browserEnv) waitConnected(t *testing.T, n int) {
	t.Helper()
	browsertest.Wait(t, e.tab, fmt.Sprintf("load %d connected", n),
		fmt.Sprintf(`window.__loads === %d && window.__bigbandHMRClient && window.__bigbandHMRClient.connected`, n))
	// The hub has registered it once the client saw "connected".
	browsertest.Wait(t, e.tab, "connected message", `window.__bigbandHMRClient.events.indexOf('connected') >= 0`)
}

func (e *browserEnv) events(t *testing.T) string {
	return browsertest.Eval[string](t, e.tab, `window.__bigbandHMRClient.events.join('|')`)
}

const overlayText = `(function () { var o = document.querySelector('bigband-error-overlay'); return o ? o.shadowRoot.textContent : ''; })()`

func TestBrowserOverlay(t *testing.T) {
	e := newBrowserEnv(t, "")
	tab := e.tab
	browsertest.Eval[bool](t, tab, `window.__marker = true`)
	e.hub.Error(Error{Plugin: "c", Phase: "build", Message: "exit status 1 <b>bold</b>",
		Output: "src/main.c:3:1: error: expected ';' after expression",
		Locs:   []Loc{{File: "src/main.c", Line: 3, Column: 1}}})
	browsertest.Wait(t, tab, "the overlay", `document.querySelector('bigband-error-overlay') !== null`)
	text := browsertest.Eval[string](t, tab, overlayText)
	for _, want := range []string{"c: build failed: exit status 1 <b>bold</b>", "src/main.c:3:1", "expected ';' after expression"} {
		if !strings.Contains(text, want) {
			t.Errorf("overlay text %q lacks %q", text, want)
		}
	}
	if browsertest.Eval[bool](t, tab, `document.querySelector('bigband-error-overlay').shadowRoot.querySelector('b') !== null`) {
		t.Error("the overlay rendered the message as HTML")
	}
	// An update of another plugin leaves it; c's frontend update clears it
	// without reloading the page.
	e.hub.Update(Update{Plugin: "other", Kind: KindFrontend})
	browsertest.Wait(t, tab, "other's update", `window.__bigbandHMRClient.events.indexOf('update other') >= 0`)
	if browsertest.Eval[string](t, tab, overlayText) == "" {
		t.Fatal("another plugin's update removed c's overlay")
	}
	e.hub.Update(Update{Plugin: "c", Kind: KindFrontend, Files: []string{"plugins/c/src/components/Root.tsx"}})
	browsertest.Wait(t, tab, "the overlay to go", `document.querySelector('bigband-error-overlay') === null`)
	if !browsertest.Eval[bool](t, tab, `window.__marker === true && window.__loads === 1`) {
		t.Error("a frontend update reloaded the page")
	}
	if ev := e.events(t); strings.Contains(ev, "reload") {
		t.Errorf("client events %s: want no reload for a frontend update", ev)
	}
}

func TestBrowserOverlayReplayedOnLoad(t *testing.T) {
	e := newBrowserEnv(t, "")
	e.hub.Error(Error{Plugin: "c", Phase: "check", Message: "export backstage-backend-plugin#get-routes: missing"})
	browsertest.Wait(t, e.tab, "the overlay", `document.querySelector('bigband-error-overlay') !== null`)
	// A page opened while the build is broken shows the error at once.
	browsertest.Navigate(t, e.tab, e.app+"/")
	e.waitConnected(t, 2)
	browsertest.Wait(t, e.tab, "the replayed overlay", overlayText+`.indexOf('get-routes: missing') >= 0`)
}

func TestBrowserBackendUpdate(t *testing.T) {
	e := newBrowserEnv(t, "?use=c")
	tab := e.tab
	browsertest.Wait(t, tab, "the page to use backend c", `window.__items && window.__items.length === 1`)
	browsertest.Eval[bool](t, tab, `window.__marker = true`)

	// A backend the page does not use: no reload.
	e.hub.Update(Update{Plugin: "other", Kind: KindBackend, Version: 1})
	browsertest.Wait(t, tab, "other's update", `window.__bigbandHMRClient.events.indexOf('update other v1') >= 0`)
	// A backend the page handles itself: no reload either.
	e.hub.Update(Update{Plugin: "self", Kind: KindBackend, Version: 2})
	browsertest.Wait(t, tab, "the page's own handler", `window.__handled === 2`)
	// The compiled version of the same guest: nothing to reload.
	e.hub.Update(Update{Plugin: "c", Kind: KindBackend, Version: 3, Unchanged: true})
	browsertest.Wait(t, tab, "c's compiled swap", `window.__bigbandHMRClient.events.indexOf('update c v3') >= 0`)
	if ev := e.events(t); strings.Contains(ev, "reload") {
		t.Fatalf("client events %s: want no reload yet", ev)
	}
	// The backend the page fetched from: reload, once.
	e.hub.Update(Update{Plugin: "c", Kind: KindBackend, Version: 4})
	e.waitConnected(t, 2)
	if browsertest.Eval[bool](t, tab, `window.__marker === true`) {
		t.Fatal("the page was not reloaded")
	}
	if c := strings.Join(tab.Console(), "\n"); !strings.Contains(c, "[bigband] page reloaded by bigband-dev (backend c changed to v4)") {
		t.Errorf("console lacks the reload note:\n%s", c)
	}
}

func TestBrowserReconnectAfterRestart(t *testing.T) {
	e := newBrowserEnv(t, "")
	browsertest.Eval[bool](t, e.tab, `window.__marker = true`)
	e.hub.Close()
	e.srv.Close()
	browsertest.Wait(t, e.tab, "the client to notice", `window.__bigbandHMRClient.connected === false`)

	// `watch` starts again on the same address: the page reloads once and
	// reconnects.
	h2, srv2 := restartWith(t, e.addr, Config{Origins: []string{e.app}})
	_ = srv2
	e.waitConnected(t, 2)
	if browsertest.Eval[bool](t, e.tab, `window.__marker === true`) {
		t.Fatal("the page did not reload after the restart")
	}
	waitFor(t, "the hub to see the client", func() bool { return h2.Clients() == 1 })
	h2.Error(Error{Plugin: "c", Phase: "build", Message: "after restart"})
	browsertest.Wait(t, e.tab, "the new session's overlay", overlayText+`.indexOf('after restart') >= 0`)
	if n := browsertest.Eval[int](t, e.tab, `window.__loads`); n != 2 {
		t.Errorf("the page loaded %d times, want 2 (one reload)", n)
	}
}
