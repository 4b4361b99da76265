package wasi

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/host/abi"
)

func TestHTTPOutgoingRequestDenied(t *testing.T) {
	g := newGuest(t)
	req := g.call(T+"[constructor]outgoing-request", g.fields("X-A", "1")).(*OutgoingRequest)
	if got := g.call(T+"[method]outgoing-request.method", req); got != (abi.Variant{Case: 0}) {
		t.Errorf("default method = %v, want get", got)
	}
	for _, name := range []string{"path-with-query", "scheme", "authority"} {
		if got := g.call(T+"[method]outgoing-request."+name, req); got != abi.None {
			t.Errorf("default %s = %v, want none", name, got)
		}
	}
	for _, tc := range []struct {
		set string
		arg any
		ok  bool
	}{
		{"set-method", abi.Variant{Case: methodOther, Value: "PURGE"}, true},
		{"set-method", abi.Variant{Case: methodOther, Value: "BAD METHOD"}, false},
		{"set-method", abi.Variant{Case: 2}, true},
		{"set-path-with-query", abi.Some("/a/b?c=d"), true},
		{"set-path-with-query", abi.Some("/a b"), false},
		{"set-path-with-query", abi.Some("/a#frag"), false},
		{"set-path-with-query", abi.None, true},
		{"set-scheme", abi.Some(abi.Variant{Case: schemeOther, Value: "git+ssh"}), true},
		{"set-scheme", abi.Some(abi.Variant{Case: schemeOther, Value: "1x"}), false},
		{"set-scheme", abi.Some(abi.Variant{Case: schemeHTTPS}), true},
		{"set-authority", abi.Some("user@example.com:8080"), true},
		{"set-authority", abi.Some("[::1]:80"), true},
		{"set-authority", abi.Some("example.com:http"), false},
		{"set-authority", abi.Some("a/b"), false},
		{"set-authority", abi.Some("example.com"), true},
	} {
		r := g.call(T+"[method]outgoing-request."+tc.set, req, tc.arg).(abi.Result)
		if r.Err == tc.ok {
			t.Errorf("%s(%v): ok=%v, want %v", tc.set, tc.arg, !r.Err, tc.ok)
		}
	}
	if got := g.call(T+"[method]outgoing-request.method", req); got != (abi.Variant{Case: 2}) {
		t.Errorf("method after set = %v", got)
	}
	if got := g.call(T+"[method]outgoing-request.authority", req); got != abi.Some("example.com") {
		t.Errorf("authority after set = %v", got)
	}
	h := g.call(T+"[method]outgoing-request.headers", req).(*Fields)
	g.err(g.call(T+"[method]fields.append", h, "x-b", []byte("2")))
	if err := req.DropErr(); err == nil {
		t.Error("dropping the request with its headers alive: no error")
	}
	h.Drop()
	body := g.ok(g.call(T+"[method]outgoing-request.body", req)).(*OutgoingBody)
	g.err(g.call(T+"[method]outgoing-request.body", req))
	stream := g.ok(g.call(T+"[method]outgoing-body.write", body)).(*OutputStream)
	g.write(stream, []byte("ignored"))
	stream.Drop()
	g.ok(g.finish(body, nil))

	opts := g.call(T + "[constructor]request-options").(*RequestOptions)
	for _, name := range []string{"connect-timeout", "first-byte-timeout", "between-bytes-timeout"} {
		if got := g.call(T+"[method]request-options."+name, opts); got != abi.None {
			t.Errorf("default %s = %v", name, got)
		}
		g.ok(g.call(T+"[method]request-options.set-"+name, opts, abi.Some(uint64(1e9))))
		if got := g.call(T+"[method]request-options."+name, opts); got != abi.Some(uint64(1e9)) {
			t.Errorf("%s after set = %v", name, got)
		}
	}

	got := g.call("wasi:http/outgoing-handler#handle", req, abi.Some(opts))
	if got != abi.Err(abi.Variant{Case: codeHTTPRequestDenied}) {
		t.Errorf("handle = %#v, want error HTTP-request-denied", got)
	}
}

// The types outbound HTTP would produce work, though nothing produces
// them while sending is denied.
func TestHTTPFutureIncomingResponse(t *testing.T) {
	g := newGuest(t)
	f := newFutureIncomingResponse()
	p := g.call(T+"[method]future-incoming-response.subscribe", f).(*Pollable)
	if p.Ready() || g.call(T+"[method]future-incoming-response.get", f) != abi.None {
		t.Fatal("an unresolved future is ready")
	}
	f.resolve(nil, httpCode(codeHTTPRequestDenied, nil))
	if !p.Ready() {
		t.Fatal("resolved future not ready")
	}
	if got := g.call(T+"[method]future-incoming-response.get", f); got != abi.Some(abi.Ok(abi.Err(abi.Variant{Case: codeHTTPRequestDenied}))) {
		t.Errorf("get = %#v", got)
	}
	if got := g.call(T+"[method]future-incoming-response.get", f); got != abi.Some(abi.Err(nil)) {
		t.Errorf("second get = %#v", got)
	}
}

func TestHTTPIncomingResponse(t *testing.T) {
	g := newGuest(t)
	resp := newIncomingResponse(&http.Response{
		StatusCode: 404,
		Header:     http.Header{"Content-Type": {"text/plain"}},
		Body:       io.NopCloser(strings.NewReader("not here")),
	})
	if got := g.call(T+"[method]incoming-response.status", resp); got != uint16(404) {
		t.Errorf("status = %v", got)
	}
	h := g.call(T+"[method]incoming-response.headers", resp).(*Fields)
	if got := getValues(g, h, "content-type"); len(got) != 1 || got[0] != "text/plain" {
		t.Errorf("content-type = %q", got)
	}
	g.err(g.call(T+"[method]fields.delete", h, "content-type"))
	if resp.DropErr() == nil {
		t.Error("dropping the response with its headers alive: no error")
	}
	h.Drop()
	body := g.ok(g.call(T+"[method]incoming-response.consume", resp)).(*IncomingBody)
	g.err(g.call(T+"[method]incoming-response.consume", resp))
	data, _ := g.readAll(g.ok(g.call(T+"[method]incoming-body.stream", body)).(*InputStream))
	if string(data) != "not here" {
		t.Errorf("body = %q", data)
	}
}
