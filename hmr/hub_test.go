package hmr

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// serve runs a hub on a test server and returns its http and ws URLs.
func serve(t *testing.T, cfg Config) (*Hub, *httptest.Server, string) {
	t.Helper()
	h := NewHub(cfg)
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(func() {
		h.Close()
		srv.Close()
	})
	return h, srv, "ws" + strings.TrimPrefix(srv.URL, "http") + SocketPath
}

// dial connects as a page from origin ("" for a non-browser client, which
// then passes the token).
func dial(t *testing.T, wsURL, origin, token string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	hdr := http.Header{}
	if origin != "" {
		hdr.Set("Origin", origin)
	}
	u := wsURL
	if token != "" {
		u += "?token=" + url.QueryEscape(token)
	}
	d := websocket.Dialer{Subprotocols: []string{Subprotocol}, HandshakeTimeout: 10 * time.Second}
	c, resp, err := d.Dial(u, hdr)
	if c != nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, resp, err
}

// next reads one frame as a generic JSON object.
func next(t *testing.T, c *websocket.Conn) map[string]any {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, b, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("reading a frame: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("frame %s: %v", b, err)
	}
	return m
}

// jsonOf turns a Go value into the generic form next returns.
func jsonOf(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}

func TestMessageShapes(t *testing.T) {
	h, srv, ws := serve(t, Config{})
	h.SetPlugins([]string{"hello"})
	c, _, err := dial(t, ws, srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := next(t, c), jsonOf(t, map[string]any{"type": "connected", "protocol": 1, "plugins": []string{"hello"}}); !reflect.DeepEqual(got, want) {
		t.Fatalf("connected = %v, want %v", got, want)
	}
	tests := []struct {
		name string
		send func()
		want string
	}{
		{"building", func() { h.Building(Building{Plugin: "hello", Trigger: "src/main.c"}) },
			`{"type":"building","plugin":"hello","trigger":"src/main.c"}`},
		{"error", func() {
			h.Error(Error{Plugin: "hello", Phase: "build", Message: "exit status 1", Output: "main.c:3:1: error: x",
				Locs: []Loc{{File: "main.c", Line: 3, Column: 1}}})
		}, `{"type":"error","plugin":"hello","phase":"build","message":"exit status 1","output":"main.c:3:1: error: x",
			"loc":{"file":"main.c","line":3,"column":1},"locs":[{"file":"main.c","line":3,"column":1}]}`},
		{"update backend", func() {
			h.Update(Update{Plugin: "hello", Kind: KindBackend, Version: 2, Previous: 1,
				Timings: []Timing{{"build", 12.5}, {"swap", 0.25}}, Routes: []Route{{"GET", "/items"}}})
		}, `{"type":"update","plugin":"hello","kind":"backend","files":[],"version":2,"previous":1,
			"timings":[{"phase":"build","ms":12.5},{"phase":"swap","ms":0.25}],"routes":[{"method":"GET","path":"/items"}]}`},
		{"update frontend", func() {
			h.Update(Update{Plugin: "web", Kind: KindFrontend, Files: []string{"plugins/web/src/index.ts"}})
		}, `{"type":"update","plugin":"web","kind":"frontend","files":["plugins/web/src/index.ts"],"timings":[],"version":0}`},
		{"full-reload", func() { h.FullReload("config changed") }, `{"type":"full-reload","reason":"config changed"}`},
		{"prune", func() { h.Prune("web") }, `{"type":"prune","plugin":"web"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.send()
			var want map[string]any
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if got := next(t, c); !reflect.DeepEqual(got, want) {
				t.Errorf("got  %v\nwant %v", got, want)
			}
		})
	}
	st := h.State()
	if len(st.Plugins) != 1 || st.Plugins[0].ID != "hello" || st.Plugins[0].Status != StatusOK || st.Plugins[0].Version != 2 || st.Plugins[0].Error != nil {
		t.Errorf("state after the messages = %+v, want hello ok v2 without error (web pruned)", st.Plugins)
	}
}

func TestPingFrame(t *testing.T) {
	_, srv, ws := serve(t, Config{PingInterval: 200 * time.Millisecond})
	c, _, err := dial(t, ws, srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	next(t, c) // connected
	if got := next(t, c); got["type"] != "ping" {
		t.Fatalf("got %v, want a ping", got)
	}
}

func TestReplayLastError(t *testing.T) {
	h, srv, ws := serve(t, Config{})
	h.SetPlugins([]string{"a", "b", "c"})
	h.Error(Error{Plugin: "a", Phase: "build", Message: "first"})
	h.Error(Error{Plugin: "a", Phase: "check", Message: "second"}) // replaces the first
	h.Error(Error{Plugin: "b", Phase: "build", Message: "b broken"})
	h.Update(Update{Plugin: "b", Kind: KindFrontend}) // fixed: not replayed
	h.Error(Error{Plugin: "c", Phase: "load", Message: "c broken"})
	h.Prune("c") // gone: not replayed

	c, _, err := dial(t, ws, srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	if m := next(t, c); m["type"] != "connected" {
		t.Fatalf("first frame %v, want connected", m)
	}
	m := next(t, c)
	if m["type"] != "error" || m["plugin"] != "a" || m["message"] != "second" || m["phase"] != "check" {
		t.Fatalf("replayed %v, want a's last error (check: second)", m)
	}
	// Nothing else was replayed: the next frame is the one sent now.
	h.Building(Building{Plugin: "a", Trigger: "x"})
	if m := next(t, c); m["type"] != "building" {
		t.Fatalf("after the replay got %v, want the building just sent", m)
	}
	h.Update(Update{Plugin: "a", Kind: KindBackend, Version: 1})
	c2, _, err := dial(t, ws, srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	next(t, c2) // connected
	h.Building(Building{Plugin: "b"})
	if m := next(t, c2); m["type"] != "building" {
		t.Fatalf("after a's fix a new client got %v, want no replay", m)
	}
}

func TestRefused(t *testing.T) {
	h, srv, ws := serve(t, Config{Origins: []string{"http://localhost:3000", "https://backstage.example.com:443"}, Token: "s3cret"})
	own := srv.URL
	tests := []struct {
		name, origin, token string
		header              http.Header
		want                int
	}{
		{"own origin", own, "", nil, http.StatusSwitchingProtocols},
		{"app origin", "http://localhost:3000", "", nil, http.StatusSwitchingProtocols},
		{"app origin, default port spelled out", "https://backstage.example.com", "", nil, http.StatusSwitchingProtocols},
		{"app origin, upper case", "HTTP://LOCALHOST:3000", "", nil, http.StatusSwitchingProtocols},
		{"token, no origin", "", "s3cret", nil, http.StatusSwitchingProtocols},
		{"token header, no origin", "", "", http.Header{TokenHeader: {"s3cret"}}, http.StatusSwitchingProtocols},
		{"other origin", "http://evil.example", "", nil, http.StatusForbidden},
		{"other port", "http://localhost:3001", "", nil, http.StatusForbidden},
		{"other scheme", "https://localhost:3000", "", nil, http.StatusForbidden},
		{"null origin", "null", "", nil, http.StatusForbidden},
		{"other origin with the token", "http://evil.example", "s3cret", nil, http.StatusForbidden},
		{"no origin, no token", "", "", nil, http.StatusForbidden},
		{"no origin, wrong token", "", "s3creT", nil, http.StatusForbidden},
		{"rebinding host", own, "", http.Header{"Host": {"evil.example:80"}}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := http.Header{}
			for k, v := range tt.header {
				hdr[k] = v
			}
			if tt.origin != "" {
				hdr.Set("Origin", tt.origin)
			}
			u := ws
			if tt.token != "" {
				u += "?token=" + tt.token
			}
			d := websocket.Dialer{Subprotocols: []string{Subprotocol}}
			c, resp, err := d.Dial(u, hdr)
			if c != nil {
				defer c.Close()
			}
			if resp == nil {
				t.Fatalf("no response: %v", err)
			}
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d (err %v)", resp.StatusCode, tt.want, err)
			}
			if tt.want == http.StatusSwitchingProtocols {
				if m := next(t, c); m["type"] != "connected" {
					t.Fatalf("got %v, want connected", m)
				}
			}
		})
	}
	// State-changing requests follow the same rules.
	var rebuilt []string
	h.cfg.Rebuild = func(id string) bool {
		rebuilt = append(rebuilt, id)
		return id == "hello"
	}
	posts := []struct {
		name, origin, query string
		want                int
	}{
		{"own origin", own, "plugin=hello", http.StatusAccepted},
		{"token", "", "plugin=hello&token=s3cret", http.StatusAccepted},
		{"unknown plugin", own, "plugin=nope", http.StatusNotFound},
		{"other origin", "http://evil.example", "plugin=hello", http.StatusForbidden},
		{"no origin, no token", "", "plugin=hello", http.StatusForbidden},
	}
	for _, tt := range posts {
		t.Run("rebuild "+tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", srv.URL+RebuildPath+"?"+tt.query, nil)
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
	if want := []string{"hello", "hello", "nope"}; !reflect.DeepEqual(rebuilt, want) {
		t.Errorf("rebuilds asked %v, want %v (refused requests must not get through)", rebuilt, want)
	}
}

// waitFor polls cond: a hang guard, not a timing assertion.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting after 30 s for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestStalledClientDoesNotBlockOthers(t *testing.T) {
	h, srv, ws := serve(t, Config{QueueSize: 64, WriteTimeout: time.Minute})
	stalled, _, err := dial(t, ws, srv.URL, "") // never reads
	if err != nil {
		t.Fatal(err)
	}
	_ = stalled
	good, _, err := dial(t, ws, srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	next(t, good) // connected
	waitFor(t, "two clients", func() bool { return h.Clients() == 2 })

	// Far more than the socket buffers hold: the stalled client's queue
	// fills, and it is dropped rather than slowing the sender. The sender
	// stays at most 16 frames ahead of the reading client, so its queue
	// never fills.
	const n = 400
	out := strings.Repeat("x", 128<<10)
	got := make(chan int)
	read := make(chan struct{}, n)
	go func() {
		i := 0
		for ; i < n; i++ {
			if i > 0 {
				read <- struct{}{}
			}
			good.SetReadDeadline(time.Now().Add(30 * time.Second))
			_, b, err := good.ReadMessage()
			if err != nil {
				break
			}
			var m Error
			json.Unmarshal(b, &m)
			if m.Message != strings.Repeat("m", i%7+1) {
				break
			}
		}
		got <- i
	}()
	sent := make(chan struct{})
	go func() {
		for i := 0; i < n; i++ {
			if i >= 16 {
				<-read
			}
			h.Error(Error{Plugin: "p", Phase: "build", Message: strings.Repeat("m", i%7+1), Output: out})
		}
		close(sent)
	}()
	select {
	case <-sent:
	case i := <-got:
		t.Fatalf("the reading client stopped after %d of %d frames", i, n)
	case <-time.After(60 * time.Second):
		t.Fatal("broadcasting hung behind the stalled client")
	}
	if i := <-got; i != n {
		t.Fatalf("the reading client got %d of %d frames in order", i, n)
	}
	waitFor(t, "the stalled client to be dropped", func() bool { return h.Clients() == 1 })
}

func TestDeadClientDropped(t *testing.T) {
	h, srv, ws := serve(t, Config{PingInterval: 200 * time.Millisecond})
	c, _, err := dial(t, ws, srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	// A client that never reads never answers pings.
	_ = c
	waitFor(t, "a client", func() bool { return h.Clients() == 1 })
	waitFor(t, "the silent client to be dropped", func() bool { return h.Clients() == 0 })
}

func TestOversizedClientFrame(t *testing.T) {
	h, srv, ws := serve(t, Config{})
	c, _, err := dial(t, ws, srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	next(t, c)
	c.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"}`))
	waitFor(t, "a client", func() bool { return h.Clients() == 1 })
	c.WriteMessage(websocket.TextMessage, make([]byte, maxClientFrame+1))
	waitFor(t, "the client sending too much to be dropped", func() bool { return h.Clients() == 0 })
}

func TestReconnectAfterRestart(t *testing.T) {
	h := NewHub(Config{})
	srv := httptest.NewServer(h.Handler())
	addr := srv.Listener.Addr().String()
	ws := "ws://" + addr + SocketPath
	c, _, err := dial(t, ws, srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	next(t, c)
	h.Close()
	srv.Close()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _, err = c.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Fatalf("after Close the client read %v, want a going-away close", err)
	}
	if _, _, err := dial(t, ws, "http://"+addr, ""); err == nil {
		t.Fatal("dialled a stopped session")
	}

	// The next session on the same address: the client gets in again and
	// sees the new session's state.
	h2, srv2 := restart(t, addr)
	h2.Error(Error{Plugin: "p", Phase: "build", Message: "still broken"})
	c2, _, err := dial(t, ws, "http://"+addr, "")
	if err != nil {
		t.Fatal(err)
	}
	_ = srv2
	if m := next(t, c2); m["type"] != "connected" {
		t.Fatalf("got %v, want connected", m)
	}
	if m := next(t, c2); m["type"] != "error" || m["message"] != "still broken" {
		t.Fatalf("got %v, want the new session's error", m)
	}
}

// restart serves a new hub on addr, retrying while the old socket frees.
func restart(t *testing.T, addr string) (*Hub, *httptest.Server) {
	t.Helper()
	return restartWith(t, addr, Config{})
}

func restartWith(t *testing.T, addr string, cfg Config) (*Hub, *httptest.Server) {
	t.Helper()
	h := NewHub(cfg)
	srv := httptest.NewUnstartedServer(h.Handler())
	var err error
	waitFor(t, "the address to be free", func() bool {
		srv.Listener.Close()
		srv.Listener, err = net.Listen("tcp", addr)
		return err == nil
	})
	srv.Start()
	t.Cleanup(func() {
		h.Close()
		srv.Close()
	})
	return h, srv
}

func TestStateAndStatic(t *testing.T) {
	h, srv, _ := serve(t, Config{})
	h.SetPlugins([]string{"hello"})
	h.Update(Update{Plugin: "hello", Kind: KindBackend, Version: 1, Output: "built"})
	h.Update(Update{Plugin: "hello", Kind: KindBackend, Version: 2, Previous: 1, Unchanged: true})
	resp, err := http.Get(srv.URL + StatePath)
	if err != nil {
		t.Fatal(err)
	}
	var st State
	json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if len(st.Plugins) != 1 || st.Plugins[0].Version != 2 || st.Plugins[0].Update == nil || st.Plugins[0].Update.Output != "built" {
		t.Errorf("state %+v: want v2 keeping the output of the build that made it", st)
	}
	for path, ctype := range map[string]string{
		BasePath:                   "text/html",
		ClientPath:                 "text/javascript",
		BasePath + "dashboard.js":  "text/javascript",
		PingPath:                   "",
		BasePath + "no-such-thing": "text/plain",
	} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, ctype) {
			t.Errorf("%s: Content-Type %q, want %q", path, got, ctype)
		}
	}
}

func TestParseLoc(t *testing.T) {
	tests := []struct {
		in   string
		want Loc
		ok   bool
	}{
		{"main.c:3:1", Loc{"main.c", 3, 1}, true},
		{"src/a.go:12", Loc{"src/a.go", 12, 0}, true},
		{`C:\src\a.c:4:2`, Loc{`C:\src\a.c`, 4, 2}, true},
		{"a:b:1:2", Loc{"a:b", 1, 2}, true},
		{"src/main.c:3:5: error: expected ';'", Loc{"src/main.c", 3, 5}, true},
		{"main.go:7: undefined: x", Loc{"main.go", 7, 0}, true},
		{"x:+3:1", Loc{"x", 3, 1}, true},
		{"x:-3:1", Loc{"x:-3", 1, 0}, true},
		{"main.c", Loc{}, false},
		{":3:1", Loc{}, false},
		{"", Loc{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseLoc(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseLoc(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzParseLoc(f *testing.F) {
	for _, s := range []string{"main.c:3:1", "a:b:c", "::::", "x:99999999999999999999:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, ok := ParseLoc(s)
		if ok && (l.File == "" || !strings.HasPrefix(s, l.File)) {
			t.Fatalf("ParseLoc(%q) = %+v", s, l)
		}
	})
}
