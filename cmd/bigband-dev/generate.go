package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bigband-dev/bigband/backstage"
	"github.com/bigband-dev/bigband/backstage/wire"
	"github.com/bigband-dev/bigband/contract"
	"github.com/bigband-dev/bigband/host/guesttext"
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
	fs.StringVar(&g.target, "target", backstage.DefaultTarget, "backend plugins: `URL` of the bigband-dev host when app-config sets no bigband.plugins.<id>.target")
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
		g.id = idFromFile(g.wasm)
		if backstage.ValidID(g.id) != nil {
			fmt.Fprintf(e.stderr, "bigband-dev generate: can't make a plugin id from %q: give one with --id\n", filepath.Base(g.wasm))
			return exitUsage
		}
	}
	if err := backstage.ValidID(g.id); err != nil {
		fmt.Fprintln(e.stderr, "bigband-dev generate: --id:", err)
		return exitUsage
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
	rt, prog, err := loadGuest(ctx, e, &g.guestFlags, g.wasm)
	if err != nil {
		printError(e, err)
		return exitFail
	}
	defer rt.Close(ctx)
	kind, err := contract.KindOf(prog)
	if err != nil {
		printError(e, err)
		return exitFail
	}
	m, err := contract.ReadManifest(ctx, prog, kind)
	if err == nil {
		err = m.Validate()
	}
	if err != nil {
		printError(e, err)
		return exitFail
	}
	pkg, err := backstage.Render(m, backstage.Options{ID: g.id, FrontendSystem: g.system.FrontendSystem, Target: g.target, Guest: filepath.Base(g.wasm)})
	var srcErrs backstage.SourceErrors
	if errors.As(err, &srcErrs) {
		// The guest's TSX doesn't parse: nothing is written, so the last
		// good files stay in place for the dev server.
		printError(e, fmt.Errorf("%s: the generated package has syntax errors:\n%w", prog.Name(), err))
		return exitFail
	}
	if err != nil {
		printError(e, err)
		return exitFail
	}
	report, err := backstage.Write(out, pkg, backstage.WriteOptions{Force: g.force})
	if err != nil {
		printError(e, err)
		return exitFail
	}
	fmt.Fprintf(e.stdout, "%s plugin %s in %s\n", kind, pkg.Name, filepath.Join(out, filepath.FromSlash(pkg.Dir)))
	fmt.Fprint(e.stdout, indent(guesttext.Sanitize(report.String(), 0))) // paths come from the guest
	for _, n := range pkg.Notes {
		fmt.Fprintf(e.stdout, "note: %s\n", guesttext.Sanitize(n, 0))
	}
	if len(report.Conflicts) > 0 {
		fmt.Fprintf(e.stderr, "warning: %d file(s) you edited were kept; the new versions are beside them as .bigband-new (--force overwrites)\n", len(report.Conflicts))
	}
	if g.app != "" {
		p := wire.Plugin{ID: g.id, Package: pkg.Name, Export: pkg.PluginExport}
		if pkg.PageExport != "" {
			p.Export = pkg.PageExport
		}
		var res *wire.Result
		switch {
		case kind == contract.Backend:
			res, err = wire.Backend(g.app, p)
		default:
			res, err = wire.Frontend(g.app, p, g.system.FrontendSystem == backstage.LegacyFrontendSystem)
		}
		if err != nil {
			fmt.Fprintln(e.stderr, "error: wiring into the app:", err)
			return exitFail
		}
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

// idFromFile makes a plugin id from a guest's file name: "My_Plugin.wasm"
// gives "my-plugin".
func idFromFile(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	base = strings.TrimSuffix(base, ".component")
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(base) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	return b.String()
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return "  " + strings.Join(lines, "\n  ") + "\n"
}
