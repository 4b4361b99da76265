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
		v, err := inst.CallWith(ctx, host.CallOptions{Budget: ManifestBudget(fn)}, k.Interface()+"#"+fn)
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

// Sizes in guest memory of the contract's records (canonical ABI layout).
const (
	nodeDependencySize = 24 // name 8, version option<string> 12, dev 1, aligned to 4
	componentFileSize  = 32 // path 8, is-root 1 (+3), class name option 12, contents 8
	routeSize          = 16 // method 8, path 8
	// maxNameBytes allows for an npm name (214 bytes), a version range
	// (256) or a component class name in the budget.
	maxNameBytes = 512
	// errBytes is what a guest's err(...) message may take: it explains a
	// failure, it is not a document.
	errBytes = 64 << 10
)

// ManifestBudget is the lift budget of one manifest function (the name as
// in the contract's WIT: get-node-deps, get-component-files, get-routes):
// what the contract's limits (MaxDeps, MaxFiles, MaxTotalBytes, MaxRoutes,
// MaxPathBytes) let a valid manifest hold, plus the list's own memory and
// a short error message. A guest that returns more traps while its result
// is lifted, before the host copies it, rather than being refused by
// Validate after the copy.
func ManifestBudget(fn string) abi.Budget {
	var b abi.Budget
	switch fn {
	case "get-node-deps":
		// A record, its name, option, version and flag: 5 values each.
		b = abi.Budget{Bytes: MaxDeps * (nodeDependencySize + 2*maxNameBytes), Elements: 5 * MaxDeps}
		b.Hint = fmt.Sprintf("a frontend plugin may declare at most %d dependencies (the contract's limit)", MaxDeps)
	case "get-component-files":
		// A record, its path, flag, option, class name and contents.
		b = abi.Budget{Bytes: MaxFiles*(componentFileSize+MaxPathBytes+maxNameBytes) + MaxTotalBytes, Elements: 6 * MaxFiles}
		b.Hint = fmt.Sprintf("a frontend plugin may have at most %d files and %d MiB of contents in all (the contract's limits)", MaxFiles, MaxTotalBytes>>20)
	case "get-routes":
		// A record, its method and path.
		method := 0
		for _, m := range Methods {
			method = max(method, len(m))
		}
		b = abi.Budget{Bytes: int64(MaxRoutes * (routeSize + MaxPathBytes + method)), Elements: 3 * MaxRoutes}
		b.Hint = fmt.Sprintf("a backend plugin may declare at most %d routes (the contract's limit)", MaxRoutes)
	}
	// The result and list themselves, and an err(...) message instead.
	b.Bytes += errBytes
	b.Elements += 16
	return b
}
