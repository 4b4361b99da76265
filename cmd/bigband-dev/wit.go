package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bigband-dev/bigband/host/component"
	"github.com/bigband-dev/bigband/wit"
)

func witCommand() *command {
	return &command{
		name:    "wit",
		usage:   "wit COMMAND [flags] PATH",
		summary: "check, format and export WIT packages",
		desc: "Tools for WIT packages. PATH is a .wit file or a package directory; a directory's " +
			"deps/ folder supplies its dependencies, as wit-parser and wasm-tools expect.",
		example: "bigband-dev wit check guest/wit/backstage",
		subs: []*command{
			{
				name:    "json",
				usage:   "wit json [flags] PATH",
				summary: "print the resolved package as wit-parser JSON",
				desc: "Resolves the package at PATH with its dependencies and prints it as JSON in the " +
					"format of wit-parser's serialized Resolve (what `wasm-tools component wit -j` prints), " +
					"so other tools can consume it. On error, prints the first error with its source line " +
					"to stderr and exits 1.",
				example: "bigband-dev wit json --features active guest/wit/backstage > backstage.json",
				flags:   featureFlags,
				run:     runWitJSON,
			},
			{
				name:    "check",
				usage:   "wit check [flags] PATH",
				summary: "report every problem in a WIT package",
				desc: "Resolves the package at PATH with its dependencies and prints every diagnostic as " +
					"file:line:col: message, one per line. Exits 1 if there are any; otherwise prints a " +
					"one-line summary of the package.",
				example: "bigband-dev wit check guest/wit/backstage",
				flags:   featureFlags,
				run:     runWitCheck,
			},
			fmtCommand(),
		},
	}
}

// features holds the --features/--all-features flags shared by json and check.
type features struct {
	list string
	all  bool
}

func featureFlags(fs *flag.FlagSet) any {
	f := &features{}
	fs.StringVar(&f.list, "features", "", "comma-separated `LIST` of @unstable features to activate")
	fs.BoolVar(&f.all, "all-features", false, "activate every @unstable feature")
	return f
}

func (f *features) loadOptions() wit.LoadOptions {
	opts := wit.LoadOptions{AllFeatures: f.all, DecodeWasm: component.DecodeWITPackage}
	for name := range strings.SplitSeq(f.list, ",") {
		if name = strings.TrimSpace(name); name != "" {
			if opts.Features == nil {
				opts.Features = map[string]bool{}
			}
			opts.Features[name] = true
		}
	}
	return opts
}

// unknown refuses --features names that no @unstable gate of the package
// at path (or its dependencies) uses: a typo would otherwise silently
// leave the gated items out. A package that doesn't load is left to the
// real load to report.
func (f *features) unknown(path string) error {
	opts := f.loadOptions()
	if len(opts.Features) == 0 || f.all {
		return nil
	}
	want := opts.Features
	opts.Features, opts.AllFeatures = nil, true
	r, _, err := wit.Load(path, opts)
	if err != nil {
		return nil
	}
	used := usedFeatures(r)
	var bad []string
	for name := range want {
		if !used[name] {
			bad = append(bad, strconv.Quote(name))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	noun := "feature"
	if len(bad) > 1 {
		noun = "features"
	}
	msg := fmt.Sprintf("--features: unknown %s %s", noun, strings.Join(bad, ", "))
	if len(used) == 0 {
		return fmt.Errorf("%s: %s has no @unstable gates", msg, path)
	}
	names := make([]string, 0, len(used))
	for n := range used {
		names = append(names, n)
	}
	sort.Strings(names)
	return fmt.Errorf("%s: the @unstable gates of %s use %s", msg, path, strings.Join(names, ", "))
}

// usedFeatures collects the feature names of every @unstable gate in r.
func usedFeatures(r *wit.Resolve) map[string]bool {
	used := map[string]bool{}
	add := func(s wit.Stability) {
		if s.Kind == wit.StabilityUnstable {
			used[s.Feature] = true
		}
	}
	for _, i := range r.Interfaces {
		add(i.Stability)
		for _, f := range i.Functions {
			add(f.Stability)
		}
	}
	for _, w := range r.Worlds {
		add(w.Stability)
		for _, items := range [][]*wit.WorldItem{w.Imports, w.Exports} {
			for _, it := range items {
				add(it.Stability)
				if it.Function != nil {
					add(it.Function.Stability)
				}
			}
		}
		for _, inc := range w.Includes {
			add(inc.Stability)
		}
	}
	for _, t := range r.Types {
		add(t.Stability)
	}
	return used
}

// checkInput names a PATH that can't be read once, as given, and refuses
// a file that is neither WebAssembly nor text: WIT parsing a PNG would
// only report nonsense at line 1.
func checkInput(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fileError(path, err)
	}
	if fi.IsDir() || isWasmFile(path) {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return fileError(path, err)
	}
	defer f.Close()
	head := make([]byte, 8<<10)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if !bytes.ContainsRune(head, 0) && utf8.Valid(trimPartialRune(head)) {
		return nil
	}
	what := "binary data"
	for _, m := range []struct{ magic, name string }{
		{"\x7fELF", "an ELF executable"}, {"\x89PNG", "a PNG image"}, {"\x1f\x8b", "gzip data"},
		{"PK\x03\x04", "a zip archive"}, {"MZ", "a Windows executable"}, {"%PDF", "a PDF"},
	} {
		if bytes.HasPrefix(head, []byte(m.magic)) {
			what = m.name
			break
		}
	}
	return fmt.Errorf("%s: not a WebAssembly binary (no \\0asm header) nor WIT text (it looks like %s)", path, what)
}

// trimPartialRune drops a character cut off at the end of a read.
func trimPartialRune(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}

// onePath checks that a command got exactly one PATH argument.
func onePath(e *env, cmd string, args []string) (string, bool) {
	if len(args) != 1 {
		fmt.Fprintf(e.stderr, "bigband-dev wit %s: want exactly one PATH, got %d arguments\n", cmd, len(args))
		fmt.Fprintf(e.stderr, "Run 'bigband-dev help wit %s' for usage.\n", cmd)
		return "", false
	}
	return args[0], true
}

func runWitJSON(e *env, opts any, args []string) int {
	path, ok := onePath(e, "json", args)
	if !ok {
		return exitUsage
	}
	if err := checkInput(path); err != nil {
		fmt.Fprintln(e.stderr, "error:", err)
		return exitFail
	}
	if err := opts.(*features).unknown(path); err != nil && !isWasmFile(path) {
		fmt.Fprintf(e.stderr, "bigband-dev wit json: %v\n", err)
		return exitUsage
	}
	var r *wit.Resolve
	var err error
	if isWasmFile(path) {
		r, err = wasmWorld(path)
	} else {
		r, _, err = wit.Load(path, opts.(*features).loadOptions())
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "error: "+renderFirst(err))
		return exitFail
	}
	out := r.JSON()
	e.stdout.Write(out)
	if len(out) == 0 || out[len(out)-1] != '\n' {
		fmt.Fprintln(e.stdout)
	}
	return exitOK
}

// renderFirst renders the first error the way wit-parser prints it: the
// message (after the context, if any), then the --> location and source line.
func renderFirst(err error) string {
	var le *wit.LoadError
	if !errors.As(err, &le) {
		return err.Error()
	}
	if len(le.Errors) == 0 {
		return le.Context
	}
	msg := le.Files.Render(le.Errors[0])
	if le.Context != "" {
		msg = le.Context + ": " + msg
	}
	return msg
}

func runWitCheck(e *env, opts any, args []string) int {
	path, ok := onePath(e, "check", args)
	if !ok {
		return exitUsage
	}
	if err := checkInput(path); err != nil {
		fmt.Fprintln(e.stdout, err)
		return exitFail
	}
	if err := opts.(*features).unknown(path); err != nil {
		fmt.Fprintf(e.stderr, "bigband-dev wit check: %v\n", err)
		return exitUsage
	}
	res := wit.Check(context.Background(), path, opts.(*features).loadOptions())
	if len(res.Diagnostics) > 0 {
		for _, d := range res.Diagnostics {
			if d.File == "" {
				d.File = path
			}
			fmt.Fprintln(e.stdout, d.String())
		}
		return exitFail
	}
	if !res.HasPackage {
		fmt.Fprintf(e.stdout, "%s: no package resolved\n", path)
		return exitFail
	}
	r, id := res.Resolve, res.Package
	fmt.Fprintln(e.stdout, summary(r, id))
	return exitOK
}

// summary is check's success line: `ok: ns:name@v (3 interfaces, 1 world)`.
func summary(r *wit.Resolve, id wit.PackageID) string {
	if r == nil || int(id) < 0 || int(id) >= len(r.Packages) {
		return "ok"
	}
	p := r.Packages[id]
	return fmt.Sprintf("ok: %s (%s, %s)", p.Name, plural(len(p.Interfaces), "interface"), plural(len(p.Worlds), "world"))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// isWasmFile reports whether path is a file starting with the wasm magic.
func isWasmFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	_, err = io.ReadFull(f, magic[:])
	return err == nil && string(magic[:]) == "\x00asm"
}

// wasmWorld decodes what a .wasm file says about its types: a WIT package
// encoded as wasm, a component's world, or the world a core module's
// component-type section embeds.
func wasmWorld(path string) (*wit.Resolve, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if component.IsCoreModule(b) {
		cm, err := component.DecodeCore(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(cm.ComponentTypes) == 0 {
			return nil, fmt.Errorf("%s: a core module without a component-type section carries no WIT", path)
		}
		r, _, err := cm.World()
		return r, err
	}
	if r, _, err := component.DecodeWITPackage(b); err == nil {
		return r, nil
	}
	c, err := component.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r, _, err := c.World()
	return r, err
}
