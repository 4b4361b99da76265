package contract

import (
	"context"
	"fmt"

	"github.com/bigband-dev/bigband/host"
	"github.com/bigband-dev/bigband/host/abi"
)

// GuestError is an err(...) a guest returned: the message is the guest's,
// shown as it is.
type GuestError struct {
	Guest, Func string
	Message     string
}

func (e *GuestError) Error() string {
	return fmt.Sprintf("%s: %s returned an error:\n%s", e.Guest, e.Func, e.Message)
}

// ReadManifest asks a guest for its manifest under contract k: it
// instantiates the guest once and calls get-node-deps and
// get-component-files, or get-routes. The guest must satisfy k (see
// KindOf). The manifest is not validated.
func ReadManifest(ctx context.Context, prog *host.Program, k Kind) (*Manifest, error) {
	if ps := CheckProgram(prog, k); len(ps) > 0 {
		e := &ContractError{Guest: prog.Name(), Problems: ps}
		return nil, fmt.Errorf("%w (checked against the %s contract)", e, k)
	}
	inst, err := prog.Instantiate(ctx)
	if err != nil {
		return nil, err
	}
	defer inst.Close(ctx)
	m := &Manifest{Kind: k, Guest: prog.Name()}
	call := func(fn string) ([]any, error) {
		v, err := inst.Call(ctx, k.Interface()+"#"+fn)
		if err != nil {
			return nil, err
		}
		res, ok := v.(abi.Result)
		if !ok {
			return nil, fmt.Errorf("%s: %s returned %T, not a result", prog.Name(), fn, v)
		}
		if res.Err {
			msg, _ := res.Value.(string)
			return nil, &GuestError{Guest: prog.Name(), Func: fn, Message: msg}
		}
		list, ok := res.Value.([]any)
		if !ok {
			return nil, fmt.Errorf("%s: %s returned ok(%T), not a list", prog.Name(), fn, res.Value)
		}
		return list, nil
	}
	// The contract check above guarantees the shapes below: records in the
	// contract's field order, strings, options and bools.
	switch k {
	case Frontend:
		deps, err := call("get-node-deps")
		if err != nil {
			return nil, err
		}
		for _, d := range deps {
			r := d.(abi.Record)
			m.Deps = append(m.Deps, NodeDep{Name: r[0].(string), Version: optString(r[1]), Dev: r[2].(bool)})
		}
		files, err := call("get-component-files")
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			r := f.(abi.Record)
			m.Files = append(m.Files, File{
				Path:               r[0].(string),
				IsRoot:             r[1].(bool),
				ComponentClassName: optString(r[2]),
				Contents:           r[3].(string),
			})
		}
	case Backend:
		routes, err := call("get-routes")
		if err != nil {
			return nil, err
		}
		for _, rt := range routes {
			r := rt.(abi.Record)
			m.Routes = append(m.Routes, Route{Method: r[0].(string), Path: r[1].(string)})
		}
	}
	return m, nil
}

func optString(v any) string {
	if o := v.(abi.Option); o.Some {
		return o.Value.(string)
	}
	return ""
}
