// Package wasi implements the WASI 0.2 interfaces real components import
// (io, cli, clocks, random, filesystem), as Go functions over canonical-ABI
// values (see package abi for their representation). The host runtime
// links a component's imports to these by interface name and semver
// compatibility: one implementation serves every 0.2.x minor. It first
// checks the guest's declared type of every imported function against
// WASI's own WIT, embedded here (see CheckTypes and wit/PROVENANCE.md), so
// the implementations only ever see the values WASI defines.
//
// Nothing is granted by default: no environment, arguments, preopened
// directories or network unless Config says so. Guest stdout and stderr go
// where Config says (the runtime sends them to its log).
package wasi

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// Config is what a guest instance may see of the outside world.
type Config struct {
	Stdout, Stderr io.Writer // nil discards
	Stdin          io.Reader // nil is an empty stream
	Env            [][2]string
	Args           []string
	// Preopens maps guest paths to host directories. Empty by default:
	// guests get no filesystem.
	Preopens map[string]string
	// Now and Monotonic override the clocks (tests); nil uses the real ones.
	Now       func() time.Time
	Monotonic func() time.Duration
}

// State is one guest instance's WASI state. Functions receive it; it lives
// as long as the instance.
type State struct {
	Config Config
	start  time.Time

	mu     sync.Mutex
	stdin  *source   // shared by every get-stdin handle; made on first use
	seed   [2]uint64 // insecure-seed: fixed for the instance's life
	seeded bool
}

// NewState prepares the state of one instance.
func NewState(cfg Config) *State { return &State{Config: cfg, start: time.Now()} }

// Func implements one imported function. args are the lifted arguments
// (a method's first argument is its resource object, `self`); it returns
// the lifted result, or nil for a function without one. A non-nil error
// traps the guest: use it for host failures and for exit, never for the
// errors WIT functions return as values.
type Func func(ctx context.Context, st *State, args []any) (any, error)

// Interface is the implementation of one WASI interface.
type Interface struct {
	// Name is the interface's name without version: "wasi:io/streams".
	Name string
	// Funcs maps each function's WIT name as it appears in the interface
	// ("get-stdout", "[method]output-stream.write", "[static]…",
	// "[constructor]…") to its implementation. Resource drops are handled by
	// the runtime: objects implementing abi.Dropper are told.
	Funcs map[string]Func
	// Resources lists the resource types the interface defines.
	Resources []string
}

// ExitError is returned by wasi:cli/exit: the guest asked to stop.
type ExitError struct{ Code uint32 }

func (e *ExitError) Error() string { return fmt.Sprintf("guest exited with code %d", e.Code) }

// Lookup returns the implementation of a WASI 0.2 interface by its full
// name (`wasi:io/streams@0.2.3`); any 0.2.x version is served.
func Lookup(name string) (*Interface, bool) {
	base, version, _ := cut(name, '@')
	if version != "" && !is02(version) {
		return nil, false
	}
	for _, it := range all() {
		if it.Name == base {
			return it, true
		}
	}
	return nil, false
}

func cut(s string, sep byte) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// is02 reports whether version is 0.2.x (any patch, no pre-release).
func is02(version string) bool {
	if len(version) < 5 || version[:4] != "0.2." {
		return false
	}
	for _, c := range version[4:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// all lists every implemented interface.
func all() []*Interface {
	return []*Interface{
		ioError(), ioPoll(), ioStreams(),
		cliEnvironment(), cliExit(), cliStdin(), cliStdout(), cliStderr(),
		cliTerminalInput(), cliTerminalOutput(),
		cliTerminalStdin(), cliTerminalStdout(), cliTerminalStderr(),
		clocksMonotonic(), clocksWall(), clocksTimezone(),
		randomRandom(), randomInsecure(), randomInsecureSeed(),
		filesystemTypes(), filesystemPreopens(),
		httpTypes(), httpOutgoingHandler(),
	}
}
