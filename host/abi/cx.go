package abi

import (
	"context"
	"fmt"

	"github.com/bigband-dev/bigband/wit"
	"github.com/tetratelabs/wazero/api"
)

// StringEncoding is a canon option's string encoding.
type StringEncoding uint8

const (
	UTF8 StringEncoding = iota
	UTF16
	Latin1UTF16
)

func (e StringEncoding) String() string {
	return [...]string{"utf8", "utf16", "latin1+utf16"}[e]
}

// Realloc allocates guest memory like cabi_realloc(old, oldSize, align, newSize).
type Realloc func(ctx context.Context, oldPtr, oldSize, align, newSize uint32) (uint32, error)

// Cx is the context of one lift or lower: the canon options of the function
// crossing the boundary, and the guest instance's handle table.
type Cx struct {
	Ctx      context.Context
	Types    *Types
	Memory   api.Memory // nil when the function moves nothing through memory
	Realloc  Realloc    // nil when the guest never receives strings or lists
	Encoding StringEncoding
	Handles  *Handles
	// Resource maps a resource TypeDef (its ID in Types.R) to the
	// instance's runtime resource type.
	Resource func(wit.TypeID) *ResourceType
	// Instance identifies the guest instance (for borrow shortcuts).
	Instance any
	// Scope tracks the borrows of the call in progress.
	Scope *CallScope
	// Budget bounds what lifting through this Cx may take out of guest
	// memory; zero fields mean DefaultBudget's. A Cx serves one call, so
	// the budget covers everything that call lifts.
	Budget Budget

	usedBytes, usedElems int64
}

func (cx *Cx) mem() (api.Memory, error) {
	if cx.Memory == nil {
		return nil, trapf("function moves data through memory but has no memory option")
	}
	return cx.Memory, nil
}

func (cx *Cx) read(ptr, n uint32) ([]byte, error) {
	m, err := cx.mem()
	if err != nil {
		return nil, err
	}
	b, ok := m.Read(ptr, n)
	if !ok {
		return nil, trapf("out of bounds memory access at %#x (+%d)", ptr, n)
	}
	return b, nil
}

func (cx *Cx) alloc(align, size uint32) (uint32, error) {
	if cx.Realloc == nil {
		return 0, fmt.Errorf("guest has no realloc to receive %d bytes", size)
	}
	ptr, err := cx.Realloc(cx.Ctx, 0, 0, align, size)
	if err != nil {
		// The guest's allocator trapped (or ran out of memory): its state
		// is unknown now.
		return 0, &Trap{Msg: err.Error(), Err: err}
	}
	if ptr%align != 0 {
		return 0, trapf("realloc returned misaligned pointer %#x (alignment %d)", ptr, align)
	}
	if size > 0 {
		if _, err := cx.read(ptr, size); err != nil {
			return 0, err
		}
	}
	return ptr, nil
}

// resourceOf finds the runtime resource type a handle type refers to.
func (cx *Cx) resourceOf(id wit.TypeID) (*ResourceType, error) {
	r := cx.Types.R
	// Bounded: aliases form no cycle in a valid Resolve, but a hand-made
	// one must not hang the host.
	for hops := 0; hops <= len(r.Types) && int(id) < len(r.Types) && r.Types[id].Kind == wit.KindAlias && r.Types[id].Elem.Prim == wit.Ref; hops++ {
		id = r.Types[id].Elem.ID
	}
	if int(id) >= len(r.Types) {
		return nil, fmt.Errorf("handle of unknown resource type %d", id)
	}
	if cx.Resource != nil {
		if rt := cx.Resource(id); rt != nil {
			return rt, nil
		}
	}
	return nil, fmt.Errorf("no runtime resource type for %s", r.Types[id].Name)
}

// handleTarget returns the resource a handle-typed TypeDef points at.
func handleTarget(td *wit.TypeDef, id wit.TypeID) (res wit.TypeID, own bool) {
	switch td.Kind {
	case wit.KindOwn:
		return td.Resource, true
	case wit.KindBorrow:
		return td.Resource, false
	}
	return id, true // a bare resource type is an owned handle
}

// liftOwn takes a handle from the guest's table: ownership moves to the host.
func (cx *Cx) liftOwn(rt *ResourceType, i uint32) (any, error) {
	hd, err := cx.Handles.entry(i, rt)
	if err != nil {
		return nil, err
	}
	if !hd.own {
		return nil, trapf("handle %d is a borrow where an owned %s is required", i, rt.Name)
	}
	if hd.lends != 0 {
		return nil, trapf("owned %s handle %d is lent out", rt.Name, i)
	}
	cx.Handles.t.remove(i)
	if rt.host {
		return rt.take(hd.rep)
	}
	return Resource{Type: rt, Rep: hd.rep}, nil
}

// liftBorrow reads a handle the guest lends for the duration of the call.
func (cx *Cx) liftBorrow(rt *ResourceType, i uint32) (any, error) {
	hd, err := cx.Handles.entry(i, rt)
	if err != nil {
		return nil, err
	}
	if cx.Scope != nil {
		hd.lends++
		cx.Scope.lenders = append(cx.Scope.lenders, hd)
	}
	if rt.host {
		return rt.object(hd.rep)
	}
	return Resource{Type: rt, Rep: hd.rep}, nil
}

// repOf gets the representation of a handle value the host passes in.
func repOf(rt *ResourceType, v any) (uint32, error) {
	if r, ok := v.(Resource); ok {
		if r.Type != rt {
			return 0, fmt.Errorf("resource of type %s where %s is required", r.Type.Name, rt.Name)
		}
		return r.Rep, nil
	}
	if !rt.host {
		return 0, fmt.Errorf("want a Resource of type %s, got %T", rt.Name, v)
	}
	if v == nil {
		return 0, fmt.Errorf("nil %s", rt.Name)
	}
	return rt.register(v)
}

// lowerOwn gives the guest an owned handle.
func (cx *Cx) lowerOwn(rt *ResourceType, v any) (uint32, error) {
	rep, err := repOf(rt, v)
	if err != nil {
		return 0, err
	}
	i, err := cx.Handles.New(rt, rep)
	if _, isResource := v.(Resource); err != nil && rt.host && !isResource {
		rt.take(rep) // registered just now for this handle
	}
	return i, err
}

// lowerBorrow lends a handle to the guest for the duration of the call.
func (cx *Cx) lowerBorrow(rt *ResourceType, v any) (uint32, error) {
	rep, err := repOf(rt, v)
	if err != nil {
		return 0, err
	}
	if rt.Impl != nil && rt.Impl == cx.Instance {
		return rep, nil
	}
	_, isResource := v.(Resource)
	hd := &handle{rt: rt, rep: rep, scope: cx.Scope, temp: rt.host && !isResource}
	i, err := cx.Handles.t.add(hd)
	if err != nil {
		if hd.temp {
			rt.take(rep)
		}
		return 0, err
	}
	if cx.Scope != nil {
		cx.Scope.borrows++
	}
	return i, nil
}
