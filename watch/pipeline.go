package watch

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/bigband-dev/bigband/watch/config"

	"github.com/bigband-dev/bigband/backstage"
	"github.com/bigband-dev/bigband/backstage/wire"
	"github.com/bigband-dev/bigband/contract"
	"github.com/bigband-dev/bigband/hmr"
	"github.com/bigband-dev/bigband/host"
)

// Target says what to make of a guest and where.
type Target struct {
	// ID is the Backstage plugin id.
	ID string
	// Out is the directory that holds plugins/ (the app, usually).
	Out string
	// App is the Backstage app to wire the package into; "" wires nothing.
	App string
	// Wire says whether to wire into App this cycle (a session wires once).
	Wire bool
	// FrontendSystem is the frontend package's system (new or legacy).
	FrontendSystem backstage.FrontendSystem
	// HostURL is where a generated backend router forwards requests when
	// app-config names no target.
	HostURL string
	// Force overwrites files the user edited.
	Force bool
	// NoDevClient leaves the app's page without the session's browser
	// client (wire.DevClient); set it when nothing serves the client.
	NoDevClient bool
	// Kind, when set ("frontend" or "backend", as bigband.toml says),
	// is the contract the guest must export; "" accepts either.
	Kind string
}

// Generate runs load -> check -> manifest -> render -> write -> wire for
// one guest and returns the cycle. On success the cycle's program is
// returned too, for a backend to swap in; the caller owns it (swap it or
// Close it). On failure nothing was written past the failed phase and the
// program, if any, is closed.
func Generate(ctx context.Context, rt *host.Runtime, wasm []byte, name string, t Target, c *Cycle) (*host.Program, bool) {
	if c.Plugin == "" {
		c.Plugin = t.ID
	}
	var prog *host.Program
	ok := c.Step(PhaseLoad, func() (err error) {
		prog, err = contract.LoadGuest(ctx, rt, wasm, name)
		return err
	})
	if !ok {
		return nil, false
	}
	fail := func() (*host.Program, bool) {
		prog.Close(context.Background())
		return nil, false
	}
	var m *contract.Manifest
	ok = c.Step(PhaseCheck, func() (err error) {
		if c.Kind, err = contract.KindOf(prog); err == nil && t.Kind != "" && t.Kind != c.Kind.String() {
			err = fmt.Errorf("%s exports the %s contract, but kind = %q in %s", name, c.Kind, t.Kind, config.FileName)
		}
		return err
	})
	if ok && c.Kind != contract.Backend && prog.Upgraded() != nil {
		// A frontend does its work in the calls that make its files, which
		// could take minutes on the interpreter: wait for the compiled
		// program, compiling since the load.
		ok = c.Step(PhaseLoad, func() error { return waitCompiled(ctx, &prog) })
	}
	ok = ok && c.Step(PhaseManifest, func() (err error) {
		if m, err = contract.ReadManifest(ctx, prog, c.Kind); err != nil {
			return err
		}
		c.Routes = m.Routes
		return m.Validate()
	})
	if !ok {
		return fail()
	}
	ok = c.Step(PhaseRender, func() (err error) {
		c.Package, err = backstage.Render(m, backstage.Options{ID: t.ID, FrontendSystem: t.FrontendSystem, Target: t.HostURL, Guest: name})
		if c.Package != nil {
			c.Notes = append(c.Notes, c.Package.Notes...)
		}
		var src backstage.SourceErrors
		if errors.As(err, &src) {
			// The guest's TSX doesn't parse: nothing is written, so the
			// last good files stay in place for the dev server.
			return fmt.Errorf("%s: the generated package has syntax errors:\n%w", name, err)
		}
		return err
	}) && c.Step(PhaseWrite, func() (err error) {
		c.Write, err = backstage.Write(t.Out, c.Package, backstage.WriteOptions{Force: t.Force})
		c.Dir = c.PackageDir(t)
		return err
	})
	if !ok {
		return fail()
	}
	if t.App != "" && t.Wire {
		ok = c.Step(PhaseWire, func() (err error) {
			c.Wire, err = wirePackage(t, c.Kind, c.Package)
			if err != nil {
				return fmt.Errorf("wiring into %s: %w", t.App, err)
			}
			return nil
		})
		if !ok {
			return fail()
		}
	}
	return prog, true
}

// waitCompiled replaces an interpreted program by its compiled version
// (host.Config.FastLoad) once that is ready.
func waitCompiled(ctx context.Context, prog **host.Program) error {
	select {
	case np, ok := <-(*prog).Upgraded():
		if !ok {
			return fmt.Errorf("%s: compiling failed (see the log)", (*prog).Name())
		}
		(*prog).Close(context.Background())
		*prog = np
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// wirePackage adds the package to the app: the frontend to packages/app
// (and App.tsx for the legacy system), the backend to packages/backend.
func wirePackage(t Target, kind contract.Kind, pkg *backstage.Package) (*wire.Result, error) {
	p := wire.Plugin{ID: t.ID, Package: pkg.Name, Export: pkg.PluginExport}
	if pkg.PageExport != "" {
		p.Export = pkg.PageExport
	}
	var res *wire.Result
	var err error
	if kind == contract.Backend {
		res, err = wire.Backend(t.App, p)
	} else {
		res, err = wire.Frontend(t.App, p, t.FrontendSystem == backstage.LegacyFrontendSystem)
	}
	if err == nil && !t.NoDevClient {
		addDevClient(t, res)
	}
	return res, err
}

// addDevClient gets the session's browser client into the app's page in
// development (wire.DevClient), for every kind of plugin: a backend-only
// session needs the overlay too. A problem there is a note, not a failed
// cycle, since the plugin works without it.
func addDevClient(t Target, res *wire.Result) {
	src, err := wire.ClientScriptURL(t.HostURL, hmr.ClientPath)
	var r *wire.Result
	if err == nil {
		r, err = wire.DevClient(t.App, src)
	}
	if err != nil {
		res.Notes = append(res.Notes, "the Backstage page will not load the bigband-dev client (no error overlay there): "+err.Error())
		return
	}
	res.Changed = append(res.Changed, r.Changed...)
	res.Notes = append(res.Notes, r.Notes...)
}

// PackageDir is where the cycle's package was written.
func (c *Cycle) PackageDir(t Target) string {
	if c.Package == nil {
		return ""
	}
	return filepath.Join(t.Out, filepath.FromSlash(c.Package.Dir))
}
