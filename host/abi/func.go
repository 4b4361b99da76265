package abi

import (
	"fmt"

	"github.com/bigband-dev/bigband/wit"
)

// Func is the ABI of one function type: how its parameters and result map
// to core values, for either direction of call.
type Func struct {
	Params []wit.Type
	Result wit.Type // None for no result

	flatParams  []Flat
	flatResults []Flat
	// paramsInMemory: more than MaxFlatParams flat values, so one pointer
	// to a tuple is passed instead.
	paramsInMemory bool
	// resultInMemory: more than MaxFlatResults, so the result travels
	// through memory (a returned pointer for exports, a return-pointer
	// parameter for imports).
	resultInMemory bool
	tuple          *layout
	resultLayout   *layout
	// paramNames name the arguments in trap messages.
	paramNames []string
}

// Func computes the ABI of f.
func (t *Types) Func(f *wit.Function) (*Func, error) {
	types := make([]wit.Type, len(f.Params))
	names := make([]string, len(f.Params))
	for i, p := range f.Params {
		types[i], names[i] = p.Type, p.Name
	}
	fn, err := t.FuncOf(types, f.Result)
	if err != nil {
		return nil, err
	}
	fn.paramNames = names
	return fn, nil
}

// argSegment names argument i at the root of a trap's path.
func (f *Func) argSegment(i int) string {
	if i < len(f.paramNames) && f.paramNames[i] != "" {
		return "argument " + f.paramNames[i]
	}
	return fmt.Sprintf("argument %d", i)
}

// FuncOf computes the ABI of a function with these parameter types and
// result (None for none).
func (t *Types) FuncOf(params []wit.Type, result wit.Type) (*Func, error) {
	fn := &Func{Params: params, Result: result}
	for i, p := range params {
		l := t.of(p)
		if l.err != nil {
			return nil, fmt.Errorf("parameter %d: %w", i, l.err)
		}
		fn.flatParams = append(fn.flatParams, l.flat...)
	}
	fn.tuple = t.record(len(params), func(i int) wit.Type { return params[i] })
	if fn.tuple.err != nil {
		return nil, fmt.Errorf("parameters: %w", fn.tuple.err)
	}
	if len(fn.flatParams) > MaxFlatParams {
		fn.paramsInMemory = true
	}
	if !result.IsNone() {
		l := t.of(result)
		if l.err != nil {
			return nil, fmt.Errorf("result: %w", l.err)
		}
		fn.resultLayout = l
		fn.flatResults = l.flat
		fn.resultInMemory = len(l.flat) > MaxFlatResults
	}
	return fn, nil
}

// CoreParams is the core signature's parameters when the function is
// lifted (an export the host calls).
func (f *Func) CoreParams() []Flat {
	if f.paramsInMemory {
		return []Flat{I32}
	}
	return f.flatParams
}

// CoreResults is the core signature's results when lifted.
func (f *Func) CoreResults() []Flat {
	if f.resultInMemory {
		return []Flat{I32}
	}
	return f.flatResults
}

// LoweredParams is the core signature's parameters when the function is
// lowered (a host import the guest calls): a return pointer is appended when
// the result travels through memory.
func (f *Func) LoweredParams() []Flat {
	ps := f.CoreParams()
	if f.resultInMemory {
		ps = append(append([]Flat(nil), ps...), I32)
	}
	return ps
}

// LoweredResults is the core signature's results when lowered.
func (f *Func) LoweredResults() []Flat {
	if f.resultInMemory {
		return nil
	}
	return f.flatResults
}

// LowerArgs turns Go arguments into core parameters for a call into the
// guest, allocating guest memory for strings, lists and, past the flat
// limit, the argument tuple itself.
func (f *Func) LowerArgs(cx *Cx, args []any) ([]uint64, error) {
	if len(args) != len(f.Params) {
		return nil, fmt.Errorf("got %d arguments, want %d", len(args), len(f.Params))
	}
	if f.paramsInMemory {
		ptr, err := cx.alloc(f.tuple.align, f.tuple.size)
		if err != nil {
			return nil, err
		}
		if err := cx.storeArgs(ptr, args, f.Params); err != nil {
			return nil, err
		}
		return []uint64{uint64(ptr)}, nil
	}
	flat := make([]uint64, 0, len(f.flatParams))
	for i, a := range args {
		var err error
		if flat, err = cx.lowerFlat(flat, a, f.Params[i]); err != nil {
			return nil, fmt.Errorf("argument %d: %w", i, err)
		}
	}
	return flat, nil
}

func (cx *Cx) storeArgs(ptr uint32, args []any, types []wit.Type) error {
	off := uint32(0)
	for i, t := range types {
		l := cx.Types.of(t)
		off = alignTo(off, l.align)
		if err := cx.store(ptr+off, args[i], t); err != nil {
			return fmt.Errorf("argument %d: %w", i, err)
		}
		off += l.size
	}
	return nil
}

// LiftResult reads the result of a call into the guest from its core
// results (nil when the function has no result).
func (f *Func) LiftResult(cx *Cx, core []uint64) (any, error) {
	if f.Result.IsNone() {
		return nil, nil
	}
	if f.resultInMemory {
		if len(core) != 1 {
			return nil, trapf("expected a result pointer")
		}
		v, err := cx.load(uint32(core[0]), f.Result)
		return v, at(err, "result")
	}
	it := &flatIter{vals: core}
	v, err := cx.liftFlat(it, f.Result)
	return v, at(err, "result")
}

// LiftArgs reads the arguments of a call the guest makes to the host.
func (f *Func) LiftArgs(cx *Cx, core []uint64) ([]any, error) {
	want := len(f.LoweredParams())
	if len(core) != want {
		return nil, trapf("got %d core arguments, want %d", len(core), want)
	}
	args := make([]any, len(f.Params))
	if f.paramsInMemory {
		ptr := uint32(core[0])
		if ptr%f.tuple.align != 0 {
			return nil, trapf("misaligned argument tuple pointer %#x", ptr)
		}
		if _, err := cx.read(ptr, f.tuple.size); err != nil {
			return nil, err
		}
		off := uint32(0)
		for i, t := range f.Params {
			l := cx.Types.of(t)
			off = alignTo(off, l.align)
			v, err := cx.load(ptr+off, t)
			if err != nil {
				return nil, at(err, f.argSegment(i))
			}
			args[i] = v
			off += l.size
		}
		return args, nil
	}
	it := &flatIter{vals: core}
	for i, t := range f.Params {
		v, err := cx.liftFlat(it, t)
		if err != nil {
			return nil, at(err, f.argSegment(i))
		}
		args[i] = v
	}
	return args, nil
}

// LowerResult hands the host's result back to the guest: as core results,
// or stored at the return pointer the guest passed as its last argument.
func (f *Func) LowerResult(cx *Cx, result any, core []uint64) ([]uint64, error) {
	if f.Result.IsNone() {
		return nil, nil
	}
	if f.resultInMemory {
		ptr := uint32(core[len(core)-1])
		if ptr%f.resultLayout.align != 0 {
			return nil, trapf("misaligned return pointer %#x", ptr)
		}
		return nil, cx.store(ptr, result, f.Result)
	}
	return cx.lowerFlat(make([]uint64, 0, 1), result, f.Result)
}
