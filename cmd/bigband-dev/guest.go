package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/bigband-dev/bigband/contract"
	"github.com/bigband-dev/bigband/host"
)

type guestFlags struct {
	timeout  time.Duration
	noCache  bool
	contract string
}

func callFlags(fs *flag.FlagSet) any {
	g := &guestFlags{}
	fs.DurationVar(&g.timeout, "timeout", 10*time.Second, "stop the call after `DURATION` (0: no limit)")
	fs.BoolVar(&g.noCache, "no-cache", false, "don't use the on-disk cache of compiled code")
	return g
}

func checkFlags(fs *flag.FlagSet) any {
	g := &guestFlags{}
	fs.StringVar(&g.contract, "contract", "auto", "contract to check: `frontend, backend or auto`")
	fs.BoolVar(&g.noCache, "no-cache", false, "don't use the on-disk cache of compiled code")
	return g
}

// loadGuest reads, compiles and types a guest (see contract.LoadGuest).
func loadGuest(ctx context.Context, e *env, g *guestFlags, path string) (*host.Runtime, *host.Program, error) {
	wasm, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	cfg := host.Config{CallTimeout: g.timeout, Logger: slog.New(slog.NewTextHandler(e.stderr, nil))}
	if !g.noCache {
		cfg.CacheDir = host.DefaultCacheDir()
	}
	rt, err := host.NewRuntime(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	prog, err := contract.LoadGuest(ctx, rt, wasm, filepath.Base(path))
	if err != nil {
		rt.Close(ctx)
		return nil, nil, err
	}
	return rt, prog, nil
}

func runCall(e *env, opts any, args []string) int {
	g := opts.(*guestFlags)
	if len(args) < 2 || len(args) > 3 {
		fmt.Fprintln(e.stderr, "bigband-dev call: want WASM EXPORT [ARGS-JSON]")
		fmt.Fprintln(e.stderr, "Run 'bigband-dev help call' for usage.")
		return exitUsage
	}
	ctx := context.Background()
	rt, prog, err := loadGuest(ctx, e, g, args[0])
	if err != nil {
		fmt.Fprintln(e.stderr, "error:", err)
		return exitFail
	}
	defer rt.Close(ctx)
	exp, err := prog.Lookup(args[1])
	if err != nil {
		fmt.Fprintln(e.stderr, "error:", err)
		return exitFail
	}
	raw := "[]"
	if len(args) == 3 {
		raw = args[2]
	}
	callArgs, err := prog.ArgsFromJSON(exp, []byte(raw))
	if err != nil {
		fmt.Fprintf(e.stderr, "error: %s: %v\n", exp.Name, err)
		return exitUsage
	}
	inst, err := prog.Instantiate(ctx)
	if err != nil {
		fmt.Fprintln(e.stderr, "error:", err)
		return exitFail
	}
	defer inst.Close(ctx)
	v, err := inst.CallExport(ctx, exp, callArgs...)
	if err != nil {
		fmt.Fprintln(e.stderr, "error:", err)
		return exitFail
	}
	out, err := prog.ResultJSON(exp, v)
	if err != nil {
		fmt.Fprintln(e.stderr, "error:", err)
		return exitFail
	}
	fmt.Fprintf(e.stdout, "%s\n", out)
	return exitOK
}

func runCheck(e *env, opts any, args []string) int {
	g := opts.(*guestFlags)
	if len(args) != 1 {
		fmt.Fprintln(e.stderr, "bigband-dev check: want exactly one WASM")
		fmt.Fprintln(e.stderr, "Run 'bigband-dev help check' for usage.")
		return exitUsage
	}
	var want []contract.Kind
	switch g.contract {
	case "auto":
		want = []contract.Kind{contract.Frontend, contract.Backend}
	case "frontend":
		want = []contract.Kind{contract.Frontend}
	case "backend":
		want = []contract.Kind{contract.Backend}
	default:
		fmt.Fprintf(e.stderr, "bigband-dev check: --contract must be frontend, backend or auto, not %q\n", g.contract)
		return exitUsage
	}
	ctx := context.Background()
	rt, prog, err := loadGuest(ctx, e, g, args[0])
	if err != nil {
		fmt.Fprintln(e.stderr, "error:", err)
		return exitFail
	}
	defer rt.Close(ctx)
	var problems []string
	for _, k := range want {
		ps := contract.CheckProgram(prog, k)
		if len(ps) == 0 {
			fmt.Fprintln(e.stdout, k)
			return exitOK
		}
		problems = append(problems, ps...)
	}
	for _, p := range problems {
		fmt.Fprintf(e.stdout, "%s: %s\n", prog.Name(), p)
	}
	return exitFail
}
