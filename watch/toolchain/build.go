package toolchain

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Grace is how long a cancelled build's processes get between SIGTERM and
// SIGKILL.
const Grace = 2 * time.Second

// maxOutput bounds the build output kept for the error; what streams to
// the caller's writer is not bounded.
const maxOutput = 4 << 20

// Result describes a finished build.
type Result struct {
	Artifact string        // absolute path of the .wasm
	Duration time.Duration // wall time of the command; 0 when nothing was built
	Output   []byte        // combined stdout and stderr (the first 4 MiB)
}

// Error is a failed build: the command's error (exit status), its output,
// and the compiler's own file:line:col lines found in it.
type Error struct {
	Command   []string
	Err       error
	Locations []Location
	Output    []byte
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "build failed: %s: %v", strings.Join(e.Command, " "), e.Err)
	for _, l := range e.Locations {
		b.WriteString("\n")
		b.WriteString(l.String())
	}
	if out := bytes.TrimSpace(e.Output); len(out) > 0 {
		b.WriteString("\n\n")
		b.Write(out)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Build runs the spec's command in Dir and its own process group,
// streaming stdout and stderr to out (nil: discard) as they come. When ctx
// is done the whole group gets SIGTERM, then SIGKILL after Grace, and
// Build returns ctx's error. A failed build returns an *Error.
func Build(ctx context.Context, s Spec, out io.Writer) (Result, error) {
	return build(ctx, s, out, nil)
}

func build(ctx context.Context, s Spec, out io.Writer, started func(pgid int)) (Result, error) {
	if len(s.Command) == 0 {
		if s.Artifact == "" {
			return Result{}, errors.New("nothing to build and no artifact")
		}
		if _, err := os.Stat(s.Artifact); err != nil {
			return Result{}, fmt.Errorf("guest %w", err)
		}
		return Result{Artifact: s.Artifact}, nil
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	if err := prepareOutDir(s); err != nil {
		return Result{}, err
	}
	if out == nil {
		out = io.Discard
	}
	capture := &tee{w: out}
	cmd := exec.Command(s.Command[0], s.Command[1:]...)
	cmd.Dir = s.Dir
	cmd.Env = append(os.Environ(), s.Env...)
	cmd.Stdout, cmd.Stderr = capture, capture
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// The wait for a group that ignores SIGTERM: Go kills the leader and
	// stops waiting for the pipes; stopGroup then kills the rest.
	cmd.WaitDelay = Grace

	begin := time.Now()
	if err := cmd.Start(); err != nil {
		return Result{}, fmt.Errorf("build: %w (is %s installed and on PATH?)", err, s.Command[0])
	}
	pgid := cmd.Process.Pid
	if started != nil {
		started(pgid)
	}
	stop := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-stop:
		case <-ctx.Done():
			_ = syscall.Kill(-pgid, syscall.SIGTERM)
			select {
			case <-stop:
			case <-time.After(Grace):
				_ = syscall.Kill(-pgid, syscall.SIGKILL)
			}
		}
	}()
	err := cmd.Wait()
	close(stop)
	<-stopped
	res := Result{Duration: time.Since(begin), Output: capture.bytes()}
	if ctx.Err() != nil {
		// The leader is gone; make sure nothing it started survives.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		return res, ctx.Err()
	}
	if err != nil {
		return res, &Error{Command: s.Command, Err: err, Locations: Locations(s.Dir, res.Output), Output: res.Output}
	}
	res.Artifact = s.Artifact
	if res.Artifact == "" {
		a, err := newestWasm(s.Dir, begin)
		if err != nil {
			return res, err
		}
		res.Artifact = a
	}
	if _, err := os.Stat(res.Artifact); err != nil {
		return res, fmt.Errorf("the build succeeded but left no %s; set [build] artifact in bigband.toml to where it writes the .wasm", res.Artifact)
	}
	return res, nil
}

// prepareOutDir creates the directory of the artifact and, for OutDir, a
// .gitignore that keeps git (and the watcher) out of it.
func prepareOutDir(s Spec) error {
	if s.Artifact == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(s.Artifact), 0o755); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	top := filepath.Join(s.Dir, ".bigband")
	if rel, err := filepath.Rel(top, s.Artifact); err == nil && !strings.HasPrefix(rel, "..") {
		gi := filepath.Join(top, ".gitignore")
		if _, err := os.Stat(gi); errors.Is(err, fs.ErrNotExist) {
			_ = os.WriteFile(gi, []byte("# build outputs of bigband-dev\n*\n"), 0o644)
		}
	}
	return nil
}

// newestWasm finds the .wasm the build wrote below dir (modified since it
// began), skipping dependency trees and hidden directories.
func newestWasm(dir string, since time.Time) (string, error) {
	var best string
	var bestTime time.Time
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if p != dir && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(d.Name(), ".wasm") {
			return nil
		}
		fi, err := d.Info()
		if err != nil || fi.ModTime().Before(since.Add(-time.Second)) {
			return nil // one second of slack for coarse file system clocks
		}
		if best == "" || fi.ModTime().After(bestTime) {
			best, bestTime = p, fi.ModTime()
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if best == "" {
		return "", fmt.Errorf("the build succeeded but wrote no .wasm under %s; set [build] artifact in bigband.toml", dir)
	}
	return best, nil
}

// tee streams to w and keeps the first maxOutput bytes.
type tee struct {
	mu  sync.Mutex
	w   io.Writer
	buf bytes.Buffer
}

func (t *tee) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if room := maxOutput - t.buf.Len(); room > 0 {
		t.buf.Write(p[:min(len(p), room)])
	}
	// A failing terminal must not fail the build.
	_, _ = t.w.Write(p)
	return len(p), nil
}

func (t *tee) bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return bytes.Clone(t.buf.Bytes())
}
