package wasi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/bigband-dev/bigband/host/abi"
)

// WriteBudget is what check-write grants: writes go straight to the
// writer, so the budget only bounds how much a guest hands over per call.
const WriteBudget = 1 << 20

// readChunk is how much the pump of an InputStream reads ahead.
const readChunk = 64 << 10

// InputStream is a wasi:io/streams input-stream over an io.Reader.
//
// Non-blocking reads must not block on the reader, so a goroutine (started
// on the first read or subscribe) reads one chunk ahead; it reads the next
// only once the guest has consumed the last, which is the backpressure.
type InputStream struct {
	src    *source
	owned  bool // dropping the stream stops the pump
	mu     sync.Mutex
	onDrop func()
}

// NewInputStream returns an input stream over r; a nil r is a stream that
// is already closed. The stream does not close r: use OnDrop for that.
func NewInputStream(r io.Reader) *InputStream {
	return &InputStream{src: newSource(r), owned: true}
}

// OnDrop registers f to run when the guest drops the stream (after the
// pump has been told to stop).
func (s *InputStream) OnDrop(f func()) {
	s.mu.Lock()
	s.onDrop = f
	s.mu.Unlock()
}

// Drop implements abi.Dropper.
func (s *InputStream) Drop() {
	if s.owned {
		s.src.close()
	}
	s.mu.Lock()
	f := s.onDrop
	s.onDrop = nil
	s.mu.Unlock()
	if f != nil {
		f()
	}
}

// Read returns up to n bytes without blocking: possibly none. The error is
// io.EOF once the stream is closed, or the reader's failure (reported once,
// then io.EOF).
func (s *InputStream) Read(n uint64) ([]byte, error) { return s.src.take(n) }

// BlockingRead waits until at least one byte, the end of the stream or ctx
// is done, then reads like Read.
func (s *InputStream) BlockingRead(ctx context.Context, n uint64) ([]byte, error) {
	if n == 0 {
		return s.src.take(0)
	}
	if err := s.Subscribe().Block(ctx); err != nil {
		return nil, err
	}
	return s.src.take(n)
}

// Subscribe returns a pollable that is ready when a read would return data
// or the end of the stream.
func (s *InputStream) Subscribe() *Pollable {
	return NewPollable(s.src.avail, nil)
}

// source is the reader and its read-ahead, shared by every handle onto it
// (each get-stdin call returns a new handle to the one stdin).
type source struct {
	r    io.Reader
	once sync.Once
	want chan struct{} // cap 1: the consumer asks the pump for a chunk
	stop chan struct{}

	mu       sync.Mutex
	buf      []byte        // read ahead, not yet consumed
	err      error         // after buf: io.EOF, or the reader's failure
	reported bool          // err (a failure) was returned once
	ready    chan struct{} // closed while buf or err is set
	stopped  bool
}

func newSource(r io.Reader) *source {
	s := &source{r: r, want: make(chan struct{}, 1), stop: make(chan struct{}), ready: make(chan struct{})}
	if r == nil {
		s.err = io.EOF
		close(s.ready)
	}
	return s
}

// start runs the pump on first use and asks for the first chunk.
func (s *source) start() {
	s.once.Do(func() {
		if s.r == nil {
			return
		}
		s.want <- struct{}{}
		go s.pump()
	})
}

func (s *source) pump() {
	chunk := make([]byte, readChunk)
	for {
		select {
		case <-s.want:
		case <-s.stop:
			return
		}
		if isClosed(s.stop) {
			return
		}
		n, err := s.r.Read(chunk)
		s.mu.Lock()
		if n > 0 {
			// A fresh slice: what take handed out earlier stays intact.
			s.buf = append([]byte(nil), chunk[:n]...)
		}
		if err != nil {
			s.err = err
		}
		if n > 0 || err != nil {
			close(s.ready)
		} else {
			s.ask()
		}
		s.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// ask requests another chunk; s.mu is held.
func (s *source) ask() {
	select {
	case s.want <- struct{}{}:
	default:
	}
}

func (s *source) avail() <-chan struct{} {
	s.start()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ready
}

func (s *source) take(n uint64) ([]byte, error) {
	s.start()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.buf) > 0 {
		k := uint64(len(s.buf))
		if n < k {
			k = n
		}
		out := s.buf[:k:k]
		s.buf = s.buf[k:]
		if len(s.buf) == 0 {
			s.buf = nil
			s.refill()
		}
		return out, nil
	}
	switch {
	case s.err == nil:
		return []byte{}, nil
	case errors.Is(s.err, io.EOF) || s.reported:
		return nil, io.EOF
	default:
		s.reported = true
		return nil, s.err
	}
}

// refill marks the source not ready and asks for the next chunk, unless
// the reader has ended; s.mu is held.
func (s *source) refill() {
	if s.err != nil {
		return
	}
	s.ready = make(chan struct{})
	s.ask()
}

func (s *source) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stopped {
		s.stopped = true
		close(s.stop)
	}
}

// OutputStream is a wasi:io/streams output-stream over an io.Writer.
// Writes go to the writer synchronously (a slow writer blocks the guest,
// which is the backpressure); flush calls the writer's Flush if it has one.
type OutputStream struct {
	w      io.Writer
	mu     sync.Mutex
	err    error // io.EOF once closed; a write failure before it is reported
	onDrop func()
}

// NewOutputStream returns an output stream over w; a nil w discards.
func NewOutputStream(w io.Writer) *OutputStream {
	if w == nil {
		w = io.Discard
	}
	return &OutputStream{w: w}
}

// Close closes the stream from the host side: further writes fail with
// stream-error closed.
func (s *OutputStream) Close() {
	s.mu.Lock()
	s.err = io.EOF
	s.mu.Unlock()
}

// OnDrop registers f to run when the guest drops the stream.
func (s *OutputStream) OnDrop(f func()) {
	s.mu.Lock()
	s.onDrop = f
	s.mu.Unlock()
}

// Drop implements abi.Dropper.
func (s *OutputStream) Drop() {
	s.mu.Lock()
	f := s.onDrop
	s.onDrop = nil
	s.mu.Unlock()
	if f != nil {
		f()
	}
}

// CheckWrite returns how many bytes the guest may write now.
func (s *OutputStream) CheckWrite() (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failure(); err != nil {
		return 0, err
	}
	return WriteBudget, nil
}

// Write writes p. Writes larger than the budget are accepted: the writer
// is synchronous, so they cannot overrun anything.
func (s *OutputStream) Write(p []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failure(); err != nil {
		return err
	}
	if _, err := s.w.Write(p); err != nil {
		s.err = err
		return s.failure()
	}
	return nil
}

// Flush flushes the writer if it buffers (bufio.Writer, http.Flusher).
func (s *OutputStream) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failure(); err != nil {
		return err
	}
	switch f := s.w.(type) {
	case interface{ Flush() error }:
		if err := f.Flush(); err != nil {
			s.err = err
			return s.failure()
		}
	case interface{ Flush() }:
		f.Flush()
	}
	return nil
}

// failure returns the stream's error once as itself, then io.EOF, the way
// WASI reports last-operation-failed and then closed; s.mu is held.
func (s *OutputStream) failure() error {
	err := s.err
	if err != nil && err != io.EOF {
		s.err = io.EOF
	}
	return err
}

// Subscribe returns a pollable for write readiness: always ready, since
// writes never wait for room.
func (s *OutputStream) Subscribe() *Pollable { return ReadyPollable() }

// streamResult turns a Go stream error into the WIT result.
func streamResult(v any, err error) abi.Result {
	switch {
	case err == nil:
		return abi.Ok(v)
	case errors.Is(err, io.EOF):
		return streamClosed()
	default:
		return streamFailed(err)
	}
}

// zeroes writes n zero bytes in chunks; a guest asking for absurd amounts
// is stopped by ctx like any runaway loop.
func zeroes(ctx context.Context, s *OutputStream, n uint64) error {
	buf := make([]byte, min(n, readChunk))
	for n > 0 {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("wasi:io/streams: write-zeroes interrupted: %w", err)
		}
		k := min(n, uint64(len(buf)))
		if err := s.Write(buf[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// splice moves up to n bytes from src to dst; blocking waits for src.
func splice(ctx context.Context, dst *OutputStream, src *InputStream, n uint64, blocking bool) (any, error) {
	if _, err := dst.CheckWrite(); err != nil {
		return streamResult(nil, err), nil
	}
	n = min(n, WriteBudget)
	var data []byte
	var err error
	if blocking {
		data, err = src.BlockingRead(ctx, n)
	} else {
		data, err = src.Read(n)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return streamResult(nil, err), nil
	}
	if err := dst.Write(data); err != nil {
		return streamResult(nil, err), nil
	}
	if blocking {
		if err := dst.Flush(); err != nil {
			return streamResult(nil, err), nil
		}
	}
	return abi.Ok(uint64(len(data))), nil
}

func inputMethod(f func(ctx context.Context, s *InputStream, n uint64) (any, error)) Func {
	return method(func(ctx context.Context, _ *State, s *InputStream, args []any) (any, error) {
		n, err := arg[uint64](args, 0)
		if err != nil {
			return nil, err
		}
		return f(ctx, s, n)
	})
}

func outputMethod(f func(s *OutputStream, args []any) (any, error)) Func {
	return method(func(_ context.Context, _ *State, s *OutputStream, args []any) (any, error) {
		return f(s, args)
	})
}

func writeZeroes(flush bool) Func {
	return method(func(ctx context.Context, _ *State, s *OutputStream, args []any) (any, error) {
		n, err := arg[uint64](args, 0)
		if err != nil {
			return nil, err
		}
		if err := zeroes(ctx, s, n); err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			return streamResult(nil, err), nil
		}
		if !flush {
			return abi.Ok(nil), nil
		}
		return streamResult(nil, s.Flush()), nil
	})
}

func ioStreams() *Interface {
	read := func(blocking bool) Func {
		return inputMethod(func(ctx context.Context, s *InputStream, n uint64) (any, error) {
			var data []byte
			var err error
			if blocking {
				data, err = s.BlockingRead(ctx, n)
				if err != nil && ctx.Err() != nil {
					return nil, err
				}
			} else {
				data, err = s.Read(n)
			}
			return streamResult(data, err), nil
		})
	}
	skip := func(blocking bool) Func {
		return inputMethod(func(ctx context.Context, s *InputStream, n uint64) (any, error) {
			var data []byte
			var err error
			if blocking {
				data, err = s.BlockingRead(ctx, n)
				if err != nil && ctx.Err() != nil {
					return nil, err
				}
			} else {
				data, err = s.Read(n)
			}
			return streamResult(uint64(len(data)), err), nil
		})
	}
	spliceFunc := func(blocking bool) Func {
		return method(func(ctx context.Context, _ *State, dst *OutputStream, args []any) (any, error) {
			src, err := arg[*InputStream](args, 0)
			if err != nil {
				return nil, err
			}
			n, err := arg[uint64](args, 1)
			if err != nil {
				return nil, err
			}
			return splice(ctx, dst, src, n, blocking)
		})
	}
	bytesArg := func(args []any) ([]byte, error) {
		p, err := arg[[]byte](args, 0)
		if err != nil {
			return nil, fmt.Errorf("wasi:io/streams: contents: %w", err)
		}
		return p, nil
	}
	return &Interface{
		Name:      "wasi:io/streams",
		Resources: []string{"input-stream", "output-stream"},
		Funcs: map[string]Func{
			"[method]input-stream.read":          read(false),
			"[method]input-stream.blocking-read": read(true),
			"[method]input-stream.skip":          skip(false),
			"[method]input-stream.blocking-skip": skip(true),
			"[method]input-stream.subscribe": method(func(_ context.Context, _ *State, s *InputStream, _ []any) (any, error) {
				return s.Subscribe(), nil
			}),
			"[method]output-stream.check-write": outputMethod(func(s *OutputStream, _ []any) (any, error) {
				return streamResult(s.CheckWrite()), nil
			}),
			"[method]output-stream.write": outputMethod(func(s *OutputStream, args []any) (any, error) {
				p, err := bytesArg(args)
				if err != nil {
					return nil, err
				}
				return streamResult(nil, s.Write(p)), nil
			}),
			"[method]output-stream.blocking-write-and-flush": outputMethod(func(s *OutputStream, args []any) (any, error) {
				p, err := bytesArg(args)
				if err != nil {
					return nil, err
				}
				if err := s.Write(p); err != nil {
					return streamResult(nil, err), nil
				}
				return streamResult(nil, s.Flush()), nil
			}),
			"[method]output-stream.flush": outputMethod(func(s *OutputStream, _ []any) (any, error) {
				return streamResult(nil, s.Flush()), nil
			}),
			"[method]output-stream.blocking-flush": outputMethod(func(s *OutputStream, _ []any) (any, error) {
				return streamResult(nil, s.Flush()), nil
			}),
			"[method]output-stream.subscribe": outputMethod(func(s *OutputStream, _ []any) (any, error) {
				return s.Subscribe(), nil
			}),
			"[method]output-stream.write-zeroes":                    writeZeroes(false),
			"[method]output-stream.blocking-write-zeroes-and-flush": writeZeroes(true),
			"[method]output-stream.splice":                          spliceFunc(false),
			"[method]output-stream.blocking-splice":                 spliceFunc(true),
		},
	}
}
