// Package examples holds the guest fixtures; this test checks that the
// committed binaries still come from the committed sources.
package examples

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("BIGBAND_REQUIRE_TOOLS") != "" {
			t.Fatalf("%s not found (install it with tools/install-fixture-tools.sh)", name)
		}
		t.Skipf("%s not found (install it with tools/install-fixture-tools.sh)", name)
	}
	return p
}

// TestGoFixtureIsReproducible rebuilds the Go frontend core module with the
// recipe of taskfiles/fixtures.yml and compares it byte for byte.
func TestGoFixtureIsReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Go program for wasip1")
	}
	out := filepath.Join(t.TempDir(), "frontend.core.wasm")
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", out, ".")
	cmd.Dir = filepath.Join("go", "frontend")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0", "GOFLAGS=-trimpath -buildvcs=false")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	got, _ := os.ReadFile(out)
	want, _ := os.ReadFile(filepath.Join("go", "frontend", "frontend.core.wasm"))
	if !bytes.Equal(got, want) {
		t.Fatalf("rebuilt module (%d bytes) differs from the committed one (%d bytes): run `task fixtures:go`", len(got), len(want))
	}
}

// TestCFixtureCompiles builds the C guests with the fixture recipe's
// flags (warnings are errors), so a broken source or toolchain shows up.
func TestCFixtureCompiles(t *testing.T) {
	clang := requireTool(t, "clang")
	if _, err := os.Stat("/usr/lib/wasm32-wasi/libc.a"); err != nil {
		if os.Getenv("BIGBAND_REQUIRE_TOOLS") != "" {
			t.Fatal("wasi-libc not found (apt-get install wasi-libc)")
		}
		t.Skip("wasi-libc not found (apt-get install wasi-libc)")
	}
	build := func(src string, flags ...string) []byte {
		out := filepath.Join(t.TempDir(), "guest.wasm")
		args := append([]string{"--target=wasm32-wasi", "-mexec-model=reactor", "-O2", "-Wall", "-Wextra", "-Werror", "-Wl,--strip-debug", "-o", out}, flags...)
		cmd := exec.Command(clang, append(args, filepath.FromSlash(src))...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("clang %s: %v\n%s", src, err, b)
		}
		b, _ := os.ReadFile(out)
		if !bytes.HasPrefix(b, []byte("\x00asm\x01\x00\x00\x00")) {
			t.Fatalf("clang did not produce a core module from %s", src)
		}
		return b
	}
	build("c/frontend/plugin.c")
	build("c/backend/backend.c")
	// The malicious guests are plain clang output: the committed bytes must
	// be what the recipe builds.
	for file, flags := range map[string][]string{"c/malicious/malicious.wasm": nil, "c/malicious/failing.wasm": {"-DFAIL"}} {
		want, err := os.ReadFile(filepath.FromSlash(file))
		if err != nil {
			t.Fatal(err)
		}
		if got := build("c/malicious/plugin.c", flags...); !bytes.Equal(got, want) {
			t.Errorf("%s: rebuilt module (%d bytes) differs from the committed one (%d bytes): run `task fixtures:malicious`", file, len(got), len(want))
		}
	}
}
