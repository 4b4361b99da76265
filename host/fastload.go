package host

import (
	"context"
	"time"

	"github.com/tetratelabs/wazero"
)

// DefaultFastLoadMinBytes is how much code (data taken out) a core module
// needs for Config.FastLoad to put it on the interpreter. Measured on 2
// cores (BenchmarkReload): the componentize-js guest (9.3 MB of code)
// serves after 0.65-0.75 s on the interpreter against 2.7 s compiling
// (compiled 4.3 s after the load); the Go guest (1.3 MB of code) after
// 0.35 s against 0.53 s (compiled after 0.85 s), its runtime's start being
// slow to interpret, and a frontend, which waits for compiled code, would
// lose the interpreter's time; C guests compile in 15 ms.
const DefaultFastLoadMinBytes = 4 << 20

// unitError is a failure to compile the i-th module of a program.
type unitError struct {
	i   int
	err error
}

func (e *unitError) Error() string { return e.err.Error() }
func (e *unitError) Unwrap() error { return e.err }

// compileUnits compiles a program's core modules, through the code cache
// of the engine chosen for the program, and holds them for it.
func (r *Runtime) compileUnits(ctx context.Context, p *Program, units []*codeUnit) ([]wazero.CompiledModule, error) {
	if p.eng == nil {
		p.eng = r.pickEngine(units, p.fast)
	}
	mods := make([]wazero.CompiledModule, len(units))
	for i, u := range units {
		if !p.eng.code.has(u.key) {
			// Code already compiled passed the budget when it was.
			if err := r.checkBudget(u.code); err != nil {
				return nil, &unitError{i, err}
			}
		}
		ref, err := p.eng.code.get(ctx, u)
		if err != nil {
			return nil, &unitError{i, r.explainCompileError(err)}
		}
		p.own(ref)
		mods[i] = ref.module()
	}
	return mods, nil
}

// pickEngine chooses where a program runs: compiled, unless FastLoad may
// use the interpreter and a large module's code is compiled neither in
// memory nor on disk.
func (r *Runtime) pickEngine(units []*codeUnit, fast bool) *engine {
	if !fast {
		return r.comp
	}
	minBytes := r.cfg.FastLoadMinBytes
	if minBytes <= 0 {
		minBytes = DefaultFastLoadMinBytes
	}
	for _, u := range units {
		if len(u.code) >= minBytes && !r.comp.code.has(u.key) && !r.disk.has(u.key) {
			if e := r.interpEngine(true); e != nil {
				// The compiler starts after the interpreter's load, not
				// alongside: on two cores that delays first serving more
				// (0.72 -> 0.94 s for the JS guest) than it brings the
				// compiled program forward (4.0 -> 3.8 s).
				r.interpreted.Add(1)
				return e
			}
		}
	}
	return r.comp
}

// Interpreted reports whether the program runs on wazero's interpreter:
// Config.FastLoad put it there because its code was not compiled yet
// (Upgraded then delivers the compiled program), or the runtime has
// Config.Interpreter.
func (p *Program) Interpreted() bool { return p.eng.interp }

// Upgraded delivers, for a program Config.FastLoad put on the interpreter,
// the same guest loaded on compiled code, once that was compiled in the
// background. Whoever receives it owns it: swap it in and close this one,
// or close it. The channel is closed without a value when compiling failed
// (the error is logged) or this program was closed first. It is nil for
// every other program, so receiving from it blocks for ever.
func (p *Program) Upgraded() <-chan *Program { return p.upgrade }

// startUpgrade compiles an interpreted program's guest in the background.
// Closing the program stops it (unless another load wants the same code).
func (r *Runtime) startUpgrade(p *Program, wasm []byte, opts LoadOptions) {
	r.interpMu.Lock()
	defer r.interpMu.Unlock()
	if r.closed.Load() {
		return
	}
	ctx, cancel := context.WithCancel(r.bgCtx)
	ch := make(chan *Program, 1)
	p.upgrade, p.upgradeCancel = ch, cancel
	r.bg.Add(1)
	go func() {
		defer r.bg.Done()
		defer cancel()
		start := time.Now()
		np, err := r.loadProgram(ctx, wasm, opts, false)
		if err != nil {
			if ctx.Err() == nil {
				r.log.Warn("compiling in the background failed; the guest stays on the interpreter", "guest", p.name, "err", err)
			}
			close(ch)
			return
		}
		r.log.Debug("compiled in the background", "guest", p.name, "took", time.Since(start).Round(time.Millisecond))
		p.deliver(np)
	}()
}

// deliver hands the compiled program over, or closes it when p was closed.
func (p *Program) deliver(np *Program) {
	p.life.mu.Lock()
	closed := p.life.closed
	if !closed {
		p.upgrade <- np
	}
	close(p.upgrade)
	p.life.mu.Unlock()
	if closed {
		np.Close(context.Background())
	}
}

// dropUpgrade stops the background compilation of a closed program and
// closes its result if nobody took it.
func (p *Program) dropUpgrade() {
	if p.upgrade == nil {
		return
	}
	p.upgradeCancel()
	select {
	case np, ok := <-p.upgrade:
		if ok {
			np.Close(context.Background())
		}
	default:
	}
}
