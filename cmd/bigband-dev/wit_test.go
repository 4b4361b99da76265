package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var example = filepath.Join(repoRoot, "guest", "wit", "backstage")

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const badWIT = `package a:b;

interface i {
  type t = no-such-type;
}
`

func TestWitCheckExample(t *testing.T) {
	r := runCLI(t, "", "wit", "check", example)
	if r.code != 0 || r.stdout != "ok: backstage:plugins@0.1.0 (2 interfaces, 2 worlds)\n" || r.stderr != "" {
		t.Fatal(r)
	}
}

func TestWitCheckSingleFile(t *testing.T) {
	path := writeFile(t, t.TempDir(), "one.wit", "package a:b;\n\ninterface i {\n  f: func();\n}\n")
	r := runCLI(t, "", "wit", "check", path)
	if r.code != 0 || r.stdout != "ok: a:b (1 interface, 0 worlds)\n" {
		t.Fatal(r)
	}
}

func TestWitCheckErrors(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{
		"resolve.wit": badWIT,
		"syntax.wit":  "package a:b;\n\ninterface i {\n  f: func(;\n}\n",
	} {
		path := writeFile(t, dir, name, src)
		r := runCLI(t, "", "wit", "check", path)
		if r.code != 1 || r.stdout == "" {
			t.Errorf("%s: %v", name, r)
			continue
		}
		line := regexp.MustCompile(`^\S*` + regexp.QuoteMeta(name) + `:\d+:\d+: \S.*$`)
		for _, l := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
			if !line.MatchString(l) {
				t.Errorf("%s: diagnostic %q is not file:line:col: message", name, l)
			}
		}
	}
}

func TestWitJSONExample(t *testing.T) {
	r := runCLI(t, "", "wit", "json", example)
	if r.code != 0 || r.stderr != "" {
		t.Fatal(r)
	}
	if !strings.HasSuffix(r.stdout, "}\n") || !json.Valid([]byte(r.stdout)) {
		t.Fatalf("not one JSON value and a newline:\n%s", r.stdout)
	}
	for _, want := range []string{`"backstage-frontend-plugin"`, `"backend-plugin"`, `"incoming-handler"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
}

func TestWitJSONError(t *testing.T) {
	path := writeFile(t, t.TempDir(), "bad.wit", badWIT)
	r := runCLI(t, "", "wit", "json", path)
	if r.code != 1 || r.stdout != "" {
		t.Fatal(r)
	}
	lines := strings.Split(r.stderr, "\n")
	if len(lines) < 4 || !strings.HasPrefix(lines[0], "error: ") || len(lines[0]) <= len("error: ") {
		t.Fatalf("stderr does not start with `error: <message>`:\n%s", r.stderr)
	}
	arrow := regexp.MustCompile(`^ +--> \S*bad\.wit:4:\d+$`)
	if !arrow.MatchString(lines[1]) {
		t.Errorf("second line %q is not ` --> file:line:col`", lines[1])
	}
	if !strings.Contains(r.stderr, "no-such-type") {
		t.Errorf("snippet lacks the source line:\n%s", r.stderr)
	}
}

func TestWitFeatures(t *testing.T) {
	path := writeFile(t, t.TempDir(), "gated.wit", `package a:b;

interface i {
  @unstable(feature = shiny)
  gated-fn: func();
}
`)
	for _, tc := range []struct {
		flags []string
		want  bool
	}{
		{nil, false},
		{[]string{"--features", "shiny"}, true},
		{[]string{"--features", " shiny ,"}, true},
		{[]string{"--all-features"}, true},
	} {
		args := append(append([]string{"wit", "json"}, tc.flags...), path)
		r := runCLI(t, "", args...)
		if r.code != 0 {
			t.Errorf("%v: %v", tc.flags, r)
			continue
		}
		if got := strings.Contains(r.stdout, `"gated-fn"`); got != tc.want {
			t.Errorf("%v: gated-fn in JSON = %v, want %v", tc.flags, got, tc.want)
		}
	}
}

const messyWIT = "package a:b;\r\ninterface i {\r\n  // keep me\r\n  f: func(a: u32,b: string)->result<u32,string>; // and me\r\n\r\n\r\n  record r { x: u32, y: list<u8> }\r\n}\r\n"

const tidyWIT = `package a:b;

interface i {
  // keep me
  f: func(a: u32, b: string) -> result<u32, string>; // and me

  record r {
    x: u32,
    y: list<u8>,
  }
}
`

func TestWitFmtStdout(t *testing.T) {
	path := writeFile(t, t.TempDir(), "messy.wit", messyWIT)
	r := runCLI(t, "", "wit", "fmt", path)
	if r.code != 0 || r.stdout != tidyWIT || r.stderr != "" {
		t.Fatalf("%v\nwant stdout:\n%s", r, tidyWIT)
	}
	if got, _ := os.ReadFile(path); string(got) != messyWIT {
		t.Error("fmt without -w changed the file")
	}
}

func TestWitFmtWriteAndCheck(t *testing.T) {
	dir := t.TempDir()
	top := writeFile(t, dir, "pkg/a.wit", messyWIT)
	dep := writeFile(t, dir, "pkg/deps/dep/b.wit", strings.ReplaceAll(messyWIT, "a:b", "c:d"))
	tidy := writeFile(t, dir, "pkg/tidy.wit", tidyWIT)
	if err := os.Chmod(top, 0o600); err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Join(dir, "pkg")

	r := runCLI(t, "", "wit", "fmt", "-check", pkg)
	if r.code != 1 || r.stdout != top+"\n"+dep+"\n" {
		t.Fatalf("-check before -w: %v", r)
	}

	r = runCLI(t, "", "wit", "fmt", "-w", pkg)
	if r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("-w: %v", r)
	}
	for _, path := range []string{top, dep, tidy} {
		got, _ := os.ReadFile(path)
		want := tidyWIT
		if path == dep {
			want = strings.ReplaceAll(tidyWIT, "a:b", "c:d")
		}
		if string(got) != want {
			t.Errorf("%s after -w:\n%s", path, got)
		}
	}
	if info, err := os.Stat(top); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("-w did not keep the file mode: %v %v", info.Mode(), err)
	}
	if entries, _ := os.ReadDir(pkg); len(entries) != 3 {
		t.Errorf("-w left stray files: %v", entries)
	}

	r = runCLI(t, "", "wit", "fmt", "-check", pkg)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("-check after -w: %v", r)
	}
}

func TestWitFmtSyntaxError(t *testing.T) {
	dir := t.TempDir()
	const broken = "package a:b;\ninterface i {\n  f: func(;\n}\n"
	bad := writeFile(t, dir, "bad.wit", broken)
	good := writeFile(t, dir, "good.wit", messyWIT)
	r := runCLI(t, "", "wit", "fmt", "-w", dir)
	if r.code != 1 {
		t.Fatal(r)
	}
	if !regexp.MustCompile(`(?m)^\S*bad\.wit:3:\d+: `).MatchString(r.stderr) {
		t.Errorf("stderr does not locate the error:\n%s", r.stderr)
	}
	if got, _ := os.ReadFile(bad); string(got) != broken {
		t.Error("a file with syntax errors was rewritten")
	}
	if got, _ := os.ReadFile(good); string(got) != tidyWIT {
		t.Error("one bad file stopped the others from being formatted")
	}
}

func TestWitFmtExampleIsFormatted(t *testing.T) {
	r := runCLI(t, "", "wit", "fmt", "-check", example)
	if r.code != 0 || r.stdout != "" {
		t.Fatal(r)
	}
}

func TestWitFmtStdin(t *testing.T) {
	cmd := exec.Command(binPath, "wit", "fmt")
	cmd.Stdin = strings.NewReader(messyWIT)
	out, err := cmd.Output()
	if err != nil || string(out) != tidyWIT {
		t.Fatalf("fmt from stdin: %v\n%s", err, out)
	}
}

// TestWitFmtFlagAfterPath checks that flags may follow paths.
func TestWitFmtFlagAfterPath(t *testing.T) {
	path := writeFile(t, t.TempDir(), "a.wit", messyWIT)
	if r := runCLI(t, "", "wit", "fmt", path, "-w"); r.code != 0 || r.stdout != "" {
		t.Fatal(r)
	}
	if got, _ := os.ReadFile(path); string(got) != tidyWIT {
		t.Errorf("-w after the path was not honoured:\n%s", got)
	}
}
