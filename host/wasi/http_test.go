package wasi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/host/abi"
)

// guest drives wasi:http and wasi:io functions the way the runtime does
// for a guest: by WIT name, with lifted Go values.
type guest struct {
	t   testing.TB
	st  *State
	ctx context.Context
}

func newGuest(t testing.TB) *guest {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return &guest{t: t, st: NewState(Config{}), ctx: ctx}
}

func (g *guest) fn(name string) Func {
	g.t.Helper()
	iface, fname, _ := strings.Cut(name, "#")
	it, ok := Lookup(iface)
	if !ok || it.Funcs[fname] == nil {
		g.t.Fatalf("%s: not provided", name)
	}
	return it.Funcs[fname]
}

// call calls iface#func and fails the test on a trap.
func (g *guest) call(name string, args ...any) any {
	g.t.Helper()
	v, err := g.fn(name)(g.ctx, g.st, args)
	if err != nil {
		g.t.Fatalf("%s: trap: %v", name, err)
	}
	return v
}

// trap calls iface#func and returns the trap it must cause.
func (g *guest) trap(name string, args ...any) error {
	g.t.Helper()
	_, err := g.fn(name)(g.ctx, g.st, args)
	if err == nil {
		g.t.Fatalf("%s: no trap", name)
	}
	return err
}

// ok unwraps result.ok.
func (g *guest) ok(v any) any {
	g.t.Helper()
	r, isResult := v.(abi.Result)
	if !isResult || r.Err {
		g.t.Fatalf("want ok, got %#v", v)
	}
	return r.Value
}

// err unwraps result.error.
func (g *guest) err(v any) any {
	g.t.Helper()
	r, isResult := v.(abi.Result)
	if !isResult || !r.Err {
		g.t.Fatalf("want error, got %#v", v)
	}
	return r.Value
}

const (
	T = "wasi:http/types#"
	S = "wasi:io/streams#"
)

// fields builds fields through from-list.
func (g *guest) fields(kv ...string) *Fields {
	g.t.Helper()
	var list []any
	for i := 0; i < len(kv); i += 2 {
		list = append(list, abi.Tuple{kv[i], []byte(kv[i+1])})
	}
	return g.ok(g.call(T+"[static]fields.from-list", list)).(*Fields)
}

// readAll reads an input-stream to its end with blocking-read.
func (g *guest) readAll(s *InputStream) ([]byte, abi.Variant) {
	g.t.Helper()
	var out []byte
	for {
		r := g.call(S+"[method]input-stream.blocking-read", s, uint64(1<<20)).(abi.Result)
		if r.Err {
			return out, r.Value.(abi.Variant)
		}
		out = append(out, r.Value.([]byte)...)
	}
}

func getValues(g *guest, f *Fields, name string) []string {
	var out []string
	for _, v := range g.call(T+"[method]fields.get", f, name).([]any) {
		out = append(out, string(v.([]byte)))
	}
	return out
}

func TestHTTPFields(t *testing.T) {
	g := newGuest(t)
	f := g.call(T + "[constructor]fields").(*Fields)
	g.ok(g.call(T+"[method]fields.append", f, "X-Multi", []byte("a")))
	g.ok(g.call(T+"[method]fields.append", f, "x-multi", []byte("b")))
	g.ok(g.call(T+"[method]fields.set", f, "Content-Type", []any{[]byte("text/plain")}))
	raw := []byte{'v', 0xff, 0x80, ' ', '\t', 'x'} // obs-text: kept byte for byte
	g.ok(g.call(T+"[method]fields.set", f, "x-raw", []any{raw}))
	if got := getValues(g, f, "X-MULTI"); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("get X-MULTI = %q", got)
	}
	if got := g.call(T+"[method]fields.get", f, "x-raw").([]any); !bytes.Equal(got[0].([]byte), raw) {
		t.Errorf("x-raw = %q, want %q", got[0], raw)
	}
	if !g.call(T+"[method]fields.has", f, "content-type").(bool) || g.call(T+"[method]fields.has", f, "nope").(bool) ||
		g.call(T+"[method]fields.has", f, "bad name").(bool) {
		t.Error("has: wrong answers")
	}
	clone := g.call(T+"[method]fields.clone", f).(*Fields)
	g.ok(g.call(T+"[method]fields.delete", f, "x-MULTI"))
	if got := getValues(g, f, "x-multi"); got != nil {
		t.Errorf("after delete: %q", got)
	}
	if got := getValues(g, clone, "x-multi"); len(got) != 2 {
		t.Errorf("the clone changed with the original: %q", got)
	}
	g.ok(g.call(T+"[method]fields.set", clone, "x-multi", []any{[]byte("c")}))
	var names []string
	for _, e := range g.call(T+"[method]fields.entries", clone).([]any) {
		names = append(names, e.(abi.Tuple)[0].(string)+"="+string(e.(abi.Tuple)[1].([]byte)))
	}
	if want := []string{"Content-Type=text/plain", "x-raw=" + string(raw), "x-multi=c"}; !reflect.DeepEqual(names, want) {
		t.Errorf("entries = %q, want %q", names, want)
	}

	for _, tc := range []struct {
		name, value string
		want        uint32
	}{
		{"bad name", "v", headerInvalidSyntax},
		{"", "v", headerInvalidSyntax},
		{"x-nl", "a\r\nb", headerInvalidSyntax},
		{"x-nul", "a\x00", headerInvalidSyntax},
		{"Connection", "close", headerForbidden},
		{"transfer-encoding", "chunked", headerForbidden},
	} {
		got := g.err(g.call(T+"[static]fields.from-list", []any{abi.Tuple{"ok", []byte("1")}, abi.Tuple{tc.name, []byte(tc.value)}}))
		if got != (abi.Variant{Case: tc.want}) {
			t.Errorf("from-list %q: %q: error %v, want case %d", tc.name, tc.value, got, tc.want)
		}
		got = g.err(g.call(T+"[method]fields.append", f, tc.name, []byte(tc.value)))
		if got != (abi.Variant{Case: tc.want}) {
			t.Errorf("append %q: %q: error %v, want case %d", tc.name, tc.value, got, tc.want)
		}
	}
}

func TestHTTPIncomingRequest(t *testing.T) {
	g := newGuest(t)
	r := httptest.NewRequest("POST", "http://example.com:8080/a%2Fb/c?x=1&y=%20", strings.NewReader("hello body"))
	r.Header.Set("X-Custom", "Value With  Spaces")
	r.Header.Add("Accept", "a")
	r.Header.Add("Accept", "b")
	r.Header.Set("Connection", "keep-alive")
	req := NewIncomingRequest(r, HTTPLimits{})

	if got := g.call(T+"[method]incoming-request.method", req); got != (abi.Variant{Case: 2}) {
		t.Errorf("method = %v, want post", got)
	}
	if got := g.call(T+"[method]incoming-request.path-with-query", req); got != abi.Some("/a%2Fb/c?x=1&y=%20") {
		t.Errorf("path-with-query = %v", got)
	}
	if got := g.call(T+"[method]incoming-request.scheme", req); got != abi.Some(abi.Variant{Case: schemeHTTP}) {
		t.Errorf("scheme = %v", got)
	}
	if got := g.call(T+"[method]incoming-request.authority", req); got != abi.Some("example.com:8080") {
		t.Errorf("authority = %v", got)
	}
	h := g.call(T+"[method]incoming-request.headers", req).(*Fields)
	if got := getValues(g, h, "x-custom"); !reflect.DeepEqual(got, []string{"Value With  Spaces"}) {
		t.Errorf("x-custom = %q", got)
	}
	if got := getValues(g, h, "accept"); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("accept = %q", got)
	}
	if got := getValues(g, h, "host"); !reflect.DeepEqual(got, []string{"example.com:8080"}) {
		t.Errorf("host = %q", got)
	}
	if g.call(T+"[method]fields.has", h, "connection").(bool) {
		t.Error("hop-by-hop connection field shown to the guest")
	}
	imm := abi.Variant{Case: headerImmutable}
	if got := g.err(g.call(T+"[method]fields.set", h, "x-custom", []any{[]byte("no")})); got != imm {
		t.Errorf("set on request headers: %v, want immutable", got)
	}
	if got := g.err(g.call(T+"[method]fields.append", h, "x-new", []byte("no"))); got != imm {
		t.Errorf("append on request headers: %v, want immutable", got)
	}
	if got := g.err(g.call(T+"[method]fields.delete", h, "x-custom")); got != imm {
		t.Errorf("delete on request headers: %v, want immutable", got)
	}
	// The immutable headers can seed a mutable copy (a proxy's echo).
	copied := g.ok(g.call(T+"[static]fields.from-list", g.call(T+"[method]fields.entries", h))).(*Fields)
	g.ok(g.call(T+"[method]fields.set", copied, "x-custom", []any{[]byte("changed")}))
	if got := getValues(g, h, "x-custom"); got[0] != "Value With  Spaces" {
		t.Errorf("a copy's change leaked into the request headers: %q", got)
	}

	// Children before parents.
	if err := req.DropErr(); err == nil {
		t.Error("dropping the request with its headers alive: no error")
	}
	h.Drop()
	if err := req.DropErr(); err != nil {
		t.Errorf("dropping the request after its headers: %v", err)
	}

	body := g.ok(g.call(T+"[method]incoming-request.consume", req)).(*IncomingBody)
	g.err(g.call(T+"[method]incoming-request.consume", req))
	stream := g.ok(g.call(T+"[method]incoming-body.stream", body)).(*InputStream)
	g.err(g.call(T+"[method]incoming-body.stream", body))
	data, end := g.readAll(stream)
	if string(data) != "hello body" || end != (abi.Variant{Case: 1}) {
		t.Errorf("body = %q, end %v", data, end)
	}
	if err := body.DropErr(); err == nil {
		t.Error("dropping the body with its stream alive: no error")
	}
	if err := g.trap(T+"[static]incoming-body.finish", body); !strings.Contains(err.Error(), "input-stream is still alive") {
		t.Errorf("finish with the stream alive: %v", err)
	}
	stream.Drop()
	ft := g.call(T+"[static]incoming-body.finish", body).(*FutureTrailers)
	g.call("wasi:io/poll#[method]pollable.block", g.call(T+"[method]future-trailers.subscribe", ft))
	if got := g.call(T+"[method]future-trailers.get", ft); got != abi.Some(abi.Ok(abi.Ok(abi.None))) {
		t.Errorf("trailers of a body without any = %#v", got)
	}
	if got := g.call(T+"[method]future-trailers.get", ft); got != abi.Some(abi.Err(nil)) {
		t.Errorf("second get = %#v", got)
	}
}

func TestHTTPMethods(t *testing.T) {
	g := newGuest(t)
	for m, want := range map[string]abi.Variant{
		"GET":     {Case: 0},
		"HEAD":    {Case: 1},
		"DELETE":  {Case: 4},
		"CONNECT": {Case: 5},
		"OPTIONS": {Case: 6},
		"TRACE":   {Case: 7},
		"PATCH":   {Case: 8},
		"PURGE":   {Case: methodOther, Value: "PURGE"},
		"get":     {Case: methodOther, Value: "get"}, // methods are case-sensitive
	} {
		r := httptest.NewRequest(m, "/", nil)
		if got := g.call(T+"[method]incoming-request.method", NewIncomingRequest(r, HTTPLimits{})); got != want {
			t.Errorf("%s: method = %v, want %v", m, got, want)
		}
	}
	r := httptest.NewRequest("GET", "https://secure.example/x", nil)
	if got := g.call(T+"[method]incoming-request.scheme", NewIncomingRequest(r, HTTPLimits{})); got != abi.Some(abi.Variant{Case: schemeHTTPS}) {
		t.Errorf("https scheme = %v", got)
	}
}

// TestHTTPRequestTrailers sends a chunked request with trailers over a
// real connection: one guest reads the body and then waits for them, the
// other asks for them without reading (the host drains the body).
func TestHTTPRequestTrailers(t *testing.T) {
	for _, read := range []bool{true, false} {
		got := make(chan string, 1)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			g := newGuest(t)
			req := NewIncomingRequest(r, HTTPLimits{})
			body := g.ok(g.call(T+"[method]incoming-request.consume", req)).(*IncomingBody)
			stream := g.ok(g.call(T+"[method]incoming-body.stream", body)).(*InputStream)
			var data []byte
			if read {
				data, _ = g.readAll(stream)
			}
			stream.Drop()
			ft := g.call(T+"[static]incoming-body.finish", body).(*FutureTrailers)
			g.call("wasi:io/poll#[method]pollable.block", g.call(T+"[method]future-trailers.subscribe", ft))
			res := g.call(T+"[method]future-trailers.get", ft).(abi.Option)
			tr := g.ok(g.ok(res.Value)).(abi.Option).Value.(*Fields)
			got <- string(data) + "|" + strings.Join(getValues(g, tr, "x-checksum"), ",")
			if err := ft.DropErr(); err == nil {
				t.Error("dropping future-trailers with its trailers alive: no error")
			}
			tr.Drop()
			if err := ft.DropErr(); err != nil {
				t.Error(err)
			}
		}))
		req, _ := http.NewRequest("PUT", srv.URL, io.MultiReader(strings.NewReader("part1,"), strings.NewReader("part2")))
		req.ContentLength = -1
		req.Trailer = http.Header{"X-Checksum": nil}
		req.Body = &trailerBody{Reader: req.Body, set: func() { req.Trailer.Set("X-Checksum", "abc123") }}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := "part1,part2|abc123"
		if !read {
			want = "|abc123"
		}
		if s := <-got; s != want {
			t.Errorf("read=%v: got %q, want %q", read, s, want)
		}
		srv.Close()
	}
}

// trailerBody sets the request's trailer values when the body ends, as
// net/http's client reads them only then.
type trailerBody struct {
	io.Reader
	set func()
}

func (b *trailerBody) Read(p []byte) (int, error) {
	n, err := b.Reader.Read(p)
	if err == io.EOF {
		b.set()
	}
	return n, err
}

func (b *trailerBody) Close() error { return nil }

func TestHTTPRequestBodyLimit(t *testing.T) {
	g := newGuest(t)
	r := httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("x", 100)))
	req := NewIncomingRequest(r, HTTPLimits{MaxBodyBytes: 10})
	body := g.ok(g.call(T+"[method]incoming-request.consume", req)).(*IncomingBody)
	stream := g.ok(g.call(T+"[method]incoming-body.stream", body)).(*InputStream)
	data, end := g.readAll(stream)
	if len(data) > 10 {
		t.Errorf("read %d bytes past a limit of 10", len(data))
	}
	if end.Case != 0 {
		t.Fatalf("end of an oversized body = %v, want last-operation-failed", end)
	}
	code := g.call(T+"http-error-code", end.Value)
	if want := abi.Some(abi.Variant{Case: codeHTTPRequestBodySize, Value: abi.Some(uint64(10))}); code != want {
		t.Errorf("http-error-code = %#v, want %#v", code, want)
	}
	if !req.BodyTooLarge() {
		t.Error("BodyTooLarge = false")
	}
	if NewIncomingRequest(httptest.NewRequest("POST", "/", strings.NewReader("small")), HTTPLimits{MaxBodyBytes: 10}).BodyTooLarge() {
		t.Error("BodyTooLarge before reading = true")
	}
	// An error of another interface is not an HTTP error.
	if got := g.call(T+"http-error-code", NewError(errors.New("disk full"))); got != abi.None {
		t.Errorf("http-error-code of a non-HTTP error = %#v", got)
	}
}

func TestHTTPErrorCodeStatus(t *testing.T) {
	for _, tc := range []struct {
		code abi.Variant
		want int
		name string
	}{
		{abi.Variant{Case: codeHTTPRequestBodySize, Value: abi.None}, 413, "HTTP-request-body-size(none)"},
		{abi.Variant{Case: 6}, 502, "connection-refused"},
		{abi.Variant{Case: codeHTTPResponseTimeout}, 504, "HTTP-response-timeout"},
		{abi.Variant{Case: codeInternalError, Value: abi.Some("boom")}, 500, `internal-error("boom")`},
		{abi.Variant{Case: 1, Value: abi.Record{abi.Some("NXDOMAIN"), abi.None}}, 502, `DNS-error("NXDOMAIN", none)`},
	} {
		c, err := liftErrorCode(tc.code)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status() != tc.want || c.Error() != "wasi:http error-code "+tc.name {
			t.Errorf("%v: status %d, %q; want %d, %q", tc.code, c.Status(), c.Error(), tc.want, tc.name)
		}
	}
	if _, err := liftErrorCode(abi.Variant{Case: 39}); err == nil {
		t.Error("error-code case 39 accepted")
	}
	if len(errorCodeNames) != 39 {
		t.Errorf("%d error-code cases, WIT has 39", len(errorCodeNames))
	}
}
