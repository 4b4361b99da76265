package host

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/bigband-dev/bigband/host/abi"
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
	mems   memories
}

// Instantiate creates a fresh instance of p. Config.CallTimeout bounds it
// (start functions, _initialize, a component's whole instance tree).
func (p *Program) Instantiate(ctx context.Context) (*Instance, error) {
	if inst := p.takeSpare(); inst != nil {
		return inst, nil
	}
	if err := p.acquire(); err != nil {
		return nil, fmt.Errorf("%s: instantiate: %w", p.name, err)
	}
	ctx, cancel := p.rt.deadline(ctx)
	defer cancel()
	inst := &Instance{p: p}
	ictx := inst.mems.with(ctx)
	var err error
	if p.core != nil {
		inst.core, err = p.rt.instantiateCore(ictx, p)
	} else {
		inst.comp, err = p.rt.instantiateComponent(ictx, p)
	}
	if err == nil && ctx.Err() != nil {
		// Finished as the deadline passed: wazero may have closed modules.
		inst.release(context.Background())
		return nil, fmt.Errorf("%s: instantiate: stopped: %w", p.name, context.Cause(ctx))
	}
	if err != nil {
		// Modules whose start function failed are never closed by wazero;
		// their memories go here.
		inst.mems.release()
		p.unref(context.Background())
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: instantiate: stopped: %w", p.name, context.Cause(ctx))
		}
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
	ctx, cancel := i.p.rt.deadline(ctx)
	defer cancel()
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
			if te != nil && i.mems.atLimit(i.p.rt.MemoryLimit()) {
				err = fmt.Errorf("%w\n(its memory had grown to the limit: %s)", err, i.p.rt.memoryLimitNote())
			}
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

// Close releases the instance: its modules, the memory reserved for it
// (mapped outside the Go heap, so an instance dropped without Close keeps
// it) and its hold on the program's code.
func (i *Instance) Close(ctx context.Context) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if !i.broken {
		i.release(ctx)
		i.broken = true
	}
}

// release closes the instance's modules, unmaps its memories and drops its
// reference to the program's code. It runs once, when the instance becomes
// broken.
func (i *Instance) release(ctx context.Context) {
	if i.core != nil {
		i.core.close(ctx)
	} else {
		i.comp.close(ctx)
	}
	i.mems.release()
	i.p.unref(ctx)
}

// MemoryBytes is the size of the instance's linear memories together.
func (i *Instance) MemoryBytes() uint64 { return i.mems.committed() }

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
	ctx, cancel := i.p.rt.deadline(ctx)
	defer cancel()
	if i.comp != nil {
		ctx = context.WithValue(ctx, instanceKey{}, i.comp)
	}
	if err := r.Type.Dtor(ctx, r.Rep); err != nil {
		i.broken = true
		i.release(context.Background())
		if ctx.Err() != nil {
			return fmt.Errorf("%s: drop %s: stopped: %w", i.p.name, r.Type.Name, context.Cause(ctx))
		}
		return fmt.Errorf("%s: drop %s: %w", i.p.name, r.Type.Name, err)
	}
	return nil
}

// LiveHandles counts the resource handles alive in the instance: entries in
// the handle table of every component instance of its tree, plus the host
// objects (fields, streams, pollables...) registered for it, so a host
// resource the guest holds counts twice. A request that leaves many behind
// is a leak, and the instance should not be reused. A discarded instance
// has none.
func (i *Instance) LiveHandles() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.broken {
		return 0
	}
	if i.core != nil {
		n := i.core.handles.Len()
		for _, rt := range i.core.hostRT {
			n += rt.Live()
		}
		return n
	}
	n := 0
	for _, f := range i.comp.frames {
		n += f.handles.Len()
	}
	for _, rt := range i.comp.hostRT {
		n += rt.Live()
	}
	return n
}
