package main

import (
	"bytes"
	"encoding/json"
	"github.com/bigband-dev/bigband/bytesize"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/contract"
)

func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		err  string
	}{
		{"65536", 65536, ""},
		{"64KiB", 64 << 10, ""},
		{"256MiB", 256 << 20, ""},
		{"256mb", 256_000_000, ""}, // MB is decimal, as in bigband.toml
		{"1GiB", 1 << 30, ""},
		{"1.5 GiB", 3 << 29, ""},
		{"4G", 0, "not a size"},
		{"-1", -1, ""},
		{"0", 0, ""},
		{"", 0, "not a size"},
		{"lots", 0, "not a size"},
		{"12 parsecs", 0, "not a size"},
		{"1.5", 0, "whole number of bytes"},
		{"1e3MiB", 0, "not a size"},
		{"..MiB", 0, "not a size"},
		{"99999999999TiB", 0, "too large"},
	} {
		got, err := parseSize(c.in)
		switch {
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("parseSize(%q) = %d, %v; want %d", c.in, got, err, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("parseSize(%q) = %d, %v; want an error containing %q", c.in, got, err, c.err)
		}
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"64KiB", "1.5 GiB", "-1", "0", "7", "3tb", "-0.5k"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseSize(s)
		if err != nil || n <= 0 {
			return
		}
		// What formatBytes writes (and the flags show) reads back.
		if back, err := parseSize(strings.ReplaceAll(bytesize.Format(n), " ", "")); err != nil || back != n {
			t.Fatalf("parseSize(%q) = %d; formatBytes gives %q, which reads back as %d, %v", s, n, bytesize.Format(n), back, err)
		}
	})
}

func TestMemoryPages(t *testing.T) {
	for _, c := range []struct {
		bytes int64
		pages uint32
	}{{0, 0}, {1, 1}, {64 << 10, 1}, {64<<10 + 1, 2}, {256 << 20, 4096}, {4 << 30, 65536}} {
		if got := memoryPages(c.bytes); got != c.pages {
			t.Errorf("memoryPages(%d) = %d, want %d", c.bytes, got, c.pages)
		}
	}
}

// TestBadLimitFlags: nonsense values are usage errors naming the flag and
// why, before anything runs.
func TestBadLimitFlags(t *testing.T) {
	guestCmds := [][]string{{"call", "x.wasm", "f"}, {"check", "x.wasm"}, {"generate", "--wasm", "x.wasm", "--id", "x"}, {"serve", "x.wasm"}}
	var cases []struct {
		args []string
		want string
	}
	add := func(args []string, want string) {
		cases = append(cases, struct {
			args []string
			want string
		}{args, want})
	}
	for _, c := range guestCmds {
		with := func(flag ...string) []string { return append(append([]string{c[0]}, flag...), c[1:]...) }
		add(with("--timeout", "0"), "must be more than 0")
		add(with("--timeout", "-5s"), "must not be negative")
		add(with("--timeout", "soon"), "not a duration")
		add(with("--memory", "5GiB"), "at most 4 GiB")
		add(with("--memory", "-1"), "must not be negative")
		add(with("--memory", "lots"), "not a size")
	}
	add([]string{"serve", "--pool", "0", "x.wasm"}, "must be 1 or more")
	add([]string{"serve", "--pool", "-3", "x.wasm"}, "must be 1 or more")
	add([]string{"serve", "--max-body", "0", "x.wasm"}, "-1 means no limit")
	add([]string{"serve", "--max-handles", "0", "x.wasm"}, "-1 means no limit")
	add([]string{"serve", "--grace", "-1s", "x.wasm"}, "must not be negative")
	for _, c := range cases {
		r := runCLI(t, "", c.args...)
		flag := ""
		for _, a := range c.args {
			if strings.HasPrefix(a, "--") && flag == "" {
				flag = "-" + strings.TrimPrefix(a, "--")
			}
		}
		if r.code != 2 || !strings.Contains(r.stderr, "flag "+flag+": ") || !strings.Contains(r.stderr, c.want) || strings.Contains(r.stderr, "x.wasm: ") {
			t.Errorf("%v: want exit 2 naming %s and %q, got %v", c.args, flag, c.want, r)
		}
	}
}

// TestMemoryFlag: --memory reaches the host (a guest whose memory starts
// above it can't load) and check reports the limits in force.
func TestMemoryFlag(t *testing.T) {
	guest := fixture(t, "c/frontend/frontend.wasm") // its memory starts at 1 MiB + 128 KiB
	if r := runCLI(t, "", "call", "--memory", "64KiB", guest, "backstage-frontend-plugin#get-node-deps"); r.code != 1 || !strings.Contains(r.stderr, "over limit") {
		t.Errorf("64 KiB limit: %v", r)
	}
	if r := runCLI(t, "", "call", "--memory", "2MiB", guest, "backstage-frontend-plugin#get-node-deps"); r.code != 0 {
		t.Errorf("2 MiB limit: %v", r)
	}
	r := runCLI(t, "", "check", "--memory", "256MiB", "--timeout", "3s", guest)
	if r.code != 0 || r.stdout != "frontend\nlimits: memory 256 MiB per instance, calls 3s (--memory, --timeout)\n" {
		t.Errorf("check: %v", r)
	}
	if r := runCLI(t, "", "check", guest); r.code != 0 || !strings.Contains(r.stdout, "\nlimits: memory 512 MiB per instance, calls 10s") {
		t.Errorf("check with defaults: %v", r)
	}
}

// TestMissingFileNamedOnce: every command names a missing input once, as
// given.
func TestMissingFileNamedOnce(t *testing.T) {
	const missing = "no-such-guest.wasm"
	for _, args := range [][]string{
		{"call", missing, "f"},
		{"check", missing},
		{"generate", "--wasm", missing, "--id", "x", "--out", t.TempDir()},
		{"serve", "--addr", "127.0.0.1:0", missing},
		{"wit", "json", missing},
		{"wit", "check", missing},
		{"wit", "json", "no-such.wit"},
		{"wit", "check", "no-such-dir/"},
		{"wit", "fmt", "no-such.wit"},
	} {
		r := runCLI(t, "", args...)
		name := args[len(args)-1]
		if args[0] == "generate" {
			name = missing
		}
		out := r.stdout + r.stderr
		if r.code != 1 || strings.Count(out, strings.TrimSuffix(name, "/")) != 1 || !strings.Contains(out, "no such file or directory") {
			t.Errorf("%v: want exit 1 naming %s once, got %v", args, name, r)
		}
	}
}

// TestWitRefusesOtherBinaries: a PNG or an executable is reported as what
// it is, not parsed as WIT.
func TestWitRefusesOtherBinaries(t *testing.T) {
	dir := t.TempDir()
	png := writeFile(t, dir, "logo.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	for _, c := range []struct{ path, what string }{{png, "a PNG image"}, {binPath, "an ELF executable"}} {
		for _, sub := range []string{"json", "check"} {
			r := runCLI(t, "", "wit", sub, c.path)
			if r.code != 1 || !strings.Contains(r.stdout+r.stderr, "not a WebAssembly binary (no \\0asm header) nor WIT text (it looks like "+c.what+")") {
				t.Errorf("wit %s %s: %v", sub, filepath.Base(c.path), r)
			}
		}
	}
}

// TestWitUnknownFeatures: --features names must be used by the package's
// gates; the error lists the ones that are.
func TestWitUnknownFeatures(t *testing.T) {
	path := writeFile(t, t.TempDir(), "gated.wit", "package a:b;\n\n@unstable(feature = active)\ninterface gated {\n  f: func();\n}\n\ninterface plain {\n  @unstable(feature = beta)\n  g: func();\n}\n")
	for _, sub := range []string{"json", "check"} {
		r := runCLI(t, "", "wit", sub, "--features", "actve", path)
		if r.code != 2 || !strings.Contains(r.stderr, `unknown feature "actve"`) || !strings.Contains(r.stderr, "use active, beta") {
			t.Errorf("wit %s --features actve: %v", sub, r)
		}
		if r := runCLI(t, "", "wit", sub, "--features", "active,beta", path); r.code != 0 {
			t.Errorf("wit %s --features active,beta: %v", sub, r)
		}
	}
	if r := runCLI(t, "", "wit", "check", "--features", "x", example); r.code != 2 || !strings.Contains(r.stderr, "has no @unstable gates") {
		t.Errorf("package without gates: %v", r)
	}
}

// hostileMessage has what a guest could use against a terminal: OSC 52
// (write the clipboard), a title change, and a CR that overwrites the
// line with a fake success.
const hostileMessage = "\x1b]52;c;ZXZpbA==\x07\x1b]0;t\x07\rOK"

// TestGuestErrorIsEscaped: an err(...) message with escape sequences and a
// huge length prints with no ESC byte, bounded, with a note of the cut.
func TestGuestErrorIsEscaped(t *testing.T) {
	var stderr bytes.Buffer
	msg := hostileMessage + "\n" + strings.Repeat("A", 64<<20)
	printError(&env{stderr: &stderr}, &contract.GuestError{Guest: "g.wasm", Func: "get-node-deps", Message: msg})
	out := stderr.String()
	if strings.ContainsAny(out, "\x1b\x07\r") {
		t.Errorf("raw control characters printed: %q", out[:min(len(out), 200)])
	}
	if !strings.Contains(out, `\x1b]52;c;ZXZpbA==\x07`) || !strings.Contains(out, "more bytes cut") {
		t.Errorf("output lacks the escaped sequence or the cut note: %q ... %q", out[:min(len(out), 200)], out[max(0, len(out)-100):])
	}
	if len(out) > 100<<10 {
		t.Errorf("printed %d bytes of a %d-byte message", len(out), len(msg))
	}
}

// TestGuestErrorIsEscapedEndToEnd patches the failing frontend's err(...)
// message (same length) with the hostile sequences: generate prints it
// escaped, and call's JSON keeps it as \u escapes.
func TestGuestErrorIsEscapedEndToEnd(t *testing.T) {
	b, err := os.ReadFile(fixture(t, "c/malicious/failing.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	const orig = "config error: plugin.toml"
	if len(hostileMessage) != len(orig) || bytes.Count(b, []byte(orig)) != 1 {
		t.Fatalf("fixture changed: %d occurrences of %q", bytes.Count(b, []byte(orig)), orig)
	}
	guest := filepath.Join(t.TempDir(), "hostile.wasm")
	os.WriteFile(guest, bytes.Replace(b, []byte(orig), []byte(hostileMessage), 1), 0o644)

	r := runCLI(t, "", "generate", "--wasm", guest, "--id", "hostile", "--out", t.TempDir())
	if r.code != 1 || strings.ContainsAny(r.stderr, "\x1b\x07\r") || !strings.Contains(r.stderr, `\x1b]52;c;ZXZpbA==\x07\x1b]0;t\x07\rOK line 3`) {
		t.Errorf("generate: %q", r)
	}
	r = runCLI(t, "", "call", guest, "backstage-frontend-plugin#get-node-deps")
	var got struct{ Err string }
	if r.code != 0 || strings.ContainsAny(r.stdout, "\x1b\x07\r") || json.Unmarshal([]byte(r.stdout), &got) != nil || !strings.HasPrefix(got.Err, hostileMessage) {
		t.Errorf("call: %q", r)
	}
}

func TestJSONSafe(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"a":"plain"}`, `{"a":"plain"}`},
		{"{\n  \"a\": 1\n}", "{\n  \"a\": 1\n}"},
		{"\"a\u009b31mb\"", `"a\u009b31mb"`},
		{"\"x\u202ey\x7f\"", `"x\u202ey\u007f"`},
		{"\"héllo 🎉\"", "\"héllo 🎉\""},
		{"\"\xff\"", `"\ufffd"`},
	} {
		got := string(jsonSafe([]byte(c.in)))
		if got != c.want {
			t.Errorf("jsonSafe(%q) = %q, want %q", c.in, got, c.want)
		}
		var a, b any
		if json.Unmarshal([]byte(c.in), &a) == nil && (json.Unmarshal([]byte(got), &b) != nil || !jsonEqual(a, b)) {
			t.Errorf("jsonSafe(%q) changed the value: %q", c.in, got)
		}
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
