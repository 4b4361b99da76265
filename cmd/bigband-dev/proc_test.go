package main

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// cliProc is a running bigband-dev command (serve, watch) and the lines it
// printed, stdout and stderr together.
type cliProc struct {
	t     *testing.T
	name  string // the command, for messages
	guard time.Duration
	cmd   *exec.Cmd
	lines chan string
	out   []string // every line read so far
	seen  int      // out[:seen] was matched past
	done  chan struct{}
	err   error // Wait's result, once done is closed
}

// startCLI runs `bigband-dev args...` with env added and stdin as its
// input (nil: none), and kills it when the test ends. guard bounds each
// wait: a hang guard, not a timing check.
func startCLI(t *testing.T, guard time.Duration, env []string, stdin io.Reader, args ...string) *cliProc {
	t.Helper()
	p := &cliProc{t: t, name: args[0], guard: guard, cmd: exec.Command(binPath, args...), lines: make(chan string, 1000), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdin = stdin
	r, w := io.Pipe()
	p.cmd.Stdout, p.cmd.Stderr = w, w
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	go func() {
		p.err = p.cmd.Wait()
		w.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// waitFor reads output until a line matches and returns its submatches.
// Lines read before (waiting for something else) count too, once.
func (p *cliProc) waitFor(pattern string) []string {
	p.t.Helper()
	re := regexp.MustCompile(pattern)
	for i := p.seen; i < len(p.out); i++ {
		if m := re.FindStringSubmatch(p.out[i]); m != nil {
			p.seen = i + 1
			return m
		}
	}
	timeout := time.After(p.guard)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("%s exited before printing %q; it printed:\n%s", p.name, pattern, strings.Join(p.out, "\n"))
			}
			p.out = append(p.out, l)
			if m := re.FindStringSubmatch(l); m != nil {
				p.seen = len(p.out)
				return m
			}
		case <-timeout:
			p.t.Fatalf("nothing matching %q within %v; %s printed:\n%s", pattern, p.guard, p.name, strings.Join(p.out, "\n"))
		}
	}
}

// exitCode waits (within the guard) for the process to end and returns
// its exit code; every line it printed is in out then.
func (p *cliProc) exitCode() int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(p.guard):
		p.t.Fatalf("%s still running %v later; it printed:\n%s", p.name, p.guard, strings.Join(p.out, "\n"))
	}
	for l := range p.lines {
		p.out = append(p.out, l)
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		p.t.Fatal(p.err)
	}
	return 0
}
