package wasi

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/bigband-dev/bigband/host/abi"
)

// Error is a wasi:io/error resource: the host error behind a stream's
// last-operation-failed, kept so the guest can ask for details.
type Error struct{ err error }

// NewError wraps err as a wasi:io/error resource.
func NewError(err error) *Error { return &Error{err: err} }

// Unwrap returns the host error, so that interface-specific functions
// (filesystem-error-code, http-error-code) can classify it.
func (e *Error) Unwrap() error { return e.err }

func (e *Error) Error() string { return e.err.Error() }

// Pollable is a wasi:io/poll pollable: something that becomes ready. It is
// built on channels so that poll can wait on many at once with one select.
type Pollable struct {
	ready func() <-chan struct{}
	drop  func()
}

// NewPollable returns a pollable that is ready once the channel returned by
// ready is closed. ready is asked again on every check, so a source whose
// readiness comes and goes (a stream drained by reads) hands out a fresh
// channel each time it stops being ready. drop, if not nil, runs when the
// guest drops the pollable.
func NewPollable(ready func() <-chan struct{}, drop func()) *Pollable {
	return &Pollable{ready: ready, drop: drop}
}

// ChanPollable returns a pollable that is ready once done is closed.
func ChanPollable(done <-chan struct{}) *Pollable {
	return &Pollable{ready: func() <-chan struct{} { return done }}
}

// ReadyPollable returns a pollable that is always ready.
func ReadyPollable() *Pollable {
	ch := make(chan struct{})
	close(ch)
	return ChanPollable(ch)
}

// TimerPollable returns a pollable that becomes ready after d. Dropping it
// stops the timer.
func TimerPollable(d time.Duration) *Pollable {
	ch := make(chan struct{})
	if d <= 0 {
		close(ch)
		return ChanPollable(ch)
	}
	t := time.AfterFunc(d, func() { close(ch) })
	return &Pollable{
		ready: func() <-chan struct{} { return ch },
		drop:  func() { t.Stop() },
	}
}

// Ready reports whether the pollable is ready, without waiting.
func (p *Pollable) Ready() bool { return isClosed(p.ready()) }

// Block waits until the pollable is ready or ctx is done.
func (p *Pollable) Block(ctx context.Context) error {
	select {
	case <-p.ready():
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wasi:io/poll: block interrupted: %w", ctx.Err())
	}
}

// Drop releases what the pollable holds (a timer).
func (p *Pollable) Drop() {
	if p.drop != nil {
		p.drop()
	}
}

// Poll waits until at least one of ps is ready (or ctx is done) and returns
// the indices of all that are ready then.
func Poll(ctx context.Context, ps []*Pollable) ([]uint32, error) {
	if len(ps) == 0 {
		// wasmtime traps here too: waiting on nothing would block forever.
		return nil, errors.New("wasi:io/poll: poll: empty list of pollables")
	}
	chans := make([]<-chan struct{}, len(ps))
	for i, p := range ps {
		chans[i] = p.ready()
	}
	if ready := readyIndices(chans); len(ready) > 0 {
		return ready, nil
	}
	cases := make([]reflect.SelectCase, 0, len(ps)+1)
	cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())})
	for _, ch := range chans {
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ch)})
	}
	if chosen, _, _ := reflect.Select(cases); chosen == 0 {
		return nil, fmt.Errorf("wasi:io/poll: poll interrupted: %w", ctx.Err())
	}
	return readyIndices(chans), nil
}

func readyIndices(chans []<-chan struct{}) []uint32 {
	var ready []uint32
	for i, ch := range chans {
		if isClosed(ch) {
			ready = append(ready, uint32(i))
		}
	}
	return ready
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Stream errors as WIT values: variant stream-error {
// last-operation-failed(error), closed }.
func streamClosed() abi.Result { return abi.Err(abi.Variant{Case: 1}) }

func streamFailed(err error) abi.Result {
	return abi.Err(abi.Variant{Case: 0, Value: NewError(err)})
}

func ioError() *Interface {
	return &Interface{
		Name:      "wasi:io/error",
		Resources: []string{"error"},
		Funcs: map[string]Func{
			"[method]error.to-debug-string": method(func(_ context.Context, _ *State, e *Error, _ []any) (any, error) {
				return e.err.Error(), nil
			}),
		},
	}
}

func ioPoll() *Interface {
	return &Interface{
		Name:      "wasi:io/poll",
		Resources: []string{"pollable"},
		Funcs: map[string]Func{
			"[method]pollable.ready": method(func(_ context.Context, _ *State, p *Pollable, _ []any) (any, error) {
				return p.Ready(), nil
			}),
			"[method]pollable.block": method(func(ctx context.Context, _ *State, p *Pollable, _ []any) (any, error) {
				return nil, p.Block(ctx)
			}),
			"poll": func(ctx context.Context, _ *State, args []any) (any, error) {
				list, err := arg[[]any](args, 0)
				if err != nil {
					return nil, err
				}
				ps := make([]*Pollable, len(list))
				for i, v := range list {
					p, ok := v.(*Pollable)
					if !ok {
						return nil, fmt.Errorf("wasi:io/poll: poll: element %d is %T, not a pollable", i, v)
					}
					ps[i] = p
				}
				ready, err := Poll(ctx, ps)
				if err != nil {
					return nil, err
				}
				out := make([]any, len(ready))
				for i, r := range ready {
					out[i] = r
				}
				return out, nil
			},
		},
	}
}

// arg returns args[i] as a T; a mismatch is a bug in the runtime, not the
// guest, so it is a Go error.
func arg[T any](args []any, i int) (T, error) {
	var zero T
	if i >= len(args) {
		return zero, fmt.Errorf("wasi: argument %d missing (got %d)", i, len(args))
	}
	v, ok := args[i].(T)
	if !ok {
		return zero, fmt.Errorf("wasi: argument %d is %T, want %T", i, args[i], zero)
	}
	return v, nil
}

// method adapts a resource method: args[0] is self.
func method[T any](f func(ctx context.Context, st *State, self T, args []any) (any, error)) Func {
	return func(ctx context.Context, st *State, args []any) (any, error) {
		self, err := arg[T](args, 0)
		if err != nil {
			return nil, err
		}
		return f(ctx, st, self, args[1:])
	}
}
