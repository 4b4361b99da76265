package host

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bigband-dev/bigband/host/abi"
	"github.com/bigband-dev/bigband/host/component"
	"github.com/bigband-dev/bigband/host/wasi"
	"github.com/bigband-dev/bigband/wit"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// coreProgram is a core module guest: canonical-ABI exports named
// `<iface>#<func>`, WASI preview 1 imports served by wazero.
type coreProgram struct {
	mod   wazero.CompiledModule
	segs  []component.DataSegment // active data, written at instantiation
	names map[*Export]string      // export -> core function name
	init  bool                    // exports _initialize (a reactor)
	enc   abi.StringEncoding      // from the component-type section; utf8 otherwise
	// imports serves the module's WASI 0.2 imports (nil when it has none).
	imports *coreImports
}

const wasiP1 = "wasi_snapshot_preview1"

// ensureWASIP1 instantiates wazero's preview 1 host module once per engine.
func (e *engine) ensureWASIP1(ctx context.Context) error {
	e.wasiOnce.Do(func() {
		b := e.wz.NewHostModuleBuilder(wasiP1)
		wasi_snapshot_preview1.NewFunctionExporter().ExportFunctions(b)
		compiled, err := b.Compile(ctx)
		if err != nil {
			e.wasiErr = err
			return
		}
		e.wasiP1 = compiled.ExportedFunctions()
		_, e.wasiErr = e.wz.InstantiateModule(ctx, compiled, wazero.NewModuleConfig())
	})
	return e.wasiErr
}

// loadCore compiles a core module guest and types its exports: by the
// world in typing (its component-type section, or the caller's fallback).
func (r *Runtime) loadCore(ctx context.Context, p *Program, wasm []byte, typing *wit.Resolve, world wit.WorldID, byShortName bool) error {
	u, err := splitCode(wasm)
	if err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	mods, err := r.compileUnits(ctx, p, []*codeUnit{u})
	if err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	mod := mods[0]
	if err := p.eng.ensureWASIP1(ctx); err != nil {
		return err
	}
	imports, handled, problems, err := r.planCoreImports(ctx, p, mod)
	if err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	if err := checkCoreImports(p.eng.wasiP1, mod, handled, problems); err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	cp := &coreProgram{mod: mod, segs: u.segs, names: map[*Export]string{}, imports: imports}
	defs := mod.ExportedFunctions()
	_, cp.init = defs["_initialize"]

	// Group the module's `X#f` exports by X.
	byPrefix := map[string][]string{}
	for name := range defs {
		if x, f, ok := strings.Cut(name, "#"); ok && !strings.HasPrefix(name, "cabi_post_") {
			byPrefix[x] = append(byPrefix[x], f)
		}
	}
	p.resolve, p.world = typing, world
	p.types = abi.NewTypes(typing)
	var exports []*Export
	for _, e := range worldExports(typing, world) {
		core := e.Func.Name
		if e.Interface != "" {
			prefix, err := matchPrefix(byPrefix, e, byShortName)
			if err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
			if prefix == "" {
				continue
			}
			core = prefix + "#" + e.Func.Name
			if strings.Contains(prefix, ":") {
				e.Name, e.Interface = core, prefix
			}
		}
		if _, ok := defs[core]; ok {
			cp.names[e] = core
			exports = append(exports, e)
		}
	}
	if err := p.addExports(exports); err != nil {
		return err
	}
	for _, e := range exports {
		if err := checkCoreSig(defs[cp.names[e]], e.abi.CoreParams(), e.abi.CoreResults()); err != nil {
			return fmt.Errorf("%s: export %s: %w", p.name, cp.names[e], err)
		}
	}
	p.core = cp
	return nil
}

// checkCoreImports lists, one per line, each import of a core module the
// host can't provide, with what to do about it: problems found with the
// WASI 0.2 imports (handled) and every other import that is not a WASI
// preview 1 function.
func checkCoreImports(provided map[string]api.FunctionDefinition, mod wazero.CompiledModule, handled map[[2]string]bool, problems []string) error {
	lines := problems
	add := func(m, n, kind string) {
		var fix string
		switch {
		case m == wasiP1:
			fix = fmt.Sprintf("not a %s function the host provides (this is a %s; check the name, or the guest's toolchain targets a newer WASI)", wasiP1, kind)
		case m == "env":
			fix = fmt.Sprintf("a %s the guest expects its embedder to supply; a core-module guest may import only %s: build with wasi-libc (clang --target=wasm32-wasi) or GOOS=wasip1 and resolve the symbol at link time, or make the guest a component", kind, wasiP1)
		case strings.HasPrefix(m, "wasi:"):
			fix = fmt.Sprintf("not a WASI 0.2 interface the host provides (a %s); import %s functions under their wit-component names, e.g. wasi:io/streams@0.2.0 [method]output-stream.write", kind, m)
		default:
			fix = fmt.Sprintf("not provided (a %s); a core-module guest may import only %s functions: build with wasi-libc or GOOS=wasip1, or make the guest a component", kind, wasiP1)
		}
		lines = append(lines, fmt.Sprintf("  %s.%s: %s", m, n, fix))
	}
	for _, imp := range mod.ImportedFunctions() {
		m, n, _ := imp.Import()
		if handled[[2]string{m, n}] {
			continue
		}
		d, ok := provided[n]
		switch {
		case m != wasiP1 || !ok:
			add(m, n, "function")
		case !slices.Equal(imp.ParamTypes(), d.ParamTypes()) || !slices.Equal(imp.ResultTypes(), d.ResultTypes()):
			// Instantiation would refuse it too, but only the first and as
			// "signature mismatch: i32i32_i32 != i32i32i32i32_i32".
			lines = append(lines, fmt.Sprintf("  %s.%s: core signature %s, WASI preview 1 declares %s: declare it as WASI preview 1 does",
				m, n, coreSig(imp), coreSig(d)))
		}
	}
	for _, imp := range mod.ImportedMemories() {
		m, n, _ := imp.Import()
		add(m, n, "memory")
	}
	if len(lines) == 0 {
		return nil
	}
	return fmt.Errorf("%d import(s) the host can't provide:\n%s", len(lines), strings.Join(lines, "\n"))
}

// matchPrefix finds the core export prefix serving an interface: its full
// name (with or without version), or, when typing by a contract, any
// prefix naming an interface of the same name.
func matchPrefix(byPrefix map[string][]string, e *Export, byShortName bool) (string, error) {
	full, _, _ := strings.Cut(e.Interface, "@")
	for _, cand := range []string{e.Interface, full, e.Short} {
		if _, ok := byPrefix[cand]; ok {
			return cand, nil
		}
	}
	if !byShortName {
		return "", nil
	}
	var found []string
	for x := range byPrefix {
		name := x
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			name = name[i+1:]
		}
		name, _, _ = strings.Cut(name, "@")
		if name == e.Short {
			found = append(found, x)
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("interface %s is exported under several names: %s", e.Short, strings.Join(found, ", "))
}

var flatValueTypes = [...]api.ValueType{abi.I32: api.ValueTypeI32, abi.I64: api.ValueTypeI64, abi.F32: api.ValueTypeF32, abi.F64: api.ValueTypeF64}

func checkCoreSig(def api.FunctionDefinition, params, results []abi.Flat) error {
	same := func(have []api.ValueType, want []abi.Flat) bool {
		if len(have) != len(want) {
			return false
		}
		for i := range have {
			if have[i] != flatValueTypes[want[i]] {
				return false
			}
		}
		return true
	}
	if same(def.ParamTypes(), params) && same(def.ResultTypes(), results) {
		return nil
	}
	sig := func(ts []abi.Flat) string {
		var s []string
		for _, t := range ts {
			s = append(s, t.String())
		}
		return "(" + strings.Join(s, ", ") + ")"
	}
	var hp, hr []string
	for _, t := range def.ParamTypes() {
		hp = append(hp, api.ValueTypeName(t))
	}
	for _, t := range def.ResultTypes() {
		hr = append(hr, api.ValueTypeName(t))
	}
	return fmt.Errorf("core signature (%s) -> (%s) does not match its type, which needs %s -> %s",
		strings.Join(hp, ", "), strings.Join(hr, ", "), sig(params), sig(results))
}

// coreInstance is a running core module guest.
type coreInstance struct {
	mod     api.Module
	memory  api.Memory
	realloc api.Function
	stdout  *lineLogger
	stderr  *lineLogger
	// The WASI 0.2 side, for modules that import it: the handles the
	// guest holds, the host resource types they refer to, WASI state.
	handles abi.Handles
	hostRT  map[string]*abi.ResourceType
	wasi    *wasi.State
	// ctx is the context of what runs now (instantiation or a call), so a
	// sleep ends when it is done.
	ctx atomic.Pointer[context.Context]
}

func (r *Runtime) instantiateCore(ctx context.Context, p *Program) (*coreInstance, error) {
	ci := &coreInstance{stdout: p.newLineLogger("stdout"), stderr: p.newLineLogger("stderr")}
	ci.ctx.Store(&ctx)
	ci.wasi = wasi.NewState(wasi.Config{Stdout: ci.stdout, Stderr: ci.stderr})
	ctx = context.WithValue(ctx, coreInstanceKey{}, ci)
	if p.core.imports != nil {
		mods := p.core.imports.mods
		ctx = withResolver(ctx, func(name string) api.Module {
			if m, ok := mods[name]; ok {
				return m
			}
			return nil
		})
	}
	// No filesystem, environment or arguments: guests get only what is
	// configured. Real clocks and randomness, which guests' runtimes need.
	cfg := wazero.NewModuleConfig().WithName("").WithStartFunctions().
		WithStdout(ci.stdout).WithStderr(ci.stderr).
		WithSysWalltime().WithSysNanotime().WithNanosleep(ci.nanosleep).WithRandSource(rand.Reader)
	mod, err := p.eng.wz.InstantiateModule(ctx, p.core.mod, cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: instantiate: %w", p.name, err)
	}
	if err := writeData(mod, p.core.segs); err != nil {
		mod.Close(ctx)
		return nil, fmt.Errorf("%s: instantiate: %w", p.name, err)
	}
	ci.mod = mod
	ci.memory = mod.ExportedMemory("memory")
	ci.realloc = mod.ExportedFunction("cabi_realloc")
	if p.core.init {
		if _, err := mod.ExportedFunction("_initialize").Call(ctx); err != nil {
			mod.Close(ctx)
			return nil, fmt.Errorf("%s: _initialize: %w", p.name, err)
		}
	}
	return ci, nil
}

// nanosleep serves poll_oneoff's clock subscriptions (a guest's sleep):
// wazero's own sleep ignores the call's context, this one ends with it.
func (ci *coreInstance) nanosleep(ns int64) {
	if ns <= 0 {
		return
	}
	t := time.NewTimer(time.Duration(ns))
	defer t.Stop()
	var done <-chan struct{}
	if ctx := ci.ctx.Load(); ctx != nil {
		done = (*ctx).Done()
	}
	select {
	case <-t.C:
	case <-done:
		// Returning would let the guest carry on past its deadline; a host
		// function's panic traps it.
		panic(context.Cause(*ci.ctx.Load()))
	}
}

func (ci *coreInstance) reallocFunc() abi.Realloc {
	if ci.realloc == nil {
		return nil
	}
	return func(ctx context.Context, old, oldSize, align, size uint32) (uint32, error) {
		res, err := ci.realloc.Call(ctx, uint64(old), uint64(oldSize), uint64(align), uint64(size))
		if err != nil {
			return 0, fmt.Errorf("cabi_realloc: %w", err)
		}
		return uint32(res[0]), nil
	}
}

// callCore calls a core export through the canonical ABI.
func (ci *coreInstance) call(ctx context.Context, p *Program, e *Export, args []any) (any, error) {
	name := p.core.names[e]
	fn := ci.mod.ExportedFunction(name)
	ci.ctx.Store(&ctx)
	ctx = context.WithValue(ctx, coreInstanceKey{}, ci)
	cx := &abi.Cx{Ctx: ctx, Types: p.types, Memory: ci.memory, Realloc: ci.reallocFunc(), Encoding: p.core.enc,
		Handles: &ci.handles, Resource: ci.resourceFor(p.types.R), Instance: ci, Scope: &abi.CallScope{}, Budget: p.rt.resultBudget(ctx)}
	core, err := e.abi.LowerArgs(cx, args)
	if err != nil {
		return nil, err
	}
	res, err := fn.Call(ctx, core...)
	if err == nil && ctx.Err() != nil {
		// Returned just as the deadline passed: wazero may have closed the
		// module already.
		err = context.Cause(ctx)
	}
	if err != nil {
		return nil, &trapError{err}
	}
	v, err := e.abi.LiftResult(cx, res)
	if err != nil {
		return nil, err
	}
	if post := ci.mod.ExportedFunction("cabi_post_" + name); post != nil {
		if _, err := post.Call(ctx, res...); err != nil {
			return nil, &trapError{fmt.Errorf("post-return: %w", err)}
		}
	}
	return v, cx.Scope.Finish()
}

func (ci *coreInstance) close(ctx context.Context) {
	ci.stdout.Flush()
	ci.stderr.Flush()
	ci.mod.Close(ctx)
}
