package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// commands is the full command tree. Commands without run are planned: they
// already document their flags so the help describes the tool as designed.
func commands() []*command {
	return []*command{
		{
			name:    "watch",
			usage:   "watch [flags] [DIR|GUEST.wasm ...]",
			summary: "rebuild, re-check and hot-swap plugins on every save",
			desc: "Watches each guest project DIR (default: the current directory) and rebuilds its wasm " +
				"with the detected toolchain (go.mod, Cargo.toml, package.json, Makefile, *.c; or bigband.toml's " +
				"[build] command) on every save, restarting a build that sources changed under. Then it " +
				"loads the guest, checks it against the Backstage contract, rewrites the generated plugin " +
				"package (plugins/<id> under --app, --out or <DIR>/.bigband) and, for a backend, swaps it into " +
				"the host serving /api/<id>/ on --addr without dropping a request. A .wasm given directly is " +
				"watched, not built. A failed step keeps the last good version serving and prints the error " +
				"with the compiler's file:line:col. One line per cycle shows the phase timings and what changed. " +
				"Keys: r rebuilds now, c clears the screen, q or Ctrl-C quits (a second Ctrl-C exits at once).",
			example: "bigband-dev watch examples/go/frontend examples/go/backend\n  bigband-dev watch --app ../my-app plugins-src/hello plugins-src/hello-backend",
			flags:   watchFlagSet,
			run:     runWatch,
		},
		{
			name:    "lsp",
			usage:   "lsp [flags]",
			summary: "language server for WIT and the Backstage contracts",
			desc: "Runs the language server on stdin and stdout. It reports WIT diagnostics as you type " +
				"(unsaved buffers included), checks worlds against the Backstage contracts and, when a " +
				"built .wasm is present, checks it against its world. Editors start it themselves; see " +
				"editors/vscode and editors/nvim.",
			example: "bigband-dev lsp --log /tmp/bigband-lsp.log",
			flags:   lspFlagSet,
			run:     runLSP,
		},
		{
			name:    "generate",
			usage:   "generate [flags] --wasm GUEST.wasm --id ID",
			summary: "render a Backstage plugin package from a guest and wire it into an app",
			desc: "Loads a guest (a component or a core module with canonical-ABI exports), finds which " +
				"contract it satisfies, asks it for its manifest (node dependencies and component files for " +
				"a frontend, routes for a backend), validates that, and writes plugins/<id> (frontend) or " +
				"plugins/<id>-backend (backend) under --out. The backend package forwards /api/<id>/* to the " +
				"bigband-dev host. With --app, the package is also wired into that app: the dependency in " +
				"packages/app or packages/backend, plus App.tsx (legacy frontend, or the new one without " +
				"package discovery) or backend.add(...) in packages/backend/src/index.ts. Running it again " +
				"writes only what changed; a generated file you edited is kept and the new version written " +
				"beside it as <file>.bigband-new.",
			example: "bigband-dev generate --wasm hello.wasm --id hello --app ../my-backstage-app",
			flags:   generateFlagSet,
			run:     runGenerate,
		},
		{
			name:    "serve",
			usage:   "serve [flags] WASM",
			summary: "serve a backend guest's wasi:http handler",
			desc: "Runs a backend plugin standalone: every request to ADDR goes to the guest's " +
				"wasi:http/incoming-handler, with streamed bodies, a per-request deadline and a body " +
				"size limit. Instances come from a pool kept ready in the background. With --watch, " +
				"saving a new build swaps it in without dropping a request (a build that fails to load " +
				"leaves the previous one serving). Listens on loopback unless told otherwise. A client " +
				"that stops reading its response (or sending its body) for --stall-timeout loses its " +
				"request, and its instance goes back to the pool. Ctrl-C (or SIGTERM) gives requests in " +
				"flight --grace to finish, then stops them; a second Ctrl-C exits at once (status 130).",
			example: "bigband-dev serve --watch fixtures/guests/js/backend/backend.wasm",
			flags:   serveFlagSet,
			run:     runServe,
		},
		{
			name:    "check",
			usage:   "check [flags] WASM",
			summary: "check a built guest against the Backstage contracts",
			desc: "Checks a built guest against the Backstage contracts and prints `frontend` or " +
				"`backend` when it satisfies one (exit 0); otherwise lists each problem (exit 1). " +
				"Matching is by interface name and function types, not by package, so guests built " +
				"against their own copy of the WIT keep working. WASM is a component or a core module " +
				"with canonical-ABI exports (typed by its component-type section, or by the contract).",
			example: "bigband-dev check fixtures/guests/go/frontend/frontend.component.wasm",
			flags:   checkFlags,
			run:     runCheck,
		},
		{
			name:    "call",
			usage:   "call [flags] WASM EXPORT [ARGS-JSON]",
			summary: "call one exported function of a guest",
			desc: "Instantiates a guest and calls one export, named `interface#function` (the " +
				"interface by its name alone or fully qualified) or by a world-level function's name. " +
				"ARGS-JSON is a JSON array of the arguments. The result is printed as JSON: records as " +
				"objects with the WIT field names, option as null or the value, result as {\"ok\": ...} or " +
				"{\"err\": ...}, variant as {\"case\": payload-or-null}, enum as a string, flags as a " +
				"list of names, lists and tuples as arrays, char as a one-character string.",
			example: "bigband-dev call fixtures/guests/go/frontend/frontend.component.wasm backstage-frontend-plugin#get-node-deps",
			flags:   callFlags,
			run:     runCall,
		},
		witCommand(),
		{
			name:    "new",
			usage:   "new [flags] LANG KIND DIR",
			summary: "create a plugin project from an example",
			desc: "Creates a plugin project in DIR from the example plugin for LANG (go, c, rust or js) " +
				"and KIND (frontend or backend): its sources, WIT, bigband.toml, .gitignore and a README " +
				"saying how to build it and run it under `bigband-dev watch`. The plugin id (--id, default " +
				"DIR's name) replaces the example's. A Go project gets its own go.mod and a copy of the " +
				"Go guest library; C and Rust projects a copy of the guest header or module. DIR must be " +
				"new or empty unless --force is given. The examples themselves are under examples/ in " +
				"the repository.",
			example: "bigband-dev new go backend ./todo\n  bigband-dev new --id hello-js js frontend plugins-src/hello",
			flags:   newFlagSet,
			run:     runNew,
		},
	}
}

func runHelp(e *env, cmds []*command, args []string) int {
	if len(args) == 0 {
		printTopHelp(e.stdout, cmds)
		return exitOK
	}
	path := "bigband-dev"
	var c *command
	for _, name := range args {
		next := find(cmds, name)
		if next == nil {
			fmt.Fprintf(e.stderr, "%s: unknown command %q\n\n", path, name)
			printCommandList(e.stderr, cmds)
			return exitUsage
		}
		c, cmds, path = next, next.subs, path+" "+name
	}
	printHelp(e.stdout, c)
	return exitOK
}

func printTopHelp(w io.Writer, cmds []*command) {
	fmt.Fprint(w, "Usage: bigband-dev COMMAND [flags] [args]\n\n")
	fmt.Fprintln(w, wrap("bigband-dev makes writing a Backstage plugin in any language that compiles "+
		"to WebAssembly feel like editing a React file with hot reload: save, and the browser shows "+
		"the change a moment later, while the editor checks your WIT as you type.", "", 78))
	fmt.Fprintln(w, "\nCommands:")
	printCommandList(w, cmds)
	fmt.Fprintln(w, "  help       show help for a command")
	fmt.Fprintln(w, "  version    print the version")
	fmt.Fprint(w, "\nRun 'bigband-dev help COMMAND' or 'bigband-dev COMMAND --help' for details.\n")
	fmt.Fprint(w, "\nExample:\n  bigband-dev wit check guest/wit/backstage\n")
}

func printCommandList(w io.Writer, cmds []*command) {
	for _, c := range cmds {
		status := ""
		if c.run == nil && len(c.subs) == 0 {
			status = " (not built yet)"
		}
		fmt.Fprintf(w, "  %-10s %s%s\n", c.name, c.summary, status)
	}
}

// printHelp prints a command's usage line, description, flags or
// subcommands, and an example.
func printHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "Usage: bigband-dev %s\n\n%s\n", c.usage, wrap(c.desc, "", 78))
	if len(c.subs) > 0 {
		fmt.Fprintln(w, "\nCommands:")
		printCommandList(w, c.subs)
	}
	if c.flags != nil {
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		c.flags(fs)
		fmt.Fprintln(w, "\nFlags:")
		fs.VisitAll(func(f *flag.Flag) {
			arg, usage := flag.UnquoteUsage(f)
			dashes := "--"
			if len(f.Name) == 1 {
				dashes = "-" // -w, -o: the way such flags are usually written
			}
			head := "  " + dashes + f.Name
			if arg != "" {
				head += " " + arg
			}
			if def := f.DefValue; def != "" && def != "false" && def != "0" {
				usage += fmt.Sprintf(" (default %s)", def)
			}
			fmt.Fprintf(w, "%s\n%s\n", head, wrap(usage, "      ", 78))
		})
	}
	if c.example != "" {
		fmt.Fprintf(w, "\nExample:\n  %s\n", c.example)
	}
	if c.run == nil && len(c.subs) == 0 {
		fmt.Fprintln(w, "\nStatus: not built yet.")
	}
}

// wrap fills text into lines of at most width columns, each prefixed by indent.
func wrap(text, indent string, width int) string {
	var b strings.Builder
	n := 0
	for _, word := range strings.Fields(text) {
		switch {
		case n == 0:
			b.WriteString(indent)
			n = len(indent)
		case n+1+len(word) > width:
			b.WriteString("\n" + indent)
			n = len(indent)
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}
