//go:build wasip1

//lint:file-ignore U1000 reached from //go:wasmexport functions, which staticcheck does not count as uses

package backend

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"unsafe"

	"github.com/bigband-dev/bigband/guest/internal/cabi"
	"github.com/bigband-dev/bigband/guest/internal/wasihttp"
)

// The method variant's cases, in WIT order.
var methods = [...]string{"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}

func newRequest(h uint32) *Request {
	var a cabi.Area
	wasihttp.IncomingRequestMethod(h, a.Ptr())
	r := &Request{}
	if tag := a.U8(0); int(tag) < len(methods) {
		r.Method = methods[tag]
	} else {
		r.Method = cabi.TakeString(a.U32(4), a.U32(8))
	}
	a = cabi.Area{}
	wasihttp.IncomingRequestPathWithQuery(h, a.Ptr())
	if a.U8(0) == 1 {
		r.Path, r.RawQuery, _ = strings.Cut(cabi.TakeString(a.U32(4), a.U32(8)), "?")
	}
	if r.Path == "" {
		r.Path = "/"
	}
	fields := wasihttp.IncomingRequestHeaders(h)
	r.Header = entries(fields)
	wasihttp.FieldsDrop(fields)
	b := &body{req: h}
	r.Body = b
	r.trailers = b.trailerHeader
	return r
}

// entries reads a fields resource into a Header.
func entries(f uint32) Header {
	var a cabi.Area
	wasihttp.FieldsEntries(f, a.Ptr())
	ptr, n := a.U32(0), a.U32(4)
	h := Header{}
	if n == 0 {
		return h
	}
	list := cabi.Take(ptr, n*16)
	u32 := func(off uint32) uint32 {
		return uint32(list[off]) | uint32(list[off+1])<<8 | uint32(list[off+2])<<16 | uint32(list[off+3])<<24
	}
	for i := uint32(0); i < n; i++ {
		e := i * 16
		name := strings.ToLower(cabi.TakeString(u32(e), u32(e+4)))
		h[name] = append(h[name], cabi.TakeString(u32(e+8), u32(e+12)))
	}
	return h
}

// body streams the request body through incoming-body's input-stream.
type body struct {
	req      uint32
	started  bool
	body     uint32 // incoming-body, 0 once finished
	stream   uint32 // input-stream, 0 once dropped
	buf      []byte // read but not yet returned
	eof      bool
	err      error
	trailers Header
	trailErr error
	finished bool
}

// chunk is how much one blocking-read asks for.
const chunk = 64 << 10

func (b *body) start() error {
	if b.started {
		return b.err
	}
	b.started = true
	var a cabi.Area
	wasihttp.IncomingRequestConsume(b.req, a.Ptr())
	if a.U8(0) != 0 {
		b.err = errors.New("request body: already consumed")
		return b.err
	}
	b.body = a.U32(4)
	a = cabi.Area{}
	wasihttp.IncomingBodyStream(b.body, a.Ptr())
	if a.U8(0) != 0 {
		b.err = errors.New("request body: no stream")
		return b.err
	}
	b.stream = a.U32(4)
	return nil
}

func (b *body) Read(p []byte) (int, error) {
	if len(b.buf) == 0 {
		if b.eof {
			return 0, io.EOF
		}
		if err := b.start(); err != nil {
			return 0, err
		}
		if b.stream == 0 {
			return 0, io.ErrClosedPipe
		}
		var a cabi.Area
		wasihttp.InputStreamBlockingRead(b.stream, uint64(max(len(p), chunk)), a.Ptr())
		if a.U8(0) != 0 {
			if a.U8(4) == 0 { // last-operation-failed(error)
				wasihttp.ErrorDrop(a.U32(8))
				b.err = errors.New("request body: read failed (the client went away, or the body is over the host's limit)")
				return 0, b.err
			}
			b.eof = true
			return 0, io.EOF
		}
		b.buf = cabi.Take(a.U32(4), a.U32(8))
	}
	n := copy(p, b.buf)
	b.buf = b.buf[n:]
	return n, nil
}

// Close drops the stream; the body is released when the request ends.
func (b *body) Close() error {
	if b.stream != 0 {
		wasihttp.InputStreamDrop(b.stream)
		b.stream = 0
	}
	return nil
}

// trailerHeader drains the body, then waits for the trailers.
func (b *body) trailerHeader() (Header, error) {
	if b.finished {
		return b.trailers, b.trailErr
	}
	if _, err := io.Copy(io.Discard, b); err != nil {
		return nil, err
	}
	b.Close()
	b.finished = true
	b.trailers = Header{}
	if b.body == 0 {
		return b.trailers, nil
	}
	ft := wasihttp.IncomingBodyFinish(b.body)
	b.body = 0
	p := wasihttp.FutureTrailersSubscribe(ft)
	wasihttp.PollableBlock(p)
	wasihttp.PollableDrop(p)
	var a cabi.Area
	wasihttp.FutureTrailersGet(ft, a.Ptr())
	switch {
	case a.U8(0) == 0 || a.U8(8) != 0:
		b.trailErr = errors.New("request trailers: not available")
	case a.U8(16) != 0:
		b.trailErr = errors.New("request trailers: the body ended with an error")
	case a.U8(24) == 1:
		f := a.U32(28)
		b.trailers = entries(f)
		wasihttp.FieldsDrop(f)
	}
	wasihttp.FutureTrailersDrop(ft)
	return b.trailers, b.trailErr
}

// release drops what is left, children first.
func (b *body) release() {
	b.Close()
	if b.body != 0 {
		wasihttp.IncomingBodyDrop(b.body)
		b.body = 0
	}
}

func (r *Request) close() {
	if b, ok := r.Body.(*body); ok {
		b.release()
	}
}

// response is the ResponseWriter over an outgoing-response.
type response struct {
	out     uint32 // response-outparam
	status  int
	header  Header
	trailer Header
	wrote   bool   // the status was set
	sent    bool   // response-outparam.set was called
	body    uint32 // outgoing-body
	stream  uint32 // output-stream
	err     error
}

func (w *response) Header() Header { return w.header }

func (w *response) Trailer() Header {
	if w.trailer == nil {
		w.trailer = Header{}
	}
	return w.trailer
}

func (w *response) WriteHeader(status int) {
	if w.wrote || w.sent {
		return
	}
	w.wrote = true
	w.status = status
}

// newFields makes a fields resource from a Header, skipping (and
// reporting) a field the host refuses.
func newFields(h Header) uint32 {
	type entry struct{ name, value string }
	var list []entry
	for k, vs := range h {
		for _, v := range vs {
			list = append(list, entry{k, v})
		}
	}
	if len(list) == 0 {
		return wasihttp.FieldsNew()
	}
	arr := make([]uint32, 4*len(list))
	for i, e := range list {
		arr[4*i], arr[4*i+1] = cabi.Str(e.name)
		arr[4*i+2], arr[4*i+3] = cabi.Str(e.value)
	}
	var a cabi.Area
	wasihttp.FieldsFromList(unsafe.Pointer(&arr[0]), uint32(len(list)), a.Ptr())
	runtime.KeepAlive(list)
	runtime.KeepAlive(arr)
	if a.U8(0) == 0 {
		return a.U32(4)
	}
	// One of them is refused: add them one by one to say which.
	f := wasihttp.FieldsNew()
	for _, e := range list {
		a = cabi.Area{}
		wasihttp.FieldsAppend(f, unsafe.Pointer(unsafe.StringData(e.name)), uint32(len(e.name)),
			unsafe.Pointer(unsafe.StringData(e.value)), uint32(len(e.value)), a.Ptr())
		runtime.KeepAlive(e)
		if a.U8(0) != 0 {
			fmt.Fprintf(os.Stderr, "backend: header %q refused by the host (%s); not sent\n", e.name, headerError(a.U8(1)))
		}
	}
	return f
}

func headerError(code uint8) string {
	switch code {
	case 0:
		return "invalid syntax"
	case 1:
		return "forbidden"
	case 2:
		return "immutable"
	}
	return fmt.Sprintf("error %d", code)
}

// send sets the response on the outparam and opens its body.
func (w *response) send() error {
	if w.sent {
		return w.err
	}
	w.sent = true
	resp := wasihttp.OutgoingResponseNew(newFields(w.header))
	if wasihttp.OutgoingResponseSetStatusCode(resp, uint32(w.status)) != 0 {
		fmt.Fprintf(os.Stderr, "backend: status %d refused by the host; sending 500\n", w.status)
		wasihttp.OutgoingResponseSetStatusCode(resp, 500)
	}
	var a cabi.Area
	wasihttp.OutgoingResponseBody(resp, a.Ptr())
	if a.U8(0) != 0 {
		wasihttp.OutgoingResponseDrop(resp)
		w.err = errors.New("response body: not available")
		return w.err
	}
	w.body = a.U32(4)
	wasihttp.ResponseOutparamSet(w.out, 0, resp, 0, 0, 0, 0, 0, 0)
	a = cabi.Area{}
	wasihttp.OutgoingBodyWrite(w.body, a.Ptr())
	if a.U8(0) != 0 {
		w.err = errors.New("response body: no stream")
		return w.err
	}
	w.stream = a.U32(4)
	return nil
}

func (w *response) Write(p []byte) (int, error) {
	if err := w.send(); err != nil {
		return 0, err
	}
	if !bodyAllowed(w.status) {
		return 0, ErrBodyNotAllowed
	}
	written := 0
	for len(p) > 0 {
		var a cabi.Area
		wasihttp.OutputStreamCheckWrite(w.stream, a.Ptr())
		if a.U8(0) != 0 {
			return written, w.streamErr(a, 8)
		}
		room := a.U64(8)
		if room == 0 {
			ready := wasihttp.OutputStreamSubscribe(w.stream)
			wasihttp.PollableBlock(ready)
			wasihttp.PollableDrop(ready)
			continue
		}
		k := uint32(min(room, uint64(len(p))))
		a = cabi.Area{}
		wasihttp.OutputStreamWrite(w.stream, unsafe.Pointer(&p[0]), k, a.Ptr())
		if a.U8(0) != 0 {
			return written, w.streamErr(a, 4)
		}
		p = p[k:]
		written += int(k)
	}
	return written, nil
}

// streamErr turns a stream-error at off into an error, dropping its
// wasi:io error.
func (w *response) streamErr(a cabi.Area, off int) error {
	if a.U8(off) == 0 {
		wasihttp.ErrorDrop(a.U32(off + 4))
		w.err = errors.New("response body: write failed (the client went away?)")
	} else {
		w.err = errors.New("response body: stream closed")
	}
	return w.err
}

func (w *response) Flush() {
	if w.send() != nil {
		return
	}
	var a cabi.Area
	wasihttp.OutputStreamBlockingFlush(w.stream, a.Ptr())
}

// fail answers 500 with msg when nothing was sent yet; otherwise the body
// is left unfinished, which tells the host the response failed.
func (w *response) fail(msg string) {
	if !w.sent {
		w.header = Header{"content-type": {"text/plain; charset=utf-8"}}
		w.status = 500
		w.trailer = nil
		w.Write([]byte(msg))
		return
	}
	w.err = errors.New(msg)
}

// finish ends the response: the body with its trailers, or, when the
// handler failed midway, by dropping the body unfinished.
func (w *response) finish() {
	if err := w.send(); err != nil && w.body == 0 {
		return
	}
	if w.stream != 0 {
		if w.err == nil {
			var a cabi.Area
			wasihttp.OutputStreamBlockingFlush(w.stream, a.Ptr())
		}
		wasihttp.OutputStreamDrop(w.stream)
		w.stream = 0
	}
	if w.err != nil {
		wasihttp.OutgoingBodyDrop(w.body)
		return
	}
	var has, t uint32
	if len(w.trailer) > 0 {
		has, t = 1, newFields(w.trailer)
	}
	var a [6]uint64 // result<_, error-code>: 40 bytes, align 8
	wasihttp.OutgoingBodyFinish(w.body, has, t, unsafe.Pointer(&a))
	if uint8(a[0]) != 0 {
		fmt.Fprintln(os.Stderr, "backend: finishing the response body failed")
	}
}
