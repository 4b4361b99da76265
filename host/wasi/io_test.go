package wasi

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/host/abi"
)

// call runs iface's function fn the way the runtime does, failing the test
// on a Go error.
func call(t *testing.T, st *State, iface, fn string, args ...any) any {
	t.Helper()
	v, err := callErr(st, iface, fn, args...)
	if err != nil {
		t.Fatalf("%s#%s: %v", iface, fn, err)
	}
	return v
}

func callErr(st *State, iface, fn string, args ...any) (any, error) {
	return callCtx(context.Background(), st, iface, fn, args...)
}

func callCtx(ctx context.Context, st *State, iface, fn string, args ...any) (any, error) {
	it, ok := Lookup(iface)
	if !ok {
		return nil, errors.New("no interface " + iface)
	}
	f := it.Funcs[fn]
	if f == nil {
		return nil, errors.New("no function " + fn)
	}
	return f(ctx, st, args)
}

// okValue returns the payload of result.ok, failing on an error.
func okValue(t *testing.T, v any) any {
	t.Helper()
	r, ok := v.(abi.Result)
	if !ok {
		t.Fatalf("got %T %#v, want a result", v, v)
	}
	if r.Err {
		t.Fatalf("got error %#v, want ok", r.Value)
	}
	return r.Value
}

// errValue returns the payload of result.error, failing on ok.
func errValue(t *testing.T, v any) any {
	t.Helper()
	r, ok := v.(abi.Result)
	if !ok {
		t.Fatalf("got %T %#v, want a result", v, v)
	}
	if !r.Err {
		t.Fatalf("got ok %#v, want an error", r.Value)
	}
	return r.Value
}

var closedErr = abi.Variant{Case: 1}

const streams = "wasi:io/streams"

func TestStdoutWrites(t *testing.T) {
	for _, tc := range []struct {
		fn   string
		arg  any
		want string
	}{
		{"[method]output-stream.write", []byte("hi"), "hi"},
		{"[method]output-stream.blocking-write-and-flush", []byte("héllo\n"), "héllo\n"},
		{"[method]output-stream.write", []byte{}, ""},
		{"[method]output-stream.write-zeroes", uint64(3), "\x00\x00\x00"},
		{"[method]output-stream.blocking-write-zeroes-and-flush", uint64(readChunk + 5), strings.Repeat("\x00", readChunk+5)},
	} {
		var out bytes.Buffer
		st := NewState(Config{Stdout: &out})
		s := call(t, st, "wasi:cli/stdout", "get-stdout")
		okValue(t, call(t, st, streams, tc.fn, s, tc.arg))
		if out.String() != tc.want {
			t.Errorf("%s(%v): stdout %q, want %q", tc.fn, tc.arg, out.String(), tc.want)
		}
	}
}

func TestStderrAndCheckWrite(t *testing.T) {
	var errOut bytes.Buffer
	st := NewState(Config{Stderr: &errOut})
	s := call(t, st, "wasi:cli/stderr", "get-stderr")
	if n := okValue(t, call(t, st, streams, "[method]output-stream.check-write", s)); n != uint64(WriteBudget) {
		t.Errorf("check-write = %v, want %d", n, WriteBudget)
	}
	okValue(t, call(t, st, streams, "[method]output-stream.write", s, []byte("oops")))
	okValue(t, call(t, st, streams, "[method]output-stream.flush", s))
	okValue(t, call(t, st, streams, "[method]output-stream.blocking-flush", s))
	if errOut.String() != "oops" {
		t.Errorf("stderr %q", errOut.String())
	}
	if p := call(t, st, streams, "[method]output-stream.subscribe", s).(*Pollable); !p.Ready() {
		t.Error("output-stream pollable not ready")
	}
}

func TestNilStdoutDiscards(t *testing.T) {
	st := NewState(Config{})
	s := call(t, st, "wasi:cli/stdout", "get-stdout")
	okValue(t, call(t, st, streams, "[method]output-stream.blocking-write-and-flush", s, []byte("x")))
}

func TestOutputStreamFlushesWriter(t *testing.T) {
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	s := NewOutputStream(bw)
	st := NewState(Config{})
	okValue(t, call(t, st, streams, "[method]output-stream.write", s, []byte("buffered")))
	if out.Len() != 0 {
		t.Fatalf("written before flush: %q", out.String())
	}
	okValue(t, call(t, st, streams, "[method]output-stream.blocking-flush", s))
	if out.String() != "buffered" {
		t.Errorf("after flush %q", out.String())
	}
}

func TestOutputStreamClosed(t *testing.T) {
	st := NewState(Config{})
	s := NewOutputStream(io.Discard)
	s.Close()
	for _, tc := range []struct {
		fn   string
		args []any
	}{
		{"[method]output-stream.check-write", nil},
		{"[method]output-stream.write", []any{[]byte("x")}},
		{"[method]output-stream.blocking-write-and-flush", []any{[]byte("x")}},
		{"[method]output-stream.flush", nil},
		{"[method]output-stream.write-zeroes", []any{uint64(1)}},
		{"[method]output-stream.splice", []any{NewInputStream(strings.NewReader("x")), uint64(1)}},
	} {
		got := errValue(t, call(t, st, streams, tc.fn, append([]any{s}, tc.args...)...))
		if got != closedErr {
			t.Errorf("%s on a closed stream: %#v, want closed", tc.fn, got)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestOutputStreamFailure(t *testing.T) {
	st := NewState(Config{Stdout: failingWriter{}})
	s := call(t, st, "wasi:cli/stdout", "get-stdout")
	got := errValue(t, call(t, st, streams, "[method]output-stream.write", s, []byte("x"))).(abi.Variant)
	if got.Case != 0 {
		t.Fatalf("first failure: %#v, want last-operation-failed", got)
	}
	msg := call(t, st, "wasi:io/error", "[method]error.to-debug-string", got.Value)
	if msg != "disk on fire" {
		t.Errorf("to-debug-string = %q", msg)
	}
	if code := call(t, st, "wasi:filesystem/types", "filesystem-error-code", got.Value); code != abi.None {
		t.Errorf("filesystem-error-code of a non-filesystem error = %#v, want none", code)
	}
	// WASI: after last-operation-failed the stream is closed.
	if got := errValue(t, call(t, st, streams, "[method]output-stream.write", s, []byte("x"))); got != closedErr {
		t.Errorf("second write: %#v, want closed", got)
	}
}

func TestStdinReads(t *testing.T) {
	st := NewState(Config{Stdin: strings.NewReader("hello world")})
	in := call(t, st, "wasi:cli/stdin", "get-stdin")
	for _, tc := range []struct {
		fn   string
		n    uint64
		want any
	}{
		{"[method]input-stream.blocking-read", 0, []byte{}},
		{"[method]input-stream.blocking-read", 5, []byte("hello")},
		{"[method]input-stream.blocking-skip", 1, uint64(1)},
		{"[method]input-stream.blocking-read", 100, []byte("world")},
	} {
		got := okValue(t, call(t, st, streams, tc.fn, in, tc.n))
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s(%d) = %#v, want %#v", tc.fn, tc.n, got, tc.want)
		}
	}
	// A non-blocking read may find nothing yet; once the pollable is ready
	// the end of the stream is known.
	if err := in.(*InputStream).Subscribe().Block(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, fn := range []string{"read", "blocking-read", "skip", "blocking-skip"} {
		if got := errValue(t, call(t, st, streams, "[method]input-stream."+fn, in, uint64(1))); got != closedErr {
			t.Errorf("%s at the end: %#v, want closed", fn, got)
		}
	}
}

func TestNonBlockingReadAfterPoll(t *testing.T) {
	st := NewState(Config{})
	in := NewInputStream(strings.NewReader("abc"))
	p := call(t, st, streams, "[method]input-stream.subscribe", in)
	if _, err := callErr(st, "wasi:io/poll", "[method]pollable.block", p); err != nil {
		t.Fatal(err)
	}
	if got := okValue(t, call(t, st, streams, "[method]input-stream.read", in, uint64(2))); string(got.([]byte)) != "ab" {
		t.Errorf("read = %q", got)
	}
	if got := okValue(t, call(t, st, streams, "[method]input-stream.skip", in, uint64(9))); got != uint64(1) {
		t.Errorf("skip = %v", got)
	}
}

func TestNilStdinIsClosed(t *testing.T) {
	st := NewState(Config{})
	in := call(t, st, "wasi:cli/stdin", "get-stdin")
	if got := errValue(t, call(t, st, streams, "[method]input-stream.read", in, uint64(1))); got != closedErr {
		t.Errorf("read of nil stdin: %#v, want closed", got)
	}
}

func TestStdinHandlesShareOneReader(t *testing.T) {
	st := NewState(Config{Stdin: strings.NewReader("abcdef")})
	a := call(t, st, "wasi:cli/stdin", "get-stdin").(*InputStream)
	okValue(t, call(t, st, streams, "[method]input-stream.blocking-read", a, uint64(2)))
	a.Drop()
	b := call(t, st, "wasi:cli/stdin", "get-stdin")
	if got := okValue(t, call(t, st, streams, "[method]input-stream.blocking-read", b, uint64(10))); string(got.([]byte)) != "cdef" {
		t.Errorf("second handle read %q, want the rest of stdin", got)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("pipe broke") }

func TestInputStreamFailure(t *testing.T) {
	st := NewState(Config{Stdin: failingReader{}})
	in := call(t, st, "wasi:cli/stdin", "get-stdin")
	got := errValue(t, call(t, st, streams, "[method]input-stream.blocking-read", in, uint64(1))).(abi.Variant)
	if got.Case != 0 || got.Value.(*Error).Error() != "pipe broke" {
		t.Fatalf("got %#v, want last-operation-failed(pipe broke)", got)
	}
	if got := errValue(t, call(t, st, streams, "[method]input-stream.read", in, uint64(1))); got != closedErr {
		t.Errorf("after the failure: %#v, want closed", got)
	}
}

// countingReader is endless and counts what was taken from it.
type countingReader struct{ n atomic.Int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	r.n.Add(int64(len(p)))
	return len(p), nil
}

func TestInputStreamBackpressure(t *testing.T) {
	r := &countingReader{}
	in := NewInputStream(r)
	defer in.Drop()
	if err := in.Subscribe().Block(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond) // give a misbehaving pump time to run ahead
	if n := r.n.Load(); n > readChunk {
		t.Errorf("pump read %d bytes ahead of the guest, want at most %d", n, readChunk)
	}
	data, err := in.BlockingRead(context.Background(), readChunk)
	if err != nil || len(data) != readChunk {
		t.Fatalf("read %d, %v", len(data), err)
	}
	if err := in.Subscribe().Block(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := r.n.Load(); n != 2*readChunk {
		t.Errorf("after one chunk consumed the pump read %d, want %d", n, 2*readChunk)
	}
}

func TestInputStreamOnDrop(t *testing.T) {
	in := NewInputStream(strings.NewReader("x"))
	dropped := false
	in.OnDrop(func() { dropped = true })
	in.Drop()
	if !dropped {
		t.Error("OnDrop callback not run")
	}
}

func TestSplice(t *testing.T) {
	for _, fn := range []string{"splice", "blocking-splice"} {
		var out bytes.Buffer
		st := NewState(Config{Stdin: strings.NewReader("spliced!"), Stdout: &out})
		in := call(t, st, "wasi:cli/stdin", "get-stdin")
		o := call(t, st, "wasi:cli/stdout", "get-stdout")
		total := uint64(0)
		for i := 0; i < 1000; i++ {
			r := call(t, st, streams, "[method]output-stream."+fn, o, in, uint64(100)).(abi.Result)
			if r.Err {
				if r.Value != closedErr {
					t.Fatalf("%s: %#v", fn, r.Value)
				}
				break
			}
			total += r.Value.(uint64)
			if fn == "splice" {
				in.(*InputStream).Subscribe().Block(context.Background())
			}
		}
		if out.String() != "spliced!" || total != 8 {
			t.Errorf("%s: moved %d bytes, stdout %q", fn, total, out.String())
		}
	}
}

func TestPollTimers(t *testing.T) {
	st := NewState(Config{})
	const clock = "wasi:clocks/monotonic-clock"
	start := time.Now()
	short := call(t, st, clock, "subscribe-duration", uint64(20*time.Millisecond))
	long := call(t, st, clock, "subscribe-duration", uint64(time.Hour))
	defer long.(*Pollable).Drop()
	if call(t, st, "wasi:io/poll", "[method]pollable.ready", short) != false {
		t.Fatal("20ms timer ready at once")
	}
	got := call(t, st, "wasi:io/poll", "poll", []any{long, short})
	if el := time.Since(start); el < 20*time.Millisecond {
		t.Errorf("poll returned after %v, before the timer", el)
	}
	if !reflect.DeepEqual(got, []any{uint32(1)}) {
		t.Errorf("poll = %#v, want [1]", got)
	}
	if call(t, st, "wasi:io/poll", "[method]pollable.ready", short) != true {
		t.Error("fired timer not ready")
	}
	now := ReadyPollable()
	if got := call(t, st, "wasi:io/poll", "poll", []any{short, long, now}); !reflect.DeepEqual(got, []any{uint32(0), uint32(2)}) {
		t.Errorf("poll = %#v, want [0 2]", got)
	}
}

// within runs f and fails the test if it is still running after 5s, so a
// wait that ignores its context fails rather than hangs the test binary.
func within(t *testing.T, what string, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Errorf("%s still waiting 5s after its context ended", what)
		return nil
	}
}

func TestPollStopsOnCancel(t *testing.T) {
	st := NewState(Config{})
	for _, tc := range []struct {
		fn   string
		args func(p *Pollable) []any
	}{
		{"[method]pollable.block", func(p *Pollable) []any { return []any{p} }},
		{"poll", func(p *Pollable) []any { return []any{[]any{p}} }},
	} {
		p := TimerPollable(time.Hour)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(10*time.Millisecond, cancel)
		err := within(t, tc.fn, func() error {
			_, err := callCtx(ctx, st, "wasi:io/poll", tc.fn, tc.args(p)...)
			return err
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s after cancel: %v, want context.Canceled", tc.fn, err)
		}
		p.Drop()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	in := NewInputStream(blockingReader{})
	err := within(t, "blocking-read", func() error {
		_, err := callCtx(ctx, st, streams, "[method]input-stream.blocking-read", in, uint64(1))
		return err
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("blocking-read past the deadline: %v", err)
	}
}

// blockingReader never returns.
type blockingReader struct{}

func (blockingReader) Read([]byte) (int, error) { select {} }

func TestPollEmptyTraps(t *testing.T) {
	if _, err := callErr(NewState(Config{}), "wasi:io/poll", "poll", []any{}); err == nil {
		t.Error("poll of nothing: no error")
	}
}

func TestWrongArgumentIsHostError(t *testing.T) {
	st := NewState(Config{})
	if _, err := callErr(st, streams, "[method]output-stream.write", "not a stream", []byte{}); err == nil {
		t.Error("no error for a wrong self")
	}
	if _, err := callErr(st, streams, "[method]output-stream.write", NewOutputStream(nil)); err == nil {
		t.Error("no error for a missing argument")
	}
}
