package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bigband-dev/bigband/backstage"
	"github.com/bigband-dev/bigband/backstage/wire"
	"github.com/bigband-dev/bigband/host"
	"github.com/bigband-dev/bigband/host/guesttext"
	"github.com/bigband-dev/bigband/watch"
)

type generateFlags struct {
	guestFlags
	wasm, id, out, app, target string
	system                     systemFlag
	force                      bool
}

// systemFlag is --frontend-system, remembering whether it was given: when
// it wasn't, the app's App.tsx decides.
type systemFlag struct {
	backstage.FrontendSystem
	set bool
}

// String is empty until set, so help shows no misleading default.
func (f *systemFlag) String() string {
	if f == nil || !f.set {
		return ""
	}
	return f.FrontendSystem.String()
}

func (f *systemFlag) Set(v string) error {
	f.set = true
	return f.FrontendSystem.Set(v)
}

func generateFlagSet(fs *flag.FlagSet) any {
	g := &generateFlags{}
	fs.StringVar(&g.wasm, "wasm", "", "the guest: a component or core module (`FILE`; may also be given as the argument)")
	fs.StringVar(&g.id, "id", "", "Backstage plugin `ID` (default: from the guest's file name)")
	fs.StringVar(&g.out, "out", "", "write plugins/<id>[-backend] under `DIR` (default: the --app directory, else .)")
	fs.StringVar(&g.app, "app", "", "Backstage app `DIR` to wire the plugin into (package.json, App.tsx or the backend's index.ts)")
	fs.Var(&g.system, "frontend-system", "frontend plugins: `new` (createFrontendPlugin) or legacy (createPlugin); default: what --app uses, else new")
	fs.StringVar(&g.target, "target", "", "backend plugins: `URL` of the bigband-dev host when app-config sets no bigband.plugins.<id>.target (default "+backstage.DefaultTarget+"/api/<id>, where `watch` and `serve` both answer); with --app, its origin is also where the app's page loads the watch session's browser client")
	fs.BoolVar(&g.force, "force", false, "overwrite generated files you have edited (default: keep yours, write <file>.bigband-new), and write into a directory that holds another plugin or files bigband-dev did not generate")
	g.define(fs, 30*time.Second, "instantiating the guest and each call")
	return g
}

func runGenerate(e *env, opts any, args []string) int {
	g := opts.(*generateFlags)
	switch {
	case g.wasm == "" && len(args) == 1:
		g.wasm = args[0]
	case g.wasm == "" || len(args) > 0:
		fmt.Fprintln(e.stderr, "bigband-dev generate: want one guest, as --wasm FILE or as the argument")
		fmt.Fprintln(e.stderr, "Run 'bigband-dev help generate' for usage.")
		return exitUsage
	}
	if g.id == "" {
		g.id = backstage.IDFromName(g.wasm)
		if backstage.ValidID(g.id) != nil {
			fmt.Fprintf(e.stderr, "bigband-dev generate: can't make a plugin id from %q: give one with --id\n", filepath.Base(g.wasm))
			return exitUsage
		}
	}
	if err := backstage.ValidID(g.id); err != nil {
		fmt.Fprintln(e.stderr, "bigband-dev generate: --id:", err)
		return exitUsage
	}
	if g.target == "" {
		// The same default as `watch`, so one after the other rewrites nothing.
		g.target = backstage.DefaultTarget + backstage.APIPrefix(g.id)
	}
	if g.app != "" {
		if fi, err := os.Stat(filepath.Join(g.app, "packages")); err != nil || !fi.IsDir() {
			fmt.Fprintf(e.stderr, "bigband-dev generate: --app %s: not a Backstage app (no packages/ directory)\n", g.app)
			return exitUsage
		}
	}
	if g.app != "" && !g.system.set {
		legacy, err := wire.IsLegacyApp(g.app)
		if err != nil {
			fmt.Fprintf(e.stderr, "bigband-dev generate: --app %s: %v\n", g.app, err)
			return exitUsage
		}
		if legacy {
			g.system.FrontendSystem = backstage.LegacyFrontendSystem
		}
	}
	out := g.out
	if out == "" {
		out = g.app
	}
	if out == "" {
		out = "."
	}

	ctx := context.Background()
	wasm, err := os.ReadFile(g.wasm)
	if err != nil {
		printError(e, fileError(g.wasm, err))
		return exitFail
	}
	rt, err := host.NewRuntime(ctx, g.config(e))
	if err != nil {
		printError(e, err)
		return exitFail
	}
	defer rt.Close(ctx)
	t := watch.Target{ID: g.id, Out: out, App: g.app, Wire: g.app != "", FrontendSystem: g.system.FrontendSystem, HostURL: g.target, Force: g.force}
	c := &watch.Cycle{Trigger: "generate"}
	prog, ok := watch.Generate(ctx, rt, wasm, filepath.Base(g.wasm), t, c)
	if !ok {
		printError(e, c.Err.Err)
		return exitFail
	}
	prog.Close(ctx)
	report, pkg := c.Write, c.Package
	fmt.Fprintf(e.stdout, "%s plugin %s in %s\n", c.Kind, pkg.Name, c.PackageDir(t))
	fmt.Fprint(e.stdout, indent(guesttext.Sanitize(report.String(), 0))) // paths come from the guest
	for _, n := range c.Notes {
		fmt.Fprintf(e.stdout, "note: %s\n", guesttext.Sanitize(n, 0))
	}
	if len(report.Conflicts) > 0 {
		fmt.Fprintf(e.stderr, "warning: %d file(s) you edited were kept; the new versions are beside them as .bigband-new (--force overwrites)\n", len(report.Conflicts))
	}
	if res := c.Wire; res != nil {
		if len(res.Changed) == 0 {
			fmt.Fprintf(e.stdout, "already wired into %s\n", g.app)
		}
		for _, c := range res.Changed {
			fmt.Fprintf(e.stdout, "wired: %s\n", c)
		}
		for _, n := range res.Notes {
			fmt.Fprintf(e.stdout, "next: %s\n", n)
		}
	}
	return exitOK
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return "  " + strings.Join(lines, "\n  ") + "\n"
}
