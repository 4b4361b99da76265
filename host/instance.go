package host

import (
	"context"

	"errors"
	"fmt"
	"github.com/bigband-dev/bigband/host/abi"
	"sync"
)

// trapError marks an error that left the instance in an undefined state:
// a trap in guest code, or a call stopped by its deadline.
type trapError struct{ err error }

func (t *trapError) Error() string { return t.err.Error() }
func (t *trapError) Unwrap() error { return t.err }

// ErrBroken is returned by calls on an instance that trapped before.
var ErrBroken = errors.New("instance trapped earlier and was discarded; instantiate the program again")

// Instance is a running guest. Calls are serialised: a component instance
// is not reentrant, and wazero functions must not be called concurrently.
type Instance struct {
	p *Program

	mu     sync.Mutex
	broken bool
	core   *coreInstance
	comp   *compInstance
}

// Instantiate creates a fresh instance of p.
func (p *Program) Instantiate(ctx context.Context) (*Instance, error) {
	inst := &Instance{p: p}
	var err error
	if p.core != nil {
		inst.core, err = p.rt.instantiateCore(ctx, p)
	} else {
		inst.comp, err = p.rt.instantiateComponent(ctx, p)
	}
	if err != nil {
		return nil, err
	}
	return inst, nil
}

// Program is the program this is an instance of.
func (i *Instance) Program() *Program { return i.p }

// Call calls an export (see Program.Lookup for names) with Go arguments
// (see package abi for the representation) and returns its result, or nil
// for a function without one. A trap, or the deadline passing, discards the
// instance: later calls fail with ErrBroken.
func (i *Instance) Call(ctx context.Context, name string, args ...any) (any, error) {
	e, err := i.p.Lookup(name)
	if err != nil {
		return nil, err
	}
	return i.CallExport(ctx, e, args...)
}

// CallExport is Call with an export already looked up.
func (i *Instance) CallExport(ctx context.Context, e *Export, args ...any) (any, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.broken {
		return nil, fmt.Errorf("%s: %s: %w", i.p.name, e.Name, ErrBroken)
	}
	if t := i.p.rt.cfg.CallTimeout; t > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t)
		defer cancel()
	}
	var v any
	var err error
	if i.core != nil {
		v, err = i.core.call(ctx, i.p, e, args)
	} else {
		v, err = i.comp.call(ctx, e, args)
	}
	if err != nil {
		var te *trapError
		if errors.As(err, &te) || abi.IsTrap(err) || ctx.Err() != nil {
			i.broken = true
			i.release(context.Background())
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %s: stopped: %w", i.p.name, e.Name, context.Cause(ctx))
		}
		return nil, fmt.Errorf("%s: %s: %w", i.p.name, e.Name, err)
	}
	return v, nil
}

// Close releases the instance.
func (i *Instance) Close(ctx context.Context) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if !i.broken {
		i.release(ctx)
		i.broken = true
	}
}

func (i *Instance) release(ctx context.Context) {
	if i.core != nil {
		i.core.close(ctx)
	} else {
		i.comp.close(ctx)
	}
}

// DropResource drops an owned handle to a guest resource that a call
// returned to the host, running the guest's destructor.
func (i *Instance) DropResource(ctx context.Context, r abi.Resource) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.broken {
		return fmt.Errorf("%s: drop %s: %w", i.p.name, r.Type.Name, ErrBroken)
	}
	if r.Type.Dtor == nil {
		return nil
	}
	if i.comp != nil {
		ctx = context.WithValue(ctx, instanceKey{}, i.comp)
	}
	if err := r.Type.Dtor(ctx, r.Rep); err != nil {
		i.broken = true
		i.release(context.Background())
		return fmt.Errorf("%s: drop %s: %w", i.p.name, r.Type.Name, err)
	}
	return nil
}

// LiveHandles counts the resource handles alive in the instance: entries in
// its handle tables and host objects it holds. A request that leaves many
// behind is a leak, and the instance should not be reused.
// (Placeholder body: the runtime work of issue 9 makes this real.)
func (i *Instance) LiveHandles() int { return 0 }
