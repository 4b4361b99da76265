package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// binPath is the bigband-dev binary built once for all tests: the CLI is
// tested the way users run it, exit codes and streams included.
var binPath string

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	flag.Parse()
	if f := flag.Lookup("test.fuzzworker"); f != nil && f.Value.String() == "true" {
		// A fuzzing worker runs fuzz targets only, which need no binary.
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "bigband-dev-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binPath = filepath.Join(dir, "bigband-dev")
	out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building bigband-dev: %v\n%s", err, out)
		return 1
	}
	// Never the user's cache: the binaries the tests run inherit these
	// (set after the build: go's own cache lives under XDG_CACHE_HOME).
	// XDG_CACHE_HOME covers a host that doesn't read BIGBAND_CACHE_DIR.
	for _, v := range []string{"BIGBAND_CACHE_DIR", "XDG_CACHE_HOME"} {
		if err := os.Setenv(v, filepath.Join(dir, "cache")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return m.Run()
}

type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the binary in dir (the package directory when empty).
func runCLI(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("running %v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	return result{code, stdout.String(), stderr.String()}
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s--- stderr:\n%s", r.code, r.stdout, r.stderr)
}

func TestTopLevelHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		r := runCLI(t, "", args...)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("%v: %v", args, r)
		}
		for _, c := range commands() {
			if !strings.Contains(r.stdout, "\n  "+c.name+" ") {
				t.Errorf("%v: help does not list %q:\n%s", args, c.name, r.stdout)
			}
		}
		if !strings.HasPrefix(r.stdout, "Usage: bigband-dev COMMAND") {
			t.Errorf("%v: help starts %q", args, firstLine(r.stdout))
		}
	}
}

func TestNoArgs(t *testing.T) {
	r := runCLI(t, "")
	if r.code != 2 || !strings.Contains(r.stderr, "Usage: bigband-dev") || r.stdout != "" {
		t.Fatal(r)
	}
}

func TestUnknownCommand(t *testing.T) {
	r := runCLI(t, "", "frobnicate")
	if r.code != 2 || r.stdout != "" {
		t.Fatal(r)
	}
	if !strings.HasPrefix(r.stderr, `bigband-dev: unknown command "frobnicate"`) {
		t.Errorf("stderr starts %q", firstLine(r.stderr))
	}
	for _, name := range []string{"watch", "lsp", "wit", "new"} {
		if !strings.Contains(r.stderr, "  "+name+" ") {
			t.Errorf("command list lacks %s:\n%s", name, r.stderr)
		}
	}
	for _, args := range [][]string{{"help", "frobnicate"}, {"wit", "frobnicate"}} {
		if r := runCLI(t, "", args...); r.code != 2 || !strings.Contains(r.stderr, "unknown command") {
			t.Errorf("%v: %v", args, r)
		}
	}
}

func TestVersion(t *testing.T) {
	r := runCLI(t, "", "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "bigband-dev ") || strings.Count(r.stdout, "\n") != 1 {
		t.Fatal(r)
	}
}

// TestCommandHelp checks `help CMD` and `CMD --help` for every command and
// subcommand: usage line, description, flags and example, on stdout.
func TestCommandHelp(t *testing.T) {
	var walk func(prefix []string, cmds []*command)
	walk = func(prefix []string, cmds []*command) {
		for _, c := range cmds {
			path := append(append([]string(nil), prefix...), c.name)
			name := strings.Join(path, " ")
			t.Run(name, func(t *testing.T) {
				helpArgs := append([]string{"help"}, path...)
				flagArgs := append(append([]string(nil), path...), "--help")
				a, b := runCLI(t, "", helpArgs...), runCLI(t, "", flagArgs...)
				if a.code != 0 || b.code != 0 || a.stderr != "" || b.stderr != "" {
					t.Fatalf("help:\n%v\n--help:\n%v", a, b)
				}
				if a.stdout != b.stdout {
					t.Errorf("`help %s` and `%s --help` differ:\n%s\n---\n%s", name, name, a.stdout, b.stdout)
				}
				out := a.stdout
				if want := "Usage: bigband-dev " + name; !strings.HasPrefix(out, want) {
					t.Errorf("help starts %q, want %q", firstLine(out), want)
				}
				if !strings.Contains(out, "\nExample:\n  bigband-dev "+name) {
					t.Errorf("help has no example:\n%s", out)
				}
				if len(c.desc) < 80 {
					t.Errorf("description too short to be useful: %q", c.desc)
				}
				if c.flags != nil && !strings.Contains(out, "\nFlags:\n  -") {
					t.Errorf("help lists no flags:\n%s", out)
				}
				if len(c.subs) > 0 && !strings.Contains(out, "\nCommands:\n") {
					t.Errorf("help lists no subcommands:\n%s", out)
				}
			})
			walk(path, c.subs)
		}
	}
	walk(nil, commands())
}

func TestUnbuiltCommands(t *testing.T) {
	for _, c := range commands() {
		if c.run != nil || len(c.subs) > 0 {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", c.name)
			if r.code != 2 || r.stdout != "" {
				t.Fatal(r)
			}
			if !strings.HasPrefix(r.stderr, "Usage: bigband-dev "+c.name) || !strings.HasSuffix(r.stderr, "not built yet\n") {
				t.Errorf("stderr:\n%s", r.stderr)
			}
		})
	}
}

func TestBadFlag(t *testing.T) {
	r := runCLI(t, "", "wit", "json", "--no-such-flag", "x.wit")
	if r.code != 2 || !strings.Contains(r.stderr, "no-such-flag") || !strings.Contains(r.stderr, "Usage: bigband-dev wit json") {
		t.Fatal(r)
	}
}

func TestWitArgs(t *testing.T) {
	for _, args := range [][]string{
		{"wit"},
		{"wit", "json"},
		{"wit", "check", "a.wit", "b.wit"},
		{"wit", "fmt", "-w", "-check", "a.wit"},
		{"wit", "fmt", "-w"},
	} {
		if r := runCLI(t, "", args...); r.code != 2 || r.stdout != "" || r.stderr == "" {
			t.Errorf("%v: %v", args, r)
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// repoRoot is where the bundled examples live, relative to this package.
const repoRoot = "../.."
