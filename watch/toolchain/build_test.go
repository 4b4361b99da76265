package toolchain

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/internal/tooltest"
)

const hang = 2 * time.Minute // hang guard only

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const goMain = `package main

//go:wasmexport add
func add(a, b int32) int32 { return a + b }

func main() {}
`

func goProject(t *testing.T, main string) Spec {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatal("go not on PATH")
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"go.mod": "module example.com/guest\n\ngo 1.24\n", "main.go": main})
	s, err := Detect(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind != Go {
		t.Fatalf("Kind = %s, want go", s.Kind)
	}
	// Builds of the guest must not depend on the caller's GOFLAGS.
	s.Env = append(s.Env, "GOFLAGS=-buildvcs=false", "GOTOOLCHAIN=local")
	return s
}

func isWasm(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\x00asm\x01\x00\x00\x00")) {
		t.Errorf("%s is not a core wasm module (starts %q)", path, b[:min(8, len(b))])
	}
}

func TestBuildGo(t *testing.T) {
	s := goProject(t, goMain)
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	var out bytes.Buffer
	res, err := Build(ctx, s, &out)
	if err != nil {
		t.Fatalf("Build: %v\n%s", err, out.Bytes())
	}
	if res.Artifact != filepath.Join(s.Dir, OutDir, filepath.Base(s.Dir)+".wasm") {
		t.Errorf("Artifact = %s", res.Artifact)
	}
	isWasm(t, res.Artifact)
	// The build directory keeps itself out of git.
	if b, err := os.ReadFile(filepath.Join(s.Dir, ".bigband", ".gitignore")); err != nil || !strings.Contains(string(b), "*") {
		t.Errorf(".bigband/.gitignore = %q, %v", b, err)
	}
}

func TestBuildGoCompileError(t *testing.T) {
	s := goProject(t, strings.Replace(goMain, "return a + b", "return a + nope", 1))
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	var out bytes.Buffer
	_, err := Build(ctx, s, &out)
	var be *Error
	if !errors.As(err, &be) {
		t.Fatalf("Build = %v, want a *toolchain.Error", err)
	}
	if len(be.Locations) == 0 {
		t.Fatalf("no locations in\n%s", be.Output)
	}
	l := be.Locations[0]
	if filepath.Base(l.File) != "main.go" || l.Line != 4 || l.Col != 41 || !strings.Contains(l.Msg, "undefined: nope") {
		t.Errorf("first location = %+v", l)
	}
	if l.Path != filepath.Join(s.Dir, "main.go") {
		t.Errorf("Path = %s", l.Path)
	}
	// The locations come first in the message, before the raw output.
	msg := err.Error()
	if i, j := strings.Index(msg, l.String()), strings.Index(msg, "# example.com/guest"); i < 0 || j < 0 || i > j {
		t.Errorf("message does not lead with the location:\n%s", msg)
	}
	if !bytes.Contains(out.Bytes(), []byte("undefined: nope")) {
		t.Errorf("output was not streamed: %q", out.Bytes())
	}
}

// processesIn lists the live processes of group pgid (zombies are dead:
// only their parent's wait is missing).
func processesIn(t *testing.T, pgid int) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	var live []string
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...; comm may hold spaces and parens.
		s := string(stat)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) < 3 || fields[0] == "Z" || fields[0] == "X" {
			continue
		}
		if fields[2] == strconv.Itoa(pgid) {
			live = append(live, s)
		}
	}
	return live
}

func waitGroupGone(t *testing.T, pgid int) {
	t.Helper()
	deadline := time.Now().Add(hang)
	for {
		live := processesIn(t, pgid)
		if len(live) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process group %d still has %d processes:\n%s", pgid, len(live), strings.Join(live, "\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCancelKillsTheGroup: a build whose processes ignore SIGTERM and
// leave children behind is still gone, all of it, after cancellation.
func TestCancelKillsTheGroup(t *testing.T) {
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready")
	s := Spec{Dir: dir, Command: []string{"sh", "-c",
		`trap '' TERM; sleep 300 & sleep 300 & echo started > ` + ready + `; wait`}}
	ctx, cancel := context.WithCancel(context.Background())
	var pgid int
	var mu sync.Mutex
	done := make(chan error, 1)
	go func() {
		_, err := build(ctx, s, nil, func(p int) { mu.Lock(); pgid = p; mu.Unlock() })
		done <- err
	}()
	deadline := time.Now().Add(hang)
	for {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the build never started")
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	g := pgid
	mu.Unlock()
	if n := len(processesIn(t, g)); n < 3 {
		t.Fatalf("expected the shell and two sleeps in group %d, found %d", g, n)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Build = %v, want context.Canceled", err)
		}
	case <-time.After(hang):
		t.Fatal("Build did not return after cancel")
	}
	waitGroupGone(t, g)
}

// TestCancelGoBuild cancels a real go build mid-way (a fresh build cache
// makes it compile the runtime, which takes a while) and checks that no
// compiler process is left.
func TestCancelGoBuild(t *testing.T) {
	s := goProject(t, goMain)
	s.Env = append(s.Env, "GOCACHE="+t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	pgids := make(chan int, 1)
	go func() {
		_, err := build(ctx, s, &out, func(p int) { pgids <- p })
		done <- err
	}()
	g := <-pgids
	// Wait until the go command has children (compiling), then cancel.
	deadline := time.Now().Add(hang)
	for len(processesIn(t, g)) < 2 {
		select {
		case err := <-done:
			t.Skipf("the build finished before it could be cancelled (%v)", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("go build never started a compiler")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Build = %v, want context.Canceled", err)
		}
	case <-time.After(hang):
		t.Fatal("Build did not return after cancel")
	}
	waitGroupGone(t, g)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

const cAdd = `__attribute__((export_name("add"))) int add(int a, int b) { return a + b; }
`

func TestBuildC(t *testing.T) {
	tooltest.Clang(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"add.c": cAdd, "util.h": "#define X 1\n", "more.c": "int more(void) { return 2; }\n"})
	s, err := Detect(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind != C || !strings.HasSuffix(strings.Join(s.Command, " "), "add.c more.c") {
		t.Fatalf("spec = %+v", s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	res, err := Build(ctx, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	isWasm(t, res.Artifact)

	writeFiles(t, dir, map[string]string{"more.c": "int more(void) {\n  return nope;\n}\n"})
	_, err = Build(ctx, s, nil)
	var be *Error
	if !errors.As(err, &be) || len(be.Locations) == 0 {
		t.Fatalf("Build = %v, want an error with locations", err)
	}
	if l := be.Locations[0]; l.File != "more.c" || l.Line != 2 || l.Col != 10 || l.Severity != "error" {
		t.Errorf("first location = %+v", l)
	}
}

func TestBuildMakeFindsTheArtifact(t *testing.T) {
	tooltest.Clang(t)
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make not on PATH")
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"add.c":    cAdd,
		"Makefile": "out/add.wasm: add.c\n\tmkdir -p out\n\tclang --target=wasm32-wasi -mexec-model=reactor -o $@ add.c\n",
		"old.wasm": "an older file, not the build's",
	})
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "old.wasm"), past, past); err != nil {
		t.Fatal(err)
	}
	s, err := Detect(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind != Make || s.Artifact != "" {
		t.Fatalf("spec = %+v", s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	var out bytes.Buffer
	res, err := Build(ctx, s, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.Bytes())
	}
	if res.Artifact != filepath.Join(dir, "out", "add.wasm") {
		t.Errorf("Artifact = %s", res.Artifact)
	}
	isWasm(t, res.Artifact)
}

func TestBuildPrebuilt(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"guest.wasm": "\x00asm\x01\x00\x00\x00"})
	s, err := Detect(filepath.Join(dir, "guest.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Build(context.Background(), s, nil)
	if err != nil || res.Artifact != filepath.Join(dir, "guest.wasm") || res.Duration != 0 {
		t.Errorf("Build = %+v, %v", res, err)
	}
}

func TestBuildMissingTool(t *testing.T) {
	s := Spec{Dir: t.TempDir(), Command: []string{"no-such-compiler-xyz"}}
	_, err := Build(context.Background(), s, nil)
	if err == nil || !strings.Contains(err.Error(), "is no-such-compiler-xyz installed") {
		t.Errorf("Build = %v", err)
	}
}
