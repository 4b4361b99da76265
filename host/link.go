package host

import (
	"context"
	"errors"
	"fmt"

	"github.com/bigband-dev/bigband/host/abi"
	"github.com/bigband-dev/bigband/host/component"
	"github.com/bigband-dev/bigband/host/wasi"
	"github.com/bigband-dev/bigband/wit"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

func withResolver(ctx context.Context, f func(string) api.Module) context.Context {
	return experimental.WithImportResolver(ctx, f)
}

// coreExtern is a core item: an export of a module instance.
type coreExtern struct {
	mod  api.Module
	name string
}

// coreInst is a core instance: a module instance, or a bag of items
// assembled by inline exports (materialised as a re-export module when a
// module imports it).
type coreInst struct {
	mod  api.Module
	bag  []component.CoreInlineExport
	from *frame
}

// compFunc is a component function: lifted from core code of a frame, or
// implemented by the host.
type compFunc struct {
	typ *wit.Function
	fa  *abi.Func

	frame *frame
	core  coreExtern
	opts  canonOpts

	host     wasi.Func
	hostName string
	// budget bounds the arguments a guest passes to this host function
	// (zero fields: the runtime's LiftBudget).
	budget abi.Budget
}

type canonOpts struct {
	enc     abi.StringEncoding
	memory  api.Memory
	realloc api.Function
	post    api.Function
}

// item is a value of some sort in a component index space.
type item struct {
	sort component.Sort
	fn   *compFunc
	inst map[string]item
	rt   *abi.ResourceType // a resource type (nil for other types)
	comp *compVal
	mod  *component.CoreModuleDef
}

type compVal struct {
	c     *component.Component
	outer *frame
}

// frame is one component instance of the tree: its index spaces as it
// executes its definitions.
type frame struct {
	ci      *compInstance
	c       *component.Component
	outer   *frame
	args    map[string]item // nil at the top level: imports come from the host
	handles abi.Handles

	coreMods  []*component.CoreModuleDef
	coreInsts []*coreInst
	core      [5][]coreExtern // func, table, memory, global, tag
	funcs     []*compFunc
	insts     []map[string]item
	comps     []*compVal
	types     []*abi.ResourceType
	exports   map[string]item
}

func (f *frame) space(s component.Sort, i uint32) (item, error) {
	n := -1
	switch s {
	case component.SortFunc:
		if n = len(f.funcs); int(i) < n {
			return item{sort: s, fn: f.funcs[i]}, nil
		}
	case component.SortInstance:
		if n = len(f.insts); int(i) < n {
			return item{sort: s, inst: f.insts[i]}, nil
		}
	case component.SortType:
		if n = len(f.types); int(i) < n {
			return item{sort: s, rt: f.types[i]}, nil
		}
	case component.SortComponent:
		if n = len(f.comps); int(i) < n {
			return item{sort: s, comp: f.comps[i]}, nil
		}
	case component.SortCoreModule:
		if n = len(f.coreMods); int(i) < n {
			return item{sort: s, mod: f.coreMods[i]}, nil
		}
	default:
		return item{}, fmt.Errorf("%s items can't be passed between components", s)
	}
	return item{}, fmt.Errorf("%s index %d out of range (%d)", s, i, n)
}

func (f *frame) push(it item) {
	switch it.sort {
	case component.SortFunc:
		f.funcs = append(f.funcs, it.fn)
	case component.SortInstance:
		f.insts = append(f.insts, it.inst)
	case component.SortType:
		f.types = append(f.types, it.rt)
	case component.SortComponent:
		f.comps = append(f.comps, it.comp)
	case component.SortCoreModule:
		f.coreMods = append(f.coreMods, it.mod)
	}
}

func (f *frame) coreItem(s component.Sort, i uint32) (coreExtern, error) {
	k := int(s - component.SortCoreFunc)
	if k < 0 || k >= len(f.core) || int(i) >= len(f.core[k]) {
		return coreExtern{}, fmt.Errorf("%s index %d out of range", s, i)
	}
	return f.core[k][i], nil
}

// instantiateComponent creates a running instance of a component program.
func (r *Runtime) instantiateComponent(ctx context.Context, p *Program) (*compInstance, error) {
	ci := &compInstance{
		p:      p,
		rtypes: map[wit.TypeID]*abi.ResourceType{},
		hostRT: map[string]*abi.ResourceType{},
		host:   make([]hostImpl, len(p.comp.hostSig)),
		out:    p.newLineLogger("stdout"),
		errOut: p.newLineLogger("stderr"),
	}
	ci.wasi = wasi.NewState(wasi.Config{Stdout: ci.out, Stderr: ci.errOut})
	ctx = context.WithValue(ctx, instanceKey{}, ci)
	top := &frame{ci: ci, c: p.comp.c}
	ci.top = top
	ci.frames = append(ci.frames, top)
	if err := top.run(ctx, r); err != nil {
		ci.close(ctx)
		return nil, fmt.Errorf("%s: instantiate: %w", p.name, err)
	}
	return ci, nil
}

// run executes the frame's definitions in order.
func (f *frame) run(ctx context.Context, r *Runtime) error {
	cp := f.ci.p.comp
	f.exports = map[string]item{}
	for _, d := range f.c.Defs {
		if err := f.exec(ctx, r, cp, d); err != nil {
			return err
		}
	}
	return nil
}

func (f *frame) exec(ctx context.Context, r *Runtime, cp *compProgram, d component.Def) error {
	switch def := d.(type) {
	case *component.CoreModuleDef:
		f.coreMods = append(f.coreMods, def)
	case *component.CoreTypeDef:
	case *component.CoreInstantiate:
		return f.coreInstantiate(ctx, r, cp, def)
	case *component.CoreInlineExports:
		f.coreInsts = append(f.coreInsts, &coreInst{bag: def.Exports, from: f})
	case *component.AliasCoreExport:
		ci := f.coreInsts[def.Instance]
		ext, err := ci.export(def.Name, def.Sort)
		if err != nil {
			return fmt.Errorf("alias core export %q: %w", def.Name, err)
		}
		k := int(def.Sort - component.SortCoreFunc)
		f.core[k] = append(f.core[k], ext)
	case *component.NestedComponent:
		f.comps = append(f.comps, &compVal{c: def.Component, outer: f})
	case *component.Instantiate:
		cv := f.comps[def.Component]
		child := &frame{ci: f.ci, c: cv.c, outer: cv.outer, args: map[string]item{}}
		f.ci.frames = append(f.ci.frames, child)
		for _, a := range def.Args {
			it, err := f.space(a.Sort, a.Index)
			if err != nil {
				return fmt.Errorf("instantiate component %d: argument %q: %w", def.Component, a.Name, err)
			}
			child.args[a.Name] = it
		}
		if err := child.run(ctx, r); err != nil {
			return err
		}
		f.insts = append(f.insts, child.exports)
	case *component.InlineExports:
		inst := map[string]item{}
		for _, e := range def.Exports {
			it, err := f.space(e.Sort, e.Index)
			if err != nil {
				return err
			}
			inst[e.Name.Name] = it
		}
		f.insts = append(f.insts, inst)
	case *component.AliasExport:
		it, ok := f.insts[def.Instance][def.Name]
		if !ok {
			return fmt.Errorf("instance %d has no export %q", def.Instance, def.Name)
		}
		f.push(it)
	case *component.AliasOuter:
		o := f
		for i := uint32(0); i < def.Count && o != nil; i++ {
			o = o.outer
		}
		if o == nil {
			return fmt.Errorf("outer alias leaves the component tree")
		}
		if def.Sort == component.SortCoreType {
			return nil
		}
		it, err := o.space(def.Sort, def.Target)
		if err != nil {
			return err
		}
		f.push(it)
	case *component.TypeDef:
		var rt *abi.ResourceType
		if def.Type.Kind == component.TypeResource && def.Type.Resource != nil && def.Type.Resource.Defined {
			rt = f.defineResource(ctx, def.Type.Resource)
			f.ci.bind(def.Type.Value, rt)
		}
		f.types = append(f.types, rt)
	case *component.CanonLift:
		return f.canonLift(def)
	case *component.CanonLower:
		return f.canonLower(cp, def)
	case *component.ResourceNew:
		return f.resourceOp(cp, def, def.Resource, func(ctx context.Context, rt *abi.ResourceType, stack []uint64) error {
			h, err := f.handles.New(rt, uint32(stack[0]))
			stack[0] = uint64(h)
			return err
		})
	case *component.ResourceRep:
		return f.resourceOp(cp, def, def.Resource, func(ctx context.Context, rt *abi.ResourceType, stack []uint64) error {
			rep, err := f.handles.Rep(rt, uint32(stack[0]))
			stack[0] = uint64(rep)
			return err
		})
	case *component.ResourceDrop:
		return f.resourceOp(cp, def, def.Resource, func(ctx context.Context, rt *abi.ResourceType, stack []uint64) error {
			return f.handles.Drop(ctx, rt, uint32(stack[0]))
		})
	case *component.Import:
		it, err := f.importItem(def)
		if err != nil {
			return fmt.Errorf("import %s: %w", def.Name.Name, err)
		}
		f.push(it)
	case *component.Export:
		it, err := f.space(def.Sort, def.Target)
		if err != nil {
			return fmt.Errorf("export %s: %w", def.Name.Name, err)
		}
		if def.Sort == component.SortType && it.rt != nil {
			f.ci.bind(def.Desc.Type.Value, it.rt)
		}
		f.exports[def.Name.Name] = it
		f.push(it)
	default:
		return fmt.Errorf("unsupported definition %T", d)
	}
	return nil
}

// defineResource creates the run-time type of a resource this frame defines.
func (f *frame) defineResource(ctx context.Context, res *component.Resource) *abi.ResourceType {
	rt := &abi.ResourceType{Name: f.ci.p.comp.c.Resolve.Types[res.ID].Name, Impl: f}
	if res.Dtor != nil {
		if dtor, err := f.coreItem(component.SortCoreFunc, *res.Dtor); err == nil {
			rt.Dtor = func(ctx context.Context, rep uint32) error {
				_, err := dtor.mod.ExportedFunction(dtor.name).Call(ctx, uint64(rep))
				return err
			}
		}
	}
	return rt
}

// importItem supplies an import: from the enclosing instantiation's
// arguments, or, at the top level, from the host.
func (f *frame) importItem(def *component.Import) (item, error) {
	name := def.Name.Name
	if f.args != nil {
		it, ok := f.args[name]
		if !ok {
			return item{}, fmt.Errorf("no argument supplied")
		}
		if def.Desc.Sort == component.SortType && it.rt != nil {
			f.ci.bind(def.Desc.Type.Value, it.rt)
		}
		return it, nil
	}
	switch def.Desc.Sort {
	case component.SortType:
		return item{sort: component.SortType}, nil
	case component.SortInstance:
		iface, ok := wasi.Lookup(name)
		if !ok {
			return item{}, fmt.Errorf("not provided by the host")
		}
		inst := map[string]item{}
		for _, e := range def.Desc.Instance.Exports {
			switch e.Desc.Sort {
			case component.SortFunc:
				impl := iface.Funcs[e.Name.Name]
				if impl == nil {
					return item{}, fmt.Errorf("the host does not provide %s", e.Name.Name)
				}
				fa, err := f.ci.p.types.Func(e.Desc.Func)
				if err != nil {
					return item{}, fmt.Errorf("%s: %w", e.Name.Name, err)
				}
				budget, _ := wasi.LiftBudget(iface.Name, e.Name.Name)
				inst[e.Name.Name] = item{sort: component.SortFunc, fn: &compFunc{typ: e.Desc.Func, fa: fa, host: impl, hostName: name + "#" + e.Name.Name, budget: budget}}
			case component.SortType:
				var rt *abi.ResourceType
				if e.Desc.Bound == component.BoundSubResource {
					key := resourceKey(iface.Name, e.Name.Name)
					if rt = f.ci.hostRT[key]; rt == nil {
						rt = abi.NewHostResourceType(e.Name.Name)
						f.ci.hostRT[key] = rt
					}
					f.ci.bind(e.Desc.Type.Value, rt)
				}
				inst[e.Name.Name] = item{sort: component.SortType, rt: rt}
			}
		}
		return item{sort: component.SortInstance, inst: inst}, nil
	}
	return item{}, fmt.Errorf("a %s import is not provided by the host", def.Desc.Sort)
}

// export finds an item of a core instance.
func (ci *coreInst) export(name string, s component.Sort) (coreExtern, error) {
	if ci.mod != nil {
		return coreExtern{mod: ci.mod, name: name}, nil
	}
	for _, e := range ci.bag {
		if e.Name == name {
			if e.Sort != s {
				return coreExtern{}, fmt.Errorf("is a %s, not a %s", e.Sort, s)
			}
			return ci.from.coreItem(e.Sort, e.Index)
		}
	}
	return coreExtern{}, fmt.Errorf("no such export")
}

// module returns the core instance as a module instance wazero can link
// against, materialising a bag the first time.
func (ci *coreInst) module(ctx context.Context, r *Runtime, cp *compProgram) (api.Module, error) {
	if ci.mod != nil {
		return ci.mod, nil
	}
	re := &reexport{}
	for _, e := range ci.bag {
		ext, err := ci.from.coreItem(e.Sort, e.Index)
		if err != nil {
			return nil, err
		}
		if err := re.add(e.Name, ext.mod, ext.name, byte(e.Sort-component.SortCoreFunc)); err != nil {
			return nil, fmt.Errorf("inline export %q: %w", e.Name, err)
		}
	}
	mod, err := cp.reexportModule(ctx, r, ci.from.ci.p, re)
	if err != nil {
		return nil, err
	}
	ci.from.ci.mods = append(ci.from.ci.mods, mod)
	ci.mod = mod
	return mod, nil
}

func (f *frame) coreInstantiate(ctx context.Context, r *Runtime, cp *compProgram, def *component.CoreInstantiate) error {
	md := f.coreMods[def.Module]
	compiled := cp.modules[md]
	if compiled == nil {
		return fmt.Errorf("core module %d was not compiled", def.Module)
	}
	args := map[string]api.Module{}
	for _, a := range def.Args {
		m, err := f.coreInsts[a.Instance].module(ctx, r, cp)
		if err != nil {
			return fmt.Errorf("core instance %d: argument %q: %w", def.Index, a.Name, err)
		}
		name := a.Name
		if name == "" {
			name = component.EmptyImportModule
		}
		args[name] = m
	}
	cfg := wazero.NewModuleConfig().WithName("").WithStartFunctions()
	mod, err := f.ci.p.eng.wz.InstantiateModule(withResolver(ctx, func(name string) api.Module { return args[name] }), compiled, cfg)
	if err != nil {
		return fmt.Errorf("core instance %d: %w", def.Index, err)
	}
	// Before the next core instance: the split module's data goes in
	// where instantiating the module itself would have put it, and no code
	// of the module ran meanwhile (SplitData refuses start functions).
	if err := writeData(mod, cp.segs[md]); err != nil {
		mod.Close(ctx)
		return fmt.Errorf("core instance %d: %w", def.Index, err)
	}
	f.ci.mods = append(f.ci.mods, mod)
	f.coreInsts = append(f.coreInsts, &coreInst{mod: mod, from: f})
	return nil
}

func (f *frame) canonOpts(o component.CanonOptions) (canonOpts, error) {
	co := canonOpts{enc: abi.StringEncoding(o.StringEncoding)}
	if o.Memory != nil {
		ext, err := f.coreItem(component.SortCoreMemory, *o.Memory)
		if err != nil {
			return co, err
		}
		if co.memory = ext.mod.ExportedMemory(ext.name); co.memory == nil {
			return co, fmt.Errorf("memory %q not found", ext.name)
		}
	}
	fn := func(i *uint32) (api.Function, error) {
		if i == nil {
			return nil, nil
		}
		ext, err := f.coreItem(component.SortCoreFunc, *i)
		if err != nil {
			return nil, err
		}
		if fn := ext.mod.ExportedFunction(ext.name); fn != nil {
			return fn, nil
		}
		return nil, fmt.Errorf("function %q not found", ext.name)
	}
	var err error
	if co.realloc, err = fn(o.Realloc); err != nil {
		return co, err
	}
	co.post, err = fn(o.PostReturn)
	return co, err
}

func (f *frame) canonLift(def *component.CanonLift) error {
	core, err := f.coreItem(component.SortCoreFunc, def.CoreFunc)
	if err != nil {
		return fmt.Errorf("canon lift: %w", err)
	}
	opts, err := f.canonOpts(def.Options)
	if err != nil {
		return fmt.Errorf("canon lift: %w", err)
	}
	fa, err := f.ci.p.types.Func(def.Type)
	if err != nil {
		return fmt.Errorf("canon lift: %w", err)
	}
	f.funcs = append(f.funcs, &compFunc{typ: def.Type, fa: fa, frame: f, core: core, opts: opts})
	return nil
}

func (f *frame) canonLower(cp *compProgram, def *component.CanonLower) error {
	callee := f.funcs[def.Func]
	opts, err := f.canonOpts(def.Options)
	if err != nil {
		return fmt.Errorf("canon lower: %w", err)
	}
	fa, err := f.ci.p.types.Func(def.Type)
	if err != nil {
		return fmt.Errorf("canon lower: %w", err)
	}
	k := cp.hostIdx[def]
	nparams := len(fa.LoweredParams())
	f.ci.host[k] = func(ctx context.Context, stack []uint64) error {
		cx := f.cx(ctx, opts)
		cx.Budget = callee.budget.Or(f.ci.p.rt.cfg.LiftBudget)
		args, err := fa.LiftArgs(cx, stack[:nparams])
		if err != nil {
			return err
		}
		res, err := callee.invoke(ctx, args)
		if err != nil {
			return err
		}
		out, err := fa.LowerResult(cx, res, stack[:nparams])
		if err != nil {
			return err
		}
		copy(stack, out)
		return cx.Scope.Finish()
	}
	f.core[0] = append(f.core[0], coreExtern{mod: cp.hostMod, name: hostName(k)})
	return nil
}

func (f *frame) resourceOp(cp *compProgram, def component.Def, res *component.Resource, op func(context.Context, *abi.ResourceType, []uint64) error) error {
	k := cp.hostIdx[def]
	id := res.ID
	f.ci.host[k] = func(ctx context.Context, stack []uint64) error {
		rt := f.ci.rtypes[id]
		if rt == nil {
			return fmt.Errorf("resource %s has no run-time type", f.ci.p.comp.c.Resolve.Types[id].Name)
		}
		return op(ctx, rt, stack)
	}
	f.core[0] = append(f.core[0], coreExtern{mod: cp.hostMod, name: hostName(k)})
	return nil
}

// cx builds the ABI context for a call crossing into or out of this frame.
func (f *frame) cx(ctx context.Context, o canonOpts) *abi.Cx {
	cx := &abi.Cx{Ctx: ctx, Types: f.ci.p.types, Memory: o.memory, Encoding: o.enc, Handles: &f.handles,
		Resource: f.ci.resource, Instance: f, Scope: &abi.CallScope{}}
	if o.realloc != nil {
		fn := o.realloc
		cx.Realloc = func(ctx context.Context, old, oldSize, align, size uint32) (uint32, error) {
			res, err := fn.Call(ctx, uint64(old), uint64(oldSize), uint64(align), uint64(size))
			if err != nil {
				return 0, fmt.Errorf("realloc: %w", err)
			}
			return uint32(res[0]), nil
		}
	}
	return cx
}

// invoke calls a component function with Go values.
func (fn *compFunc) invoke(ctx context.Context, args []any) (any, error) {
	if fn.host != nil {
		ci, _ := ctx.Value(instanceKey{}).(*compInstance)
		if ci == nil {
			return nil, fmt.Errorf("%s: called outside an instance", fn.hostName)
		}
		res, err := fn.host(ctx, ci.wasi, args)
		if err != nil {
			var exit *wasi.ExitError
			if errors.As(err, &exit) {
				return nil, err
			}
			return nil, fmt.Errorf("%s: %w", fn.hostName, err)
		}
		return res, nil
	}
	f := fn.frame
	cx := f.cx(ctx, fn.opts)
	cx.Budget = f.ci.p.rt.resultBudget(ctx)
	core, err := fn.fa.LowerArgs(cx, args)
	if err != nil {
		return nil, err
	}
	res, err := fn.core.mod.ExportedFunction(fn.core.name).Call(ctx, core...)
	if err == nil && ctx.Err() != nil {
		// Returned just as the deadline passed: wazero may have closed the
		// module already.
		err = context.Cause(ctx)
	}
	if err != nil {
		return nil, &trapError{err}
	}
	v, err := fn.fa.LiftResult(cx, res)
	if err != nil {
		return nil, err
	}
	if fn.opts.post != nil {
		if _, err := fn.opts.post.Call(ctx, res...); err != nil {
			return nil, &trapError{fmt.Errorf("post-return: %w", err)}
		}
	}
	return v, cx.Scope.Finish()
}

// exportFunc finds the function behind a top-level export.
func (ci *compInstance) exportFunc(e *Export) (*compFunc, error) {
	if e.Interface == "" {
		it, ok := ci.top.exports[e.Name]
		if !ok || it.fn == nil {
			return nil, fmt.Errorf("export %s is not a function", e.Name)
		}
		return it.fn, nil
	}
	inst, ok := ci.top.exports[e.Interface]
	if !ok || inst.inst == nil {
		return nil, fmt.Errorf("export %s is not an instance", e.Interface)
	}
	it, ok := inst.inst[e.Func.Name]
	if !ok || it.fn == nil {
		return nil, fmt.Errorf("instance %s has no function %s", e.Interface, e.Func.Name)
	}
	return it.fn, nil
}

// call runs an export.
func (ci *compInstance) call(ctx context.Context, e *Export, args []any) (any, error) {
	fn, err := ci.exportFunc(e)
	if err != nil {
		return nil, err
	}
	return fn.invoke(context.WithValue(ctx, instanceKey{}, ci), args)
}
