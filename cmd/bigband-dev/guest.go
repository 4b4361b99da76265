package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/bigband-dev/bigband/bytesize"

	"github.com/bigband-dev/bigband/contract"
	"github.com/bigband-dev/bigband/host"
	"github.com/bigband-dev/bigband/host/guesttext"
)

// guestFlags are the flags of every command that runs a guest.
type guestFlags struct {
	timeout  time.Duration
	memory   int64 // bytes; 0: the host's default
	budget   *host.CompileBudget
	noCache  bool
	contract string
}

// define adds --timeout, --memory and --no-cache; what is timed out is
// what differs between commands.
func (g *guestFlags) define(fs *flag.FlagSet, timeout time.Duration, what string) {
	durationVar(fs, &g.timeout, "timeout", timeout, "stop "+what+" after `DURATION` (more than 0)")
	memoryVar(fs, &g.memory)
	compileBudgetVar(fs, &g.budget)
	fs.BoolVar(&g.noCache, "no-cache", false, "don't use the on-disk cache of compiled code")
}

func callFlags(fs *flag.FlagSet) any {
	g := &guestFlags{}
	g.define(fs, 10*time.Second, "instantiating the guest and the call, each,")
	return g
}

func checkFlags(fs *flag.FlagSet) any {
	g := &guestFlags{}
	fs.StringVar(&g.contract, "contract", "auto", "contract to check: `frontend, backend or auto`")
	g.define(fs, 10*time.Second, "instantiating the guest")
	return g
}

// config is the host configuration the flags ask for.
func (g *guestFlags) config(e *env) host.Config {
	cfg := host.Config{
		CallTimeout:      g.timeout,
		MemoryLimitPages: memoryPages(g.memory),
		CompileBudget:    g.budget,
		Logger:           slog.New(slog.NewTextHandler(e.stderr, nil)),
	}
	if !g.noCache {
		cfg.CacheDir = host.DefaultCacheDir()
	}
	return cfg
}

// limits is the line check prints: what a guest may use.
func (g *guestFlags) limits() string {
	mem := bytesize.Format(host.DefaultMemoryLimit)
	if g.memory > 0 {
		mem = bytesize.Format(int64(memoryPages(g.memory)) * 64 << 10)
	}
	return fmt.Sprintf("limits: memory %s per instance, calls %v (--memory, --timeout)", mem, g.timeout)
}

// printError prints an error that may carry a guest's text (its err(...)
// message, names from its binary): escaped so that it can't drive the
// terminal, and cut when huge.
func printError(e *env, err error) {
	fmt.Fprintln(e.stderr, "error: "+guestText(err))
}

// guestText is an error's text made safe to show (see printError).
func guestText(err error) string {
	return guesttext.Sanitize(err.Error(), guesttext.DefaultMax)
}

// jsonSafe escapes, as JSON \u escapes, what a terminal would act on in a
// JSON text: its encoder leaves DEL, C1 controls and bidi controls as they
// are. Outside strings JSON has only ASCII, so the value is unchanged.
func jsonSafe(b []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); {
		c := b[i]
		r, size := rune(c), 1
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != 0x7f || c == '\n' || c == '\t' || c == '\r' {
				i++
				continue
			}
		} else {
			r, size = utf8.DecodeRune(b[i:])
			if s := string(b[i : i+size]); (r != utf8.RuneError || size > 1) && guesttext.Sanitize(s, 0) == s {
				i += size
				continue
			}
		}
		out = append(out, b[last:i]...)
		if r > 0xffff {
			r1, r2 := utf16.EncodeRune(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
		} else {
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		i += size
		last = i
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// loadGuest reads, compiles and types a guest (see contract.LoadGuest).
func loadGuest(ctx context.Context, e *env, g *guestFlags, path string) (*host.Runtime, *host.Program, error) {
	wasm, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fileError(path, err)
	}
	rt, err := host.NewRuntime(ctx, g.config(e))
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
		printError(e, err)
		return exitFail
	}
	defer rt.Close(ctx)
	exp, err := prog.Lookup(args[1])
	if err != nil {
		printError(e, err)
		return exitFail
	}
	raw := "[]"
	if len(args) == 3 {
		raw = args[2]
	}
	callArgs, err := prog.ArgsFromJSON(exp, []byte(raw))
	if err != nil {
		printError(e, fmt.Errorf("%s: %w", exp.Name, err))
		return exitUsage
	}
	out, err := prog.CallJSON(ctx, exp, callArgs...)
	if err != nil {
		printError(e, err)
		return exitFail
	}
	fmt.Fprintf(e.stdout, "%s\n", jsonSafe(out))
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
		printError(e, err)
		return exitFail
	}
	defer rt.Close(ctx)
	var problems []string
	for _, k := range want {
		ps := contract.CheckProgram(prog, k)
		if len(ps) == 0 {
			fmt.Fprintln(e.stdout, k)
			fmt.Fprintln(e.stdout, g.limits())
			return exitOK
		}
		problems = append(problems, ps...)
	}
	for _, p := range problems {
		// Export names come from the guest's binary.
		fmt.Fprintf(e.stdout, "%s: %s\n", prog.Name(), guesttext.Line(p, guesttext.DefaultMax))
	}
	return exitFail
}
