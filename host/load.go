package host

import (
	"bytes"
	"context"

	"fmt"

	"github.com/bigband-dev/bigband/host/abi"
	"github.com/bigband-dev/bigband/host/component"
	"github.com/bigband-dev/bigband/wit"
)

// LoadOptions configures Load.
type LoadOptions struct {
	// Name identifies the guest in messages and logs (usually its file name).
	Name string
	// Fallback types a core module that carries no component-type section:
	// its `<iface>#<func>` exports are matched to the world's exported
	// interfaces by interface name, whatever package the guest used.
	Fallback      *wit.Resolve
	FallbackWorld wit.WorldID
}

var (
	coreMagic      = []byte("\x00asm\x01\x00\x00\x00")
	componentMagic = []byte("\x00asm\x0d\x00\x01\x00")
)

// Load decodes and compiles a guest and instantiates it once to check it
// links, so problems surface here rather than on the first request; that
// instance, never called, is what the first Instantiate returns.
//
// Code compiled for another program of the runtime (alive, or closed a
// short while ago) is reused: core modules are keyed by their code with the
// active data taken out, so builds that differ only in data (a changed
// string in a componentize-js guest) share compiled code. With
// Config.FastLoad, a large guest whose code is not compiled yet may load on
// the interpreter (see Program.Upgraded).
func (r *Runtime) Load(ctx context.Context, wasm []byte, opts LoadOptions) (*Program, error) {
	return r.loadProgram(ctx, wasm, opts, r.cfg.FastLoad)
}

func (r *Runtime) loadProgram(ctx context.Context, wasm []byte, opts LoadOptions, fast bool) (*Program, error) {
	name := opts.Name
	if name == "" {
		name = "guest"
	}
	p := &Program{rt: r, name: name, fast: fast}
	p.output = newOutputLimiter(r.log, name, r.cfg.Output)
	if err := r.load(ctx, p, wasm, opts); err != nil {
		// Release whatever was compiled before the failure: a watch loop
		// loading broken builds all day must not accumulate code.
		p.Close(ctx)
		return nil, err
	}
	if p.eng != r.comp {
		r.startUpgrade(p, wasm, opts)
	}
	r.cacheDir.evict()
	return p, nil
}

func (r *Runtime) load(ctx context.Context, p *Program, wasm []byte, opts LoadOptions) error {
	name := p.name
	switch {
	case len(wasm) < 8 || !bytes.Equal(wasm[:4], coreMagic[:4]):
		return fmt.Errorf("%s: not a WebAssembly binary (no \\0asm header)", name)
	case bytes.Equal(wasm[:8], coreMagic):
		cm, err := component.DecodeCore(wasm)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		switch {
		case len(cm.ComponentTypes) > 0:
			res, world, err := cm.World()
			if err != nil {
				return fmt.Errorf("%s: component-type section: %w", name, err)
			}
			if err := r.loadCore(ctx, p, wasm, res, world, false); err != nil {
				return err
			}
			p.core.enc = embeddedEncoding(cm)
		case opts.Fallback != nil:
			p.fallback = true
			if err := r.loadCore(ctx, p, wasm, opts.Fallback, opts.FallbackWorld, true); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: core module without a component-type section: a fallback world is needed to type its exports", name)
		}
	case bytes.Equal(wasm[:8], componentMagic):
		if err := r.loadComponent(ctx, p, wasm); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%s: unsupported WebAssembly version or layer % x", name, wasm[4:8])
	}
	inst, err := p.Instantiate(ctx)
	if err != nil {
		return err
	}
	// Kept for the first Instantiate: a reload then instantiates once, not
	// twice (tens of milliseconds for a Go guest's runtime start).
	p.life.mu.Lock()
	p.life.spare = inst
	p.life.mu.Unlock()
	return nil
}

// embeddedEncoding reads the string encoding bindings generators record in
// the component-type payload (`wit-component-encoding`: a version byte,
// then 0 utf8, 1 utf16, 2 latin1+utf16).
func embeddedEncoding(cm *component.CoreModule) abi.StringEncoding {
	for _, ct := range cm.ComponentTypes {
		for _, c := range ct.Customs {
			if c.Name == "wit-component-encoding" && len(c.Data) >= 2 && c.Data[1] <= 2 {
				return abi.StringEncoding(c.Data[1])
			}
		}
	}
	return abi.UTF8
}
