package abi

import (
	"context"
	"sync"
)

// ResourceType is a resource type at run time. Each component instance gets
// its own: one per resource it defines and one per host resource it
// imports, so handles of different instances never mix.
type ResourceType struct {
	Name string
	// Impl identifies the instance implementing the resource (nil for the
	// host). Lowering a borrow into its implementer passes the rep itself.
	Impl any
	// Dtor, when set, runs when the last owning handle is dropped.
	Dtor func(ctx context.Context, rep uint32) error

	host bool
	mu   sync.Mutex
	objs Table // host resources: rep -> Go object
}

// NewHostResourceType returns a resource type whose values are Go objects
// held by the host; reps index those objects.
func NewHostResourceType(name string) *ResourceType {
	return &ResourceType{Name: name, host: true}
}

// IsHost reports whether the host implements the resource.
func (rt *ResourceType) IsHost() bool { return rt.host }

// register stores a host object and returns its rep.
func (rt *ResourceType) register(obj any) (uint32, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rep, err := rt.objs.add(obj)
	if err != nil {
		return 0, trapf("host %s objects: %v", rt.Name, err)
	}
	return rep, nil
}

// object returns the host object behind rep.
func (rt *ResourceType) object(rep uint32) (any, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.objs.get(rep)
}

// take removes the host object behind rep: ownership moves to the caller.
func (rt *ResourceType) take(rep uint32) (any, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.objs.remove(rep)
}

// Dropper is implemented by host objects that release something when the
// guest drops its last handle to them.
type Dropper interface {
	Drop()
}

// DropChecker is implemented by host objects whose drop can be wrong (a
// parent dropped before its children, as wasi:http forbids): the object is
// released either way, and an error traps the guest.
type DropChecker interface {
	DropErr() error
}

// Resource is a handle value of a resource a guest implements, as held by
// the host.
type Resource struct {
	Type *ResourceType
	Rep  uint32
}

// Table is the spec's growable table with a free list; index 0 is never
// handed out so a zero handle is always invalid.
type Table struct {
	array []any
	free  []uint32
	live  int
}

// MaxHandles caps the live entries of one table: a component instance's
// handle table, or the host objects of one resource type. Far above what a
// plugin holds at once (a request uses a few dozen), it stops a guest that
// creates resources in a loop before the host runs out of memory. (The
// spec's own limit, 2^28-1, would allow gigabytes of host objects.)
const MaxHandles = 1 << 20

func (t *Table) add(e any) (uint32, error) {
	if t.live >= MaxHandles {
		return 0, trapf("handle table full: %d live handles, the most one instance may hold (MaxHandles); the guest creates resources without dropping them", t.live)
	}
	if len(t.array) == 0 {
		t.array = append(t.array, nil)
	}
	t.live++
	if n := len(t.free); n > 0 {
		i := t.free[n-1]
		t.free = t.free[:n-1]
		t.array[i] = e
		return i, nil
	}
	t.array = append(t.array, e)
	return uint32(len(t.array) - 1), nil
}

func (t *Table) get(i uint32) (any, error) {
	if int(i) >= len(t.array) || t.array[i] == nil {
		return nil, trapf("unknown handle index %d", i)
	}
	return t.array[i], nil
}

func (t *Table) remove(i uint32) (any, error) {
	e, err := t.get(i)
	if err != nil {
		return nil, err
	}
	t.array[i] = nil
	t.free = append(t.free, i)
	t.live--
	return e, nil
}

// Len is the number of live entries.
func (t *Table) Len() int { return t.live }

// handle is a resource handle in a component instance's table.
type handle struct {
	rt    *ResourceType
	rep   uint32
	own   bool
	lends int
	scope *CallScope // the call a borrow was lent for
	temp  bool       // a host object registered only for this borrow
}

// Handles is a component instance's handle table.
type Handles struct {
	t Table
}

// Len is the number of live handles.
func (h *Handles) Len() int { return h.t.Len() }

func (h *Handles) entry(i uint32, rt *ResourceType) (*handle, error) {
	e, err := h.t.get(i)
	if err != nil {
		return nil, err
	}
	hd, ok := e.(*handle)
	if !ok || hd.rt != rt {
		return nil, trapf("handle %d is not a %s", i, rt.Name)
	}
	return hd, nil
}

// New adds an owning handle (canon resource.new).
func (h *Handles) New(rt *ResourceType, rep uint32) (uint32, error) {
	return h.t.add(&handle{rt: rt, rep: rep, own: true})
}

// Rep returns a handle's representation (canon resource.rep).
func (h *Handles) Rep(rt *ResourceType, i uint32) (uint32, error) {
	hd, err := h.entry(i, rt)
	if err != nil {
		return 0, err
	}
	return hd.rep, nil
}

// Drop removes a handle (canon resource.drop): dropping an owning handle
// destroys the resource, dropping a borrow ends it.
func (h *Handles) Drop(ctx context.Context, rt *ResourceType, i uint32) error {
	hd, err := h.entry(i, rt)
	if err != nil {
		return err
	}
	if hd.own && hd.lends != 0 {
		return trapf("cannot drop %s handle %d while it is lent out", rt.Name, i)
	}
	h.t.remove(i)
	if !hd.own {
		if hd.scope != nil {
			hd.scope.borrows--
		}
		if hd.temp {
			rt.take(hd.rep)
		}
		return nil
	}
	if rt.host {
		obj, err := rt.take(hd.rep)
		if err != nil {
			return err
		}
		switch d := obj.(type) {
		case DropChecker:
			if err := d.DropErr(); err != nil {
				return trapf("dropping %s: %v", rt.Name, err)
			}
		case Dropper:
			d.Drop()
		}
		return nil
	}
	if rt.Dtor != nil {
		return rt.Dtor(ctx, hd.rep)
	}
	return nil
}

// CallScope tracks one call's borrows: handles the callee received as
// borrows must be dropped before it returns, and handles lent to the callee
// can't be dropped while the call runs.
type CallScope struct {
	borrows int
	lenders []*handle
}

// Finish ends the scope: it releases lent handles and checks the callee
// dropped every borrow it was given.
func (s *CallScope) Finish() error {
	for _, h := range s.lenders {
		h.lends--
	}
	s.lenders = s.lenders[:0]
	if s.borrows != 0 {
		return trapf("%d borrowed handle(s) not dropped before the call returned", s.borrows)
	}
	return nil
}
