// Package tooltest lets tests that need an external program (clang, node,
// chromium, nvim...) skip with a message naming it when it is missing, and
// fail instead when BIGBAND_REQUIRE_TOOLS is set, as .ci/run does, so CI
// proves those tests ran.
package tooltest

import (
	"os"
	"os/exec"
	"testing"
)

// Required reports whether missing tools must fail tests instead of
// skipping them.
func Required() bool { return os.Getenv("BIGBAND_REQUIRE_TOOLS") != "" }

// Missing skips the test, or fails it under BIGBAND_REQUIRE_TOOLS, with a
// message naming what is missing and how to get it.
func Missing(t testing.TB, what, install string) {
	t.Helper()
	msg := what + " not found"
	if install != "" {
		msg += " (" + install + ")"
	}
	if Required() {
		t.Fatal(msg + "; BIGBAND_REQUIRE_TOOLS is set")
	}
	t.Skip(msg)
}

// Look returns the path of the named program, or skips/fails the test
// through Missing.
func Look(t testing.TB, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name, install)
	}
	return p
}

// File skips/fails the test through Missing unless path exists.
func File(t testing.TB, path, what, install string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		Missing(t, what+" ("+path+")", install)
	}
}

// Clang returns clang's path once clang and wasi-libc are both there, the
// toolchain of the C guests.
func Clang(t testing.TB) string {
	t.Helper()
	const install = "tools/install-fixture-tools.sh, or apt-get install clang lld wasi-libc"
	p := Look(t, "clang", install)
	File(t, "/usr/lib/wasm32-wasi/libc.a", "wasi-libc", install)
	return p
}
