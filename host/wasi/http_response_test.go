package wasi

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/host/abi"
)

// response builds an outgoing response with the given headers and takes
// its body and the body's stream.
func (g *guest) response(status uint16, kv ...string) (*OutgoingResponse, *OutgoingBody, *OutputStream) {
	g.t.Helper()
	resp := g.call(T+"[constructor]outgoing-response", g.fields(kv...)).(*OutgoingResponse)
	if status != 200 {
		g.ok(g.call(T+"[method]outgoing-response.set-status-code", resp, status))
	}
	body := g.ok(g.call(T+"[method]outgoing-response.body", resp)).(*OutgoingBody)
	return resp, body, g.ok(g.call(T+"[method]outgoing-body.write", body)).(*OutputStream)
}

func (g *guest) write(s *OutputStream, p []byte) {
	g.t.Helper()
	g.ok(g.call(S+"[method]output-stream.blocking-write-and-flush", s, p))
}

func (g *guest) finish(b *OutgoingBody, trailers *Fields) any {
	g.t.Helper()
	opt := abi.None
	if trailers != nil {
		opt = abi.Some(trailers)
	}
	return g.call(T+"[static]outgoing-body.finish", b, opt)
}

func TestHTTPResponse(t *testing.T) {
	g := newGuest(t)
	rec := httptest.NewRecorder()
	out := NewResponseOutparam(rec)
	resp, body, stream := g.response(201, "Content-Type", "text/plain", "X-Raw", "a\xffb")

	if got := g.call(T+"[method]outgoing-response.status-code", resp); got != uint16(201) {
		t.Errorf("status-code = %v", got)
	}
	for _, bad := range []uint16{0, 99, 103, 600, 999} {
		g.err(g.call(T+"[method]outgoing-response.set-status-code", resp, bad))
	}
	h := g.call(T+"[method]outgoing-response.headers", resp).(*Fields)
	if got := g.err(g.call(T+"[method]fields.set", h, "x-late", []any{[]byte("1")})); got != (abi.Variant{Case: headerImmutable}) {
		t.Errorf("set on a response's headers: %v, want immutable", got)
	}
	if err := resp.DropErr(); err == nil {
		t.Error("dropping the response with its headers alive: no error")
	}
	h.Drop()
	g.err(g.call(T+"[method]outgoing-response.body", resp))

	g.call(T+"[static]response-outparam.set", out, abi.Ok(resp))
	if rec.Header().Get("Content-Type") != "" {
		t.Error("headers written at set, before any body or the end of handle")
	}
	g.write(stream, []byte("hello, "))
	if rec.Code != 201 || rec.Header().Get("Content-Type") != "text/plain" || rec.Header().Get("X-Raw") != "a\xffb" {
		t.Errorf("after the first write: %d %v", rec.Code, rec.Header())
	}
	g.write(stream, []byte("world"))
	if !rec.Flushed {
		t.Error("blocking-write-and-flush did not flush the ResponseWriter")
	}
	if err := g.trap(T+"[static]outgoing-body.finish", body, abi.None); !strings.Contains(err.Error(), "output-stream is still alive") {
		t.Errorf("finish with the stream alive: %v", err)
	}
	if err := body.DropErr(); err == nil {
		t.Error("dropping the body with its stream alive: no error")
	}
	stream.Drop()
	g.ok(g.finish(body, g.fields("X-Checksum", "42")))

	o := out.Outcome()
	if o != (Outcome{Sent: true, Status: 201, Complete: true}) {
		t.Errorf("Outcome = %+v", o)
	}
	res := rec.Result()
	data, _ := io.ReadAll(res.Body)
	if string(data) != "hello, world" || res.Trailer.Get("X-Checksum") != "42" {
		t.Errorf("body %q, trailers %v", data, res.Trailer)
	}
}

func TestHTTPResponseSentWhenHandleReturns(t *testing.T) {
	g := newGuest(t)
	rec := httptest.NewRecorder()
	out := NewResponseOutparam(rec)
	resp := g.call(T+"[constructor]outgoing-response", g.fields("X-A", "1")).(*OutgoingResponse)
	g.ok(g.call(T+"[method]outgoing-response.set-status-code", resp, uint16(204)))
	g.call(T+"[static]response-outparam.set", out, abi.Ok(resp))
	if got := rec.Header().Get("X-A"); got != "" {
		t.Fatal("sent before handle returned")
	}
	if o := out.Outcome(); o != (Outcome{Sent: true, Status: 204, Complete: true}) {
		t.Errorf("Outcome = %+v", o)
	}
	if rec.Code != 204 || rec.Header().Get("X-A") != "1" {
		t.Errorf("recorded %d %v", rec.Code, rec.Header())
	}
}

func TestHTTPBodyBeforeSet(t *testing.T) {
	g := newGuest(t)
	rec := httptest.NewRecorder()
	out := NewResponseOutparam(rec)
	resp, body, stream := g.response(202)
	g.write(stream, []byte("early "))
	if rec.Body.Len() != 0 || rec.Flushed {
		t.Fatal("bytes reached the client before set")
	}
	g.call(T+"[static]response-outparam.set", out, abi.Ok(resp))
	if rec.Code != 202 || rec.Body.String() != "early " {
		t.Fatalf("after set: %d %q", rec.Code, rec.Body)
	}
	g.write(stream, []byte("late"))
	stream.Drop()
	g.ok(g.finish(body, nil))
	if o := out.Outcome(); !o.Complete || rec.Body.String() != "early late" {
		t.Errorf("Outcome %+v, body %q", o, rec.Body)
	}

	// Past the bound the write fails instead of buffering without end.
	_, _, stream = g.response(200)
	g.write(stream, make([]byte, MaxPendingBody))
	r := g.err(g.call(S+"[method]output-stream.write", stream, []byte("x"))).(abi.Variant)
	if r.Case != 0 || !strings.Contains(r.Value.(*Error).Error(), "before response-outparam.set") {
		t.Errorf("write past the pending bound: %#v", r)
	}
}

func TestHTTPOutcomes(t *testing.T) {
	g := newGuest(t)

	out := NewResponseOutparam(httptest.NewRecorder())
	if o := out.Outcome(); o.Sent || o.Status != 500 || !errors.Is(o.Err, errNoResponse) {
		t.Errorf("never set: %+v", o)
	}

	rec := httptest.NewRecorder()
	out = NewResponseOutparam(rec)
	g.call(T+"[static]response-outparam.set", out, abi.Err(abi.Variant{Case: 6}))
	o := out.Outcome()
	var code *HTTPErrorCode
	if o.Sent || !errors.As(o.Err, &code) || code.Name() != "connection-refused" || o.Status != 502 || rec.Code != 200 || rec.Body.Len() != 0 {
		t.Errorf("set(err(connection-refused)): %+v, recorded %d", o, rec.Code)
	}
	if err := g.trap(T+"[static]response-outparam.set", out, abi.Err(abi.Variant{Case: 6})); err == nil {
		t.Error("second set accepted")
	}

	// A body taken and never finished: the response is truncated.
	out = NewResponseOutparam(httptest.NewRecorder())
	resp, _, stream := g.response(200)
	g.call(T+"[static]response-outparam.set", out, abi.Ok(resp))
	g.write(stream, []byte("partial"))
	if o := out.Outcome(); !o.Sent || o.Complete {
		t.Errorf("unfinished body: %+v", o)
	}

	// A body that contradicts its content-length fails at finish.
	out = NewResponseOutparam(httptest.NewRecorder())
	resp, body, stream := g.response(200, "Content-Length", "10")
	g.call(T+"[static]response-outparam.set", out, abi.Ok(resp))
	g.write(stream, []byte("short"))
	stream.Drop()
	if got := g.err(g.finish(body, nil)); got != (abi.Variant{Case: codeHTTPResponseBodySize, Value: abi.Some(uint64(5))}) {
		t.Errorf("finish of a short body: %#v", got)
	}
	if o := out.Outcome(); o.Complete {
		t.Errorf("short body: %+v", o)
	}

	// A trap after set: nothing pending goes out.
	rec = httptest.NewRecorder()
	out = NewResponseOutparam(rec)
	resp, _, _ = g.response(200, "X-A", "1")
	g.call(T+"[static]response-outparam.set", out, abi.Ok(resp))
	if o := out.Abort(); o.Sent || rec.Header().Get("X-A") != "" {
		t.Errorf("Abort before anything was sent: %+v, %v", o, rec.Header())
	}
}

// TestHTTPStreamingResponse streams 10 MiB through a real server. The
// guest stops after 1 MiB until the client has seen its first bytes: a
// host that held the body back until finish would never get there.
func TestHTTPStreamingResponse(t *testing.T) {
	const total, chunk = 10 << 20, 64 << 10
	clientGot := make(chan struct{})
	outcome := make(chan Outcome, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g := newGuest(t)
		out := NewResponseOutparam(w)
		resp, body, stream := g.response(200, "Content-Type", "application/octet-stream")
		g.call(T+"[static]response-outparam.set", out, abi.Ok(resp))
		for off := 0; off < total; off += chunk {
			if off == 1<<20 {
				select {
				case <-clientGot:
				case <-time.After(10 * time.Second):
					t.Error("the client saw nothing after 1 MiB was written and flushed")
					return
				}
			}
			g.write(stream, pattern(off, chunk))
		}
		stream.Drop()
		g.ok(g.finish(body, g.fields("X-Done", "yes")))
		outcome <- out.Outcome()
	}))
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	first := make([]byte, chunk)
	if _, err := io.ReadFull(res.Body, first); err != nil {
		t.Fatal(err)
	}
	close(clientGot)
	rest, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	got := append(first, rest...)
	if len(got) != total || !bytes.Equal(got[5<<20:5<<20+chunk], pattern(5<<20, chunk)) || !bytes.Equal(got[:chunk], pattern(0, chunk)) {
		t.Errorf("received %d bytes (want %d) or wrong content", len(got), total)
	}
	if res.Trailer.Get("X-Done") != "yes" {
		t.Errorf("trailers %v", res.Trailer)
	}
	if o := <-outcome; o != (Outcome{Sent: true, Status: 200, Complete: true}) {
		t.Errorf("Outcome = %+v", o)
	}
}

// pattern is chunk n bytes of a position-dependent byte sequence.
func pattern(off, n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte((off + i) * 7 % 251)
	}
	return p
}

// TestHTTPStreamingEcho echoes a 10 MiB request body read through
// blocking-read as the client writes it: the guest sees the first chunk
// while the client still holds the rest.
func TestHTTPStreamingEcho(t *testing.T) {
	const total, chunk = 10 << 20, 64 << 10
	firstSeen := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g := newGuest(t)
		req := NewIncomingRequest(r, HTTPLimits{MaxBodyBytes: 20 << 20})
		in := g.ok(g.call(T+"[method]incoming-body.stream", g.ok(g.call(T+"[method]incoming-request.consume", req)))).(*InputStream)
		out := NewResponseOutparam(w)
		resp, body, stream := g.response(200)
		g.call(T+"[static]response-outparam.set", out, abi.Ok(resp))
		n := 0
		for {
			res := g.call(S+"[method]input-stream.blocking-read", in, uint64(chunk)).(abi.Result)
			if res.Err {
				break
			}
			p := res.Value.([]byte)
			if n == 0 {
				close(firstSeen)
			}
			n += len(p)
			g.write(stream, p)
		}
		in.Drop()
		stream.Drop()
		g.ok(g.finish(body, nil))
		out.Outcome()
	}))
	defer srv.Close()
	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write(pattern(0, chunk))
		select {
		case <-firstSeen:
		case <-time.After(10 * time.Second):
			pw.CloseWithError(errors.New("the guest saw nothing of the first chunk"))
			return
		}
		for off := chunk; off < total; off += chunk {
			if _, err := pw.Write(pattern(off, chunk)); err != nil {
				return
			}
		}
		pw.Close()
	}()
	res, err := srv.Client().Post(srv.URL, "application/octet-stream", pr)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != total || !bytes.Equal(got[total-chunk:], pattern(total-chunk, chunk)) {
		t.Errorf("echoed %d bytes, want %d", len(got), total)
	}
}

func TestHTTPSendInformational(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g := newGuest(t)
		out := NewResponseOutparam(w)
		g.ok(g.call(T+"[method]response-outparam.send-informational", out, uint16(103), g.fields("Link", "</a.css>; rel=preload")))
		g.err(g.call(T+"[method]response-outparam.send-informational", out, uint16(200), g.fields()))
		resp := g.call(T+"[constructor]outgoing-response", g.fields("X-Final", "1")).(*OutgoingResponse)
		g.call(T+"[static]response-outparam.set", out, abi.Ok(resp))
		out.Outcome()
	}))
	defer srv.Close()
	var early http.Header
	ctx := httptrace.WithClientTrace(t.Context(), &httptrace.ClientTrace{
		Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
			if code == 103 {
				early = http.Header(h)
			}
			return nil
		},
	})
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if early.Get("Link") == "" || res.Header.Get("Link") != "" || res.Header.Get("X-Final") != "1" {
		t.Errorf("103 headers %v, final %v", early, res.Header)
	}
}
