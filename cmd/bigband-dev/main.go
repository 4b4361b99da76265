// Command bigband-dev is the Backstage-plugin-in-any-language dev tool: dev
// loop, language server, generator and WIT tools in one binary. This package
// holds flags and wiring only; the work happens in the library packages.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// Exit codes: 0 success, 1 the command ran and found problems, 2 the command
// line was wrong or the command is not built yet.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
	// exitInterrupted is what shells report for a process ended by SIGINT.
	exitInterrupted = 130
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// env carries the process's streams so commands never touch os.Std* directly.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// exit ends the process at once, from any goroutine: for a second
	// Ctrl-C, which must not wait for anything.
	exit func(code int)
}

// command is one subcommand (or sub-subcommand, like `wit fmt`). A nil run
// means the command is planned but not built yet.
type command struct {
	name    string
	usage   string // after "bigband-dev "
	summary string // one line for command lists
	desc    string // one paragraph
	example string
	flags   func(fs *flag.FlagSet) any // defines flags; returns a value passed to run
	run     func(e *env, opts any, args []string) int
	subs    []*command
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, exit: os.Exit}
	cmds := commands()
	if len(args) == 0 {
		printTopHelp(stderr, cmds)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		printTopHelp(stdout, cmds)
		return exitOK
	case "help":
		return runHelp(e, cmds, args[1:])
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "bigband-dev", version())
		return exitOK
	}
	c := find(cmds, args[0])
	if c == nil {
		fmt.Fprintf(stderr, "bigband-dev: unknown command %q\n\n", args[0])
		printCommandList(stderr, cmds)
		fmt.Fprintln(stderr, "\nRun 'bigband-dev help' for usage.")
		return exitUsage
	}
	return dispatch(e, c, "bigband-dev "+c.name, args[1:])
}

// dispatch descends into subcommands, parses flags and runs c.
func dispatch(e *env, c *command, path string, args []string) int {
	if len(c.subs) > 0 {
		if len(args) == 0 {
			printHelp(e.stderr, c)
			return exitUsage
		}
		if isHelpFlag(args[0]) {
			printHelp(e.stdout, c)
			return exitOK
		}
		sub := find(c.subs, args[0])
		if sub == nil {
			fmt.Fprintf(e.stderr, "%s: unknown command %q\n\n", path, args[0])
			printCommandList(e.stderr, c.subs)
			return exitUsage
		}
		return dispatch(e, sub, path+" "+sub.name, args[1:])
	}
	fs := flag.NewFlagSet(path, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // we print errors and help ourselves
	var opts any
	if c.flags != nil {
		opts = c.flags(fs)
	}
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		printHelp(e.stdout, c)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n\n", path, err)
		printHelp(e.stderr, c)
		return exitUsage
	}
	if c.run == nil {
		printHelp(e.stderr, c)
		fmt.Fprintf(e.stderr, "\n%s: not built yet\n", path)
		return exitUsage
	}
	return c.run(e, opts, pos)
}

// parseInterspersed lets flags follow positional arguments (`fmt a.wit -w`),
// which the flag package alone does not; "--" still ends flag parsing.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func isHelpFlag(s string) bool {
	return s == "-h" || s == "-help" || s == "--help"
}

func find(cmds []*command, name string) *command {
	for _, c := range cmds {
		if c.name == name {
			return c
		}
	}
	return nil
}

// version reports the module version, or the VCS revision for local builds.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if (v == "" || v == "(devel)") && rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		return "devel " + rev + dirty
	}
	if v == "" {
		return "(devel)"
	}
	return v
}
