package backend

import (
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"
)

// recorder is a ResponseWriter in memory.
type recorder struct {
	status  int
	header  Header
	trailer Header
	body    bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: Header{}} }

func (r *recorder) Header() Header { return r.header }
func (r *recorder) WriteHeader(s int) {
	if r.status == 0 {
		r.status = s
	}
}
func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(200)
	return r.body.Write(p)
}
func (r *recorder) Trailer() Header {
	if r.trailer == nil {
		r.trailer = Header{}
	}
	return r.trailer
}
func (r *recorder) Flush() {}

func testMux() *Mux {
	m := NewMux()
	m.HandleFunc("GET /items", func(w ResponseWriter, r *Request) { io.WriteString(w, "list") })
	m.HandleFunc("GET /items/{id}", func(w ResponseWriter, r *Request) { io.WriteString(w, "item "+r.PathValue("id")) })
	m.HandleFunc("POST /items/{id}", func(w ResponseWriter, r *Request) { io.WriteString(w, "post "+r.PathValue("id")) })
	m.HandleFunc("PUT /a/{x}/b/{y}", func(w ResponseWriter, r *Request) { io.WriteString(w, r.PathValue("x")+","+r.PathValue("y")) })
	m.HandleFunc("GET /", func(w ResponseWriter, r *Request) { io.WriteString(w, "root") })
	return m
}

func TestMux(t *testing.T) {
	m := testMux()
	tests := []struct {
		method, target string
		status         int
		body, allow    string
	}{
		{"GET", "/items", 200, "list", ""},
		{"GET", "/items/", 200, "list", ""},
		{"GET", "/items?x=1", 200, "list", ""},
		{"GET", "/items/7", 200, "item 7", ""},
		{"GET", "/items/a%2Fb", 200, "item a/b", ""},
		{"GET", "/items/%zz", 200, "item %zz", ""},
		{"POST", "/items/7", 200, "post 7", ""},
		{"PUT", "/a/1/b/2", 200, "1,2", ""},
		{"GET", "/", 200, "root", ""},
		{"GET", "", 200, "root", ""},
		{"DELETE", "/items/7", 405, `{"error":"method not allowed"}`, "GET, POST"},
		{"POST", "/items", 405, `{"error":"method not allowed"}`, "GET"},
		{"GET", "/items/7/more", 404, `{"error":"not found"}`, ""},
		{"GET", "/nowhere", 404, `{"error":"not found"}`, ""},
		{"get", "/items", 405, `{"error":"method not allowed"}`, "GET"},
	}
	for _, tt := range tests {
		w := newRecorder()
		m.ServeHTTP(w, NewRequest(tt.method, tt.target, nil))
		if w.status != tt.status || w.body.String() != tt.body || w.header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: %d %q allow %q; want %d %q allow %q", tt.method, tt.target, w.status, w.body.String(), w.header.Get("allow"), tt.status, tt.body, tt.allow)
		}
		if tt.status != 200 && w.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: content-type %q", tt.method, tt.target, w.header.Get("content-type"))
		}
	}
	want := []Route{{"GET", "/items"}, {"GET", "/items/{id}"}, {"POST", "/items/{id}"}, {"PUT", "/a/{x}/b/{y}"}, {"GET", "/"}}
	if got := m.Routes(); !reflect.DeepEqual(got, want) {
		t.Errorf("Routes = %v", got)
	}
}

func TestMuxBadPatterns(t *testing.T) {
	for _, p := range []string{"/items", "GET items", "GET /a/{", "GET /a/{}", "GET /a/x}", " /a", "GET /items"} {
		func() {
			defer func() {
				if v := recover(); v == nil {
					t.Errorf("Handle(%q) did not panic", p)
				} else if !strings.Contains(v.(string), "backend: pattern") {
					t.Errorf("Handle(%q): %v", p, v)
				}
			}()
			m := NewMux()
			m.HandleFunc("GET /items", func(ResponseWriter, *Request) {})
			m.HandleFunc(p, func(ResponseWriter, *Request) {})
		}()
	}
}

func TestHeader(t *testing.T) {
	h := Header{}
	h.Add("X-Multi", "1")
	h.Add("x-multi", "2")
	h.Set("Content-Type", "a/b")
	if !reflect.DeepEqual(h, Header{"x-multi": {"1", "2"}, "content-type": {"a/b"}}) {
		t.Errorf("%v", h)
	}
	if h.Get("X-MULTI") != "1" || !reflect.DeepEqual(h.Values("x-Multi"), []string{"1", "2"}) || h.Get("none") != "" {
		t.Errorf("Get/Values")
	}
	h.Del("X-Multi")
	if _, ok := h["x-multi"]; ok {
		t.Errorf("Del")
	}
}

func TestRequest(t *testing.T) {
	r := NewRequest("GET", "/p?a=1&a=2&b=%C3%A9", strings.NewReader("body"))
	if r.Path != "/p" || r.RawQuery != "a=1&a=2&b=%C3%A9" || !reflect.DeepEqual(r.Query()["a"], []string{"1", "2"}) || r.Query().Get("b") != "é" {
		t.Errorf("%+v", r)
	}
	if b, _ := io.ReadAll(r.Body); string(b) != "body" {
		t.Errorf("body %q", b)
	}
	if tr, err := r.Trailers(); err != nil || len(tr) != 0 {
		t.Errorf("Trailers = %v, %v", tr, err)
	}
}

func TestServeRoutes(t *testing.T) {
	m := testMux()
	Serve(m)
	if !reflect.DeepEqual(plugin.routes, m.Routes()) {
		t.Errorf("Serve(mux) reports %v", plugin.routes)
	}
	Serve(m, Route{"GET", "/only"})
	if !reflect.DeepEqual(plugin.routes, []Route{{"GET", "/only"}}) {
		t.Errorf("Serve(mux, routes) reports %v", plugin.routes)
	}
}

// FuzzMux: any method and target gets a well-formed answer, never a panic.
func FuzzMux(f *testing.F) {
	for _, s := range []string{"/items/7", "/", "//", "/items/%", "/a/1/b/2?x", "/\x00/{id}"} {
		f.Add("GET", s)
	}
	m := testMux()
	f.Fuzz(func(t *testing.T, method, target string) {
		w := newRecorder()
		m.ServeHTTP(w, NewRequest(method, target, nil))
		switch w.status {
		case 200, 404:
		case 405:
			if w.header.Get("allow") == "" {
				t.Errorf("405 without allow")
			}
		default:
			t.Errorf("%s %q: status %d", method, target, w.status)
		}
	})
}

func TestBodyAllowed(t *testing.T) {
	for status, want := range map[int]bool{100: false, 101: false, 199: false, 200: true, 204: false, 206: true, 304: false, 404: true, 500: true} {
		if bodyAllowed(status) != want {
			t.Errorf("bodyAllowed(%d) = %v", status, !want)
		}
	}
}
