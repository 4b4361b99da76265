package host

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/bigband-dev/bigband/host/abi"
	"github.com/bigband-dev/bigband/host/component"
	"github.com/bigband-dev/bigband/host/wasi"
	"github.com/bigband-dev/bigband/wit"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// compProgram is the static plan of a component guest: its decoded
// structure, every core module compiled once, and one host module holding
// every function the host supplies to core code (canon lower, resource.*),
// which dispatches to the calling instance found in the context.
type compProgram struct {
	c       *component.Component
	modules map[*component.CoreModuleDef]wazero.CompiledModule
	segs    map[*component.CoreModuleDef][]component.DataSegment // active data, written at instantiation
	hostIdx map[component.Def]int
	hostSig [][2][]api.ValueType
	hostMod api.Module

	mu        sync.Mutex
	reexports map[string]wazero.CompiledModule
}

type instanceKey struct{}

// hostImpl is a host function bound to one instance: params come in on the
// stack and results go back on it.
type hostImpl func(ctx context.Context, stack []uint64) error

var valueTypes = [...]api.ValueType{abi.I32: api.ValueTypeI32, abi.I64: api.ValueTypeI64, abi.F32: api.ValueTypeF32, abi.F64: api.ValueTypeF64}

func coreTypes(fs []abi.Flat) []api.ValueType {
	out := make([]api.ValueType, len(fs))
	for i, f := range fs {
		out[i] = valueTypes[f]
	}
	return out
}

// loadComponent decodes, plans and compiles a component guest.
func (r *Runtime) loadComponent(ctx context.Context, p *Program, wasm []byte) error {
	c, err := component.Decode(wasm)
	if err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	res, world, err := c.World()
	if err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	p.resolve, p.world = res, world
	p.types = abi.NewTypes(c.Resolve)
	cp := &compProgram{c: c, modules: map[*component.CoreModuleDef]wazero.CompiledModule{},
		segs: map[*component.CoreModuleDef][]component.DataSegment{}, hostIdx: map[component.Def]int{}, reexports: map[string]wazero.CompiledModule{}}
	var pl plan
	if err := cp.plan(p, c, &pl); err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	// All at once: which engine runs the program depends on every module.
	mods, err := r.compileUnits(ctx, p, pl.units)
	var ue *unitError
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: core module %d: %w", p.name, pl.defs[ue.i].Index, ue.err)
	} else if err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	for i, def := range pl.defs {
		cp.modules[def] = mods[i]
		cp.segs[def] = pl.units[i].segs
	}
	if err := cp.checkImports(c, res, world); err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	if err := cp.buildHostModule(ctx, r, p); err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	p.comp = cp
	return p.addExports(componentExports(c))
}

// plan is the core modules of a component tree to compile.
type plan struct {
	defs  []*component.CoreModuleDef
	units []*codeUnit
}

// plan walks the component tree: prepares core modules for compiling and
// gives every host-supplied core function its slot and signature.
func (cp *compProgram) plan(p *Program, c *component.Component, pl *plan) error {
	for _, d := range c.Defs {
		switch def := d.(type) {
		case *component.CoreModuleDef:
			b, err := component.RewriteEmptyImportModules(def.Bytes)
			if err != nil {
				return fmt.Errorf("core module %d: %w", def.Index, err)
			}
			u, err := splitCode(b)
			if err != nil {
				return fmt.Errorf("core module %d: %w", def.Index, err)
			}
			pl.defs = append(pl.defs, def)
			pl.units = append(pl.units, u)
		case *component.NestedComponent:
			if err := cp.plan(p, def.Component, pl); err != nil {
				return err
			}
		case *component.CanonLower:
			fa, err := p.types.Func(def.Type)
			if err != nil {
				return fmt.Errorf("canon lower of func %d: %w", def.Func, err)
			}
			cp.addHost(def, coreTypes(fa.LoweredParams()), coreTypes(fa.LoweredResults()))
		case *component.ResourceNew, *component.ResourceRep:
			cp.addHost(def, []api.ValueType{api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32})
		case *component.ResourceDrop:
			cp.addHost(def, []api.ValueType{api.ValueTypeI32}, nil)
		}
	}
	return nil
}

func (cp *compProgram) addHost(d component.Def, params, results []api.ValueType) {
	cp.hostIdx[d] = len(cp.hostSig)
	cp.hostSig = append(cp.hostSig, [2][]api.ValueType{params, results})
}

// checkImports makes sure the host can satisfy every top-level import, so
// a guest that can't link fails at load with the missing piece named, and
// that every WASI function and type it imports has WASI's own type (the
// host's implementations are written to WASI's WIT): a guest declaring
// otherwise fails here rather than in the middle of a call. res and world
// are the component's world, which types each import instance by name.
func (cp *compProgram) checkImports(c *component.Component, res *wit.Resolve, world wit.WorldID) error {
	declared := map[string]*wit.Interface{}
	for _, it := range res.Worlds[world].Imports {
		if iface := res.Interfaces[it.Interface]; it.Kind == wit.WorldInterface && it.Key.IsInterface && iface.Name != nil && iface.Package != nil {
			declared[res.Packages[*iface.Package].Name.InterfaceID(*iface.Name)] = iface
		}
	}
	var typeErr wasi.TypeError
	for _, imp := range c.Imports {
		name := imp.Name.Name
		switch imp.Desc.Sort {
		case component.SortInstance:
			iface, ok := wasi.Lookup(name)
			if !ok {
				return fmt.Errorf("import %s: not provided by the host", name)
			}
			var missing []string
			for _, e := range imp.Desc.Instance.Exports {
				if e.Desc.Sort == component.SortFunc && iface.Funcs[e.Name.Name] == nil {
					missing = append(missing, e.Name.Name)
				}
			}
			if len(missing) > 0 {
				return fmt.Errorf("import %s: the host does not provide %s", name, strings.Join(missing, ", "))
			}
			if gi := declared[name]; gi != nil {
				typeErr.Problems = append(typeErr.Problems, wasi.CheckTypes(name, res, gi)...)
			} else {
				return fmt.Errorf("import %s: its instance type has no interface in the component's world", name)
			}
		case component.SortType:
			// Type imports bounded by eq are aliases; nothing to provide.
			if imp.Desc.Bound != component.BoundEq {
				return fmt.Errorf("import %s: abstract type imports are not supported", name)
			}
		default:
			return fmt.Errorf("import %s: a %s import is not provided by the host", name, imp.Desc.Sort)
		}
	}
	if len(typeErr.Problems) > 0 {
		return &typeErr
	}
	return nil
}

// buildHostModule compiles and instantiates the host module once for the
// program; its functions find their instance in the call's context.
func (cp *compProgram) buildHostModule(ctx context.Context, r *Runtime, p *Program) error {
	b := p.eng.wz.NewHostModuleBuilder("$bigband-host")
	for k, sig := range cp.hostSig {
		b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, _ api.Module, stack []uint64) {
			inst, _ := ctx.Value(instanceKey{}).(*compInstance)
			if inst == nil || inst.host[k] == nil {
				panic(fmt.Errorf("host function %d called outside its instance", k))
			}
			if err := inst.host[k](ctx, stack); err != nil {
				panic(err)
			}
		}), sig[0], sig[1]).Export(hostName(k))
	}
	compiled, err := b.Compile(ctx)
	if err != nil {
		return err
	}
	p.own(compiled)
	mod, err := p.eng.wz.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		return err
	}
	p.own(mod)
	cp.hostMod = mod
	return nil
}

func hostName(k int) string { return fmt.Sprintf("h%d", k) }

// componentExports lists the functions the component exports, typed as its
// export declarations say.
func componentExports(c *component.Component) []*Export {
	var out []*Export
	for _, e := range c.Exports {
		name := e.Name.Name
		switch e.Desc.Sort {
		case component.SortFunc:
			out = append(out, &Export{Name: name, Func: named(e.Desc.Func, name)})
		case component.SortInstance:
			short := name
			if i := strings.LastIndexByte(short, '/'); i >= 0 {
				short = short[i+1:]
			}
			short, _, _ = strings.Cut(short, "@")
			for _, x := range e.Desc.Instance.Exports {
				if x.Desc.Sort == component.SortFunc {
					out = append(out, &Export{Name: name + "#" + x.Name.Name, Interface: name, Short: short, Func: named(x.Desc.Func, x.Name.Name)})
				}
			}
		}
	}
	return out
}

// named copies a function type (func types are anonymous in a component)
// under the name it is exported as.
func named(f *wit.Function, name string) *wit.Function {
	c := *f
	c.Name = name
	return &c
}

// reexportModule compiles (once per shape) and instantiates a re-export
// module.
func (cp *compProgram) reexportModule(ctx context.Context, r *Runtime, p *Program, re *reexport) (api.Module, error) {
	key := re.key()
	// Held while compiling so two instantiations racing compile (and own)
	// one copy.
	cp.mu.Lock()
	compiled, ok := cp.reexports[key]
	if !ok {
		var err error
		compiled, err = p.eng.wz.CompileModule(ctx, re.encode())
		if err != nil {
			cp.mu.Unlock()
			return nil, fmt.Errorf("linking core instance: %w", err)
		}
		p.own(compiled)
		cp.reexports[key] = compiled
	}
	cp.mu.Unlock()
	return p.eng.wz.InstantiateModule(withResolver(ctx, func(name string) api.Module {
		var i int
		if _, err := fmt.Sscanf(name, "m%d", &i); err == nil && i < len(re.sources) {
			return re.sources[i]
		}
		return nil
	}), compiled, wazero.NewModuleConfig().WithName(""))
}

// resourceKey names a host resource type per instance.
func resourceKey(iface, name string) string { return iface + "#" + name }

// compInstance is a running component: the state every frame of its
// instance tree shares.
type compInstance struct {
	p      *Program
	rtypes map[wit.TypeID]*abi.ResourceType
	hostRT map[string]*abi.ResourceType
	host   []hostImpl
	mods   []api.Module
	wasi   *wasi.State
	top    *frame
	frames []*frame // every component instance of the tree, top first
	out    *lineLogger
	errOut *lineLogger
}

func (ci *compInstance) resource(id wit.TypeID) *abi.ResourceType { return ci.rtypes[id] }

// bind gives a resource declaration its run-time identity.
func (ci *compInstance) bind(t wit.Type, rt *abi.ResourceType) {
	u := component.Underlying(ci.p.comp.c.Resolve, t)
	if u.Prim == wit.Ref {
		ci.rtypes[u.ID] = rt
	}
}

func (ci *compInstance) close(ctx context.Context) {
	ci.out.Flush()
	ci.errOut.Flush()
	for i := len(ci.mods) - 1; i >= 0; i-- {
		ci.mods[i].Close(ctx)
	}
}
