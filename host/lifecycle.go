package host

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// ErrProgramClosed is returned by Instantiate on a closed program.
var ErrProgramClosed = errors.New("program was closed; load the guest again")

// DeadlineError is the cause of a call, instantiation or destructor stopped
// by Config.CallTimeout. It matches context.DeadlineExceeded with errors.Is.
type DeadlineError struct{ Timeout time.Duration }

func (e *DeadlineError) Error() string {
	return fmt.Sprintf("the %s deadline passed (Config.CallTimeout; --timeout raises it)", e.Timeout)
}

func (e *DeadlineError) Is(target error) bool { return target == context.DeadlineExceeded }

// deadline bounds ctx by Config.CallTimeout, with a cause naming it.
func (r *Runtime) deadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if t := r.cfg.CallTimeout; t > 0 {
		return context.WithTimeoutCause(ctx, t, &DeadlineError{t})
	}
	return ctx, func() {}
}

// closer is code a program compiled or a module it instantiated for all its
// instances.
type closer interface{ Close(context.Context) error }

// liveCompiled counts closers held by programs not yet freed, so tests can
// see Close release them.
var liveCompiled atomic.Int64

// lifecycle reference-counts a program's code: it is released once Close
// was called and the last instance is gone.
type lifecycle struct {
	mu     sync.Mutex
	owned  []closer
	refs   int
	closed bool
	freed  bool
	// spare is the instance Load made, not used yet: the first
	// Instantiate takes it.
	spare *Instance
}

// takeSpare returns the instance Load made, once, unless the runtime
// closed it since.
func (p *Program) takeSpare() *Instance {
	p.life.mu.Lock()
	defer p.life.mu.Unlock()
	if p.rt.closed.Load() {
		return nil
	}
	inst := p.life.spare
	p.life.spare = nil
	return inst
}

// own records something to release with the program.
func (p *Program) own(c closer) {
	p.life.mu.Lock()
	defer p.life.mu.Unlock()
	p.life.owned = append(p.life.owned, c)
	liveCompiled.Add(1)
}

// acquire takes a reference for an instance being made.
func (p *Program) acquire() error {
	p.life.mu.Lock()
	defer p.life.mu.Unlock()
	if p.life.closed {
		return ErrProgramClosed
	}
	p.life.refs++
	return nil
}

// unref drops an instance's reference, freeing the code after Close.
func (p *Program) unref(ctx context.Context) {
	p.life.mu.Lock()
	p.life.refs--
	free := p.life.closed && p.life.refs == 0
	p.life.mu.Unlock()
	if free {
		p.free(ctx)
	}
}

// Close releases the program's compiled code (every core module, the
// modules linking a component's instances, the host functions' module).
// Instances still alive keep it until they are closed; Instantiate fails
// with ErrProgramClosed afterwards. Closing twice is harmless.
func (p *Program) Close(ctx context.Context) error {
	p.life.mu.Lock()
	if p.life.closed {
		p.life.mu.Unlock()
		return nil
	}
	p.life.closed = true
	free := p.life.refs == 0
	spare := p.life.spare
	p.life.spare = nil
	p.life.mu.Unlock()
	p.dropUpgrade()
	if spare != nil {
		spare.Close(ctx) // frees the program when it held the last reference
	}
	if free {
		return p.free(ctx)
	}
	return nil
}

// free closes everything the program owns, newest first (module instances
// before the code they were made from), once.
func (p *Program) free(ctx context.Context) error {
	p.life.mu.Lock()
	if p.life.freed {
		p.life.mu.Unlock()
		return nil
	}
	p.life.freed = true
	owned := p.life.owned
	p.life.owned = nil
	p.life.mu.Unlock()
	var err error
	for i := len(owned) - 1; i >= 0; i-- {
		if cerr := owned[i].Close(ctx); err == nil {
			err = cerr
		}
		liveCompiled.Add(-1)
	}
	return err
}
