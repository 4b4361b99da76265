package host

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bigband-dev/bigband/host/abi"
	"github.com/bigband-dev/bigband/host/wasi"
	"github.com/bigband-dev/bigband/wit"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// A core module may import WASI 0.2 functions directly, under the core
// names wit-component gives them (module `wasi:http/types@0.2.0`, field
// `[method]fields.get`, `[resource-drop]fields`, ...): what a Go guest
// built with plain `go build` and //go:wasmimport does, with no component
// step. The host types each such import by WASI's own WIT (the module
// declares no types of its own, and WASI's are the ones the host's
// implementations are written to), checks its core signature against the
// flattening of that type, and serves it like a component's canon lower.

// coreImport is one component-model function a core module imports.
type coreImport struct {
	module, name string
	fa           *abi.Func // nil for a resource drop
	impl         wasi.Func
	drop         string // resource key, for [resource-drop]R
	budget       abi.Budget
}

// coreImports are a core module's component-model imports: the host
// modules serving them, one per import module name, and the types they
// were checked with.
type coreImports struct {
	types *abi.Types // over WASI's WIT
	mods  map[string]api.Module
}

type coreInstanceKey struct{}

// planCoreImports types the component-model imports of mod and builds the
// host modules that serve them. Problems are returned as lines in the form
// checkCoreImports uses; handled says which imports need no other check.
func (r *Runtime) planCoreImports(ctx context.Context, p *Program, mod wazero.CompiledModule) (ci *coreImports, handled map[[2]string]bool, problems []string, err error) {
	handled = map[[2]string]bool{}
	var imps []*coreImport
	var types *abi.Types
	var w *wit.Resolve
	for _, def := range mod.ImportedFunctions() {
		m, n, _ := def.Import()
		if !strings.HasPrefix(m, "wasi:") {
			continue
		}
		handled[[2]string{m, n}] = true
		if w == nil {
			if w, err = wasi.WIT(); err != nil {
				return nil, nil, nil, err
			}
			types = abi.NewTypes(w)
		}
		imp, err := typeCoreImport(w, types, m, n)
		if err != nil {
			problems = append(problems, fmt.Sprintf("  %s.%s: %v", m, n, err))
			continue
		}
		params, results := []api.ValueType{api.ValueTypeI32}, []api.ValueType(nil)
		if imp.fa != nil {
			params, results = coreTypes(imp.fa.LoweredParams()), coreTypes(imp.fa.LoweredResults())
		}
		if !slices.Equal(def.ParamTypes(), params) || !slices.Equal(def.ResultTypes(), results) {
			want := coreSigOf(params, results)
			problems = append(problems, fmt.Sprintf("  %s.%s: core signature %s, its WASI type flattens to %s: declare it as the canonical ABI flattens it",
				m, n, coreSig(def), want))
			continue
		}
		imps = append(imps, imp)
	}
	if len(imps) == 0 || len(problems) > 0 {
		return nil, handled, problems, nil
	}
	ci = &coreImports{types: types, mods: map[string]api.Module{}}
	byModule := map[string][]*coreImport{}
	for _, imp := range imps {
		byModule[imp.module] = append(byModule[imp.module], imp)
	}
	for m, list := range byModule {
		b := p.eng.wz.NewHostModuleBuilder(m)
		for _, imp := range list {
			params, results := []api.ValueType{api.ValueTypeI32}, []api.ValueType(nil)
			if imp.fa != nil {
				params, results = coreTypes(imp.fa.LoweredParams()), coreTypes(imp.fa.LoweredResults())
			}
			b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, _ api.Module, stack []uint64) {
				inst, _ := ctx.Value(coreInstanceKey{}).(*coreInstance)
				if inst == nil {
					panic(fmt.Errorf("%s#%s called outside its instance", imp.module, imp.name))
				}
				if err := inst.serveImport(ctx, p, imp, stack); err != nil {
					panic(err)
				}
			}), params, results).Export(imp.name)
		}
		compiled, err := b.Compile(ctx)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("host module %s: %w", m, err)
		}
		p.own(compiled)
		hm, err := p.eng.wz.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().WithName(""))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("host module %s: %w", m, err)
		}
		p.own(hm)
		ci.mods[m] = hm
	}
	return ci, handled, nil, nil
}

// typeCoreImport finds the WASI function a core import names.
func typeCoreImport(w *wit.Resolve, types *abi.Types, module, name string) (*coreImport, error) {
	iface, ok := wasi.Lookup(module)
	if !ok {
		return nil, fmt.Errorf("not a WASI 0.2 interface the host provides")
	}
	var wi *wit.Interface
	for id := range w.Interfaces {
		if base, _, _ := strings.Cut(w.InterfaceName(wit.InterfaceID(id)), "@"); base == iface.Name {
			wi = w.Interfaces[id]
			break
		}
	}
	if wi == nil {
		return nil, fmt.Errorf("not in WASI's WIT")
	}
	imp := &coreImport{module: module, name: name}
	if res, ok := strings.CutPrefix(name, "[resource-drop]"); ok {
		if _, ok := wi.Type(res); !ok {
			return nil, fmt.Errorf("%s defines no resource %s", iface.Name, res)
		}
		imp.drop = resourceKey(iface.Name, res)
		return imp, nil
	}
	f := wi.Function(name)
	if f == nil || iface.Funcs[name] == nil {
		return nil, fmt.Errorf("the host does not provide it (not a function of %s)", iface.Name)
	}
	fa, err := types.Func(f)
	if err != nil {
		return nil, err
	}
	imp.fa, imp.impl = fa, iface.Funcs[name]
	imp.budget, _ = wasi.LiftBudget(iface.Name, name)
	return imp, nil
}

func coreSigOf(params, results []api.ValueType) string {
	var ps, rs []string
	for _, t := range params {
		ps = append(ps, api.ValueTypeName(t))
	}
	for _, t := range results {
		rs = append(rs, api.ValueTypeName(t))
	}
	return "(" + strings.Join(ps, ", ") + ") -> (" + strings.Join(rs, ", ") + ")"
}

// resourceFor gives the instance's run-time type of a host resource named
// in r: one per WASI resource (interface without version + name), so a
// handle passed in by an export typed by the contract's WIT and one made
// by an import typed by WASI's are the same kind of handle.
func (ci *coreInstance) resourceFor(r *wit.Resolve) func(wit.TypeID) *abi.ResourceType {
	return func(id wit.TypeID) *abi.ResourceType {
		td := r.Types[id]
		if td.Owner.Kind != wit.OwnerInterface {
			return nil
		}
		base, _, _ := strings.Cut(r.InterfaceName(td.Owner.Interface), "@")
		return ci.hostResource(resourceKey(base, td.Name), td.Name)
	}
}

func (ci *coreInstance) hostResource(key, name string) *abi.ResourceType {
	if ci.hostRT == nil {
		ci.hostRT = map[string]*abi.ResourceType{}
	}
	rt := ci.hostRT[key]
	if rt == nil {
		rt = abi.NewHostResourceType(name)
		ci.hostRT[key] = rt
	}
	return rt
}

// serveImport runs one imported WASI function for the guest: lift the
// arguments off the stack, call the implementation, lower the result.
func (ci *coreInstance) serveImport(ctx context.Context, p *Program, imp *coreImport, stack []uint64) error {
	if imp.drop != "" {
		_, name, _ := strings.Cut(imp.drop, "#")
		return ci.handles.Drop(ctx, ci.hostResource(imp.drop, name), uint32(stack[0]))
	}
	cx := &abi.Cx{Ctx: ctx, Types: p.core.imports.types, Memory: ci.memory, Realloc: ci.reallocFunc(), Encoding: p.core.enc,
		Handles: &ci.handles, Resource: ci.resourceFor(p.core.imports.types.R), Instance: ci, Scope: &abi.CallScope{},
		Budget: imp.budget.Or(p.rt.cfg.LiftBudget)}
	n := len(imp.fa.LoweredParams())
	args, err := imp.fa.LiftArgs(cx, stack[:n])
	if err != nil {
		return err
	}
	res, err := imp.impl(ctx, ci.wasi, args)
	if err != nil {
		var exit *wasi.ExitError
		if errors.As(err, &exit) {
			return err
		}
		return fmt.Errorf("%s#%s: %w", imp.module, imp.name, err)
	}
	out, err := imp.fa.LowerResult(cx, res, stack[:n])
	if err != nil {
		return err
	}
	copy(stack, out)
	return cx.Scope.Finish()
}
