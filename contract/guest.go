package contract

import (
	"context"
	"fmt"
	"strings"

	"github.com/bigband-dev/bigband/host"
)

// LoadGuest compiles and types a guest. A core module without a
// component-type section is typed by the frontend contract, or the backend
// one when it exports nothing of the frontend's.
func LoadGuest(ctx context.Context, rt *host.Runtime, wasm []byte, name string) (*host.Program, error) {
	r, pkg, err := Contract()
	if err != nil {
		return nil, err
	}
	var prog *host.Program
	for _, k := range []Kind{Frontend, Backend} {
		w, _ := r.Packages[pkg].World(k.World())
		if prog != nil {
			prog.Close(ctx) // typed by the frontend contract, it exported nothing
		}
		prog, err = rt.Load(ctx, wasm, host.LoadOptions{Name: name, Fallback: r, FallbackWorld: w})
		if err != nil || !prog.TypedByFallback() || len(prog.Exports()) > 0 {
			break
		}
	}
	return prog, err
}

// CheckProgram lists how a loaded guest falls short of contract k, as
// messages; none means it satisfies k.
func CheckProgram(prog *host.Program, k Kind) []string {
	if !prog.TypedByFallback() {
		r, w := prog.World()
		var out []string
		for _, p := range Check(r, w, k) {
			out = append(out, p.Message)
		}
		return out
	}
	// A core module typed by the contract: its exports were already checked
	// against the contract's core signatures when it loaded; what remains
	// is whether every function is there.
	var out []string
	for _, f := range loaded().ifaces[k].Functions {
		if _, err := prog.Lookup(k.Interface() + "#" + f.Name); err != nil {
			out = append(out, fmt.Sprintf("export %s#%s: missing (the %s contract needs it)", k.Interface(), f.Name, k))
		}
	}
	if _, err := host.HandlerExport(prog); k == Backend && err != nil {
		out = append(out, "export wasi:http/incoming-handler@0.2.0#handle: missing (the backend contract needs the handler)")
	}
	return out
}

// KindOf says which contract a guest satisfies. It fails, listing the
// problems, when the guest satisfies neither; a guest satisfying both is a
// frontend.
func KindOf(prog *host.Program) (Kind, error) {
	front := CheckProgram(prog, Frontend)
	if len(front) == 0 {
		return Frontend, nil
	}
	back := CheckProgram(prog, Backend)
	if len(back) == 0 {
		return Backend, nil
	}
	// Report against the contract the guest is closer to: the one of whose
	// functions it exports any.
	problems := append(front, back...)
	switch {
	case exportsAny(prog, Frontend) && !exportsAny(prog, Backend):
		problems = front
	case exportsAny(prog, Backend) && !exportsAny(prog, Frontend):
		problems = back
	}
	return 0, &ContractError{Guest: prog.Name(), Problems: problems}
}

func exportsAny(prog *host.Program, k Kind) bool {
	for _, e := range prog.Exports() {
		if e.Short == k.Interface() {
			return true
		}
	}
	return false
}

// ContractError is a guest that satisfies neither contract, or not the one
// asked for.
type ContractError struct {
	Guest    string
	Problems []string
}

func (e *ContractError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s does not satisfy the frontend or backend contract:", e.Guest)
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s", p)
	}
	return b.String()
}
