package wasi

import (
	"context"

	"github.com/bigband-dev/bigband/host/abi"
)

// TerminalInput and TerminalOutput are the wasi:cli terminal resources. No
// guest stream is a terminal here, so none is ever handed out; the types
// exist so the interfaces are complete.
type (
	TerminalInput  struct{}
	TerminalOutput struct{}
)

// Stdin returns a new handle onto the instance's stdin. Every handle shares
// one read-ahead, so data a dropped handle had buffered is not lost, and
// dropping a handle does not stop stdin.
func (st *State) Stdin() *InputStream {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.stdin == nil {
		st.stdin = newSource(st.Config.Stdin)
	}
	return &InputStream{src: st.stdin}
}

func cliEnvironment() *Interface {
	return &Interface{
		Name: "wasi:cli/environment",
		Funcs: map[string]Func{
			"get-environment": func(_ context.Context, st *State, _ []any) (any, error) {
				env := make([]any, len(st.Config.Env))
				for i, kv := range st.Config.Env {
					env[i] = abi.Tuple{kv[0], kv[1]}
				}
				return env, nil
			},
			"get-arguments": func(_ context.Context, st *State, _ []any) (any, error) {
				args := make([]any, len(st.Config.Args))
				for i, a := range st.Config.Args {
					args[i] = a
				}
				return args, nil
			},
			// The guest sees no host directory, so it has no cwd either.
			"initial-cwd": func(context.Context, *State, []any) (any, error) {
				return abi.None, nil
			},
		},
	}
}

func cliExit() *Interface {
	return &Interface{
		Name: "wasi:cli/exit",
		Funcs: map[string]Func{
			"exit": func(_ context.Context, _ *State, args []any) (any, error) {
				status, err := arg[abi.Result](args, 0)
				if err != nil {
					return nil, err
				}
				if status.Err {
					return nil, &ExitError{Code: 1}
				}
				return nil, &ExitError{Code: 0}
			},
			// @since 0.2.12 (unstable before).
			"exit-with-code": func(_ context.Context, _ *State, args []any) (any, error) {
				code, err := arg[uint8](args, 0)
				if err != nil {
					return nil, err
				}
				return nil, &ExitError{Code: uint32(code)}
			},
		},
	}
}

func cliStdin() *Interface {
	return &Interface{
		Name: "wasi:cli/stdin",
		Funcs: map[string]Func{
			"get-stdin": func(_ context.Context, st *State, _ []any) (any, error) {
				return st.Stdin(), nil
			},
		},
	}
}

func cliStdout() *Interface {
	return &Interface{
		Name: "wasi:cli/stdout",
		Funcs: map[string]Func{
			"get-stdout": func(_ context.Context, st *State, _ []any) (any, error) {
				return NewOutputStream(st.Config.Stdout), nil
			},
		},
	}
}

func cliStderr() *Interface {
	return &Interface{
		Name: "wasi:cli/stderr",
		Funcs: map[string]Func{
			"get-stderr": func(_ context.Context, st *State, _ []any) (any, error) {
				return NewOutputStream(st.Config.Stderr), nil
			},
		},
	}
}

func cliTerminalInput() *Interface {
	return &Interface{Name: "wasi:cli/terminal-input", Resources: []string{"terminal-input"}, Funcs: map[string]Func{}}
}

func cliTerminalOutput() *Interface {
	return &Interface{Name: "wasi:cli/terminal-output", Resources: []string{"terminal-output"}, Funcs: map[string]Func{}}
}

// noTerminal answers get-terminal-*: none, the stream is not a terminal.
func noTerminal(name, fn string) *Interface {
	return &Interface{
		Name: name,
		Funcs: map[string]Func{
			fn: func(context.Context, *State, []any) (any, error) { return abi.None, nil },
		},
	}
}

func cliTerminalStdin() *Interface {
	return noTerminal("wasi:cli/terminal-stdin", "get-terminal-stdin")
}

func cliTerminalStdout() *Interface {
	return noTerminal("wasi:cli/terminal-stdout", "get-terminal-stdout")
}

func cliTerminalStderr() *Interface {
	return noTerminal("wasi:cli/terminal-stderr", "get-terminal-stderr")
}
