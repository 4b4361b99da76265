package toolchain

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/watch/config"
)

func TestDetect(t *testing.T) {
	// A PATH with a fake cargo-component, or without one.
	withCC := t.TempDir()
	writeFiles(t, withCC, map[string]string{"cargo-component": "#!/bin/sh\n"})
	if err := os.Chmod(filepath.Join(withCC, "cargo-component"), 0o755); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()

	jcoPkg := `{"scripts": {"build": "jco componentize plugin.js --wit wit --world-name backend -o dist/plugin.wasm"},
	            "devDependencies": {"@bytecodealliance/jco": "1.35.0"}}`
	tests := []struct {
		name     string
		files    map[string]string
		path     string // relative to the project; "" for the project itself
		pathEnv  string
		kind     Kind
		command  string // joined with spaces; the artifact path appears as ART
		artifact string // relative to the project; "" when the build decides
		watch    string // one glob that must be among the watch globs
		wantErr  string
	}{
		{name: "go", files: map[string]string{"go.mod": "module x\n", "main.go": "package main\n", "Makefile": "all:\n"},
			kind: Go, command: "go build -buildmode=c-shared -o ART .", artifact: ".bigband/build/PROJ.wasm", watch: "*.go"},
		{name: "cargo component", pathEnv: withCC, files: map[string]string{"Cargo.toml": "[package]\nname = \"my-guest\"\n"},
			kind: Rust, command: "cargo component build --release", artifact: "target/wasm32-wasip1/release/my_guest.wasm", watch: "*.rs"},
		{name: "plain cargo", pathEnv: empty, files: map[string]string{"Cargo.toml": "[package]\nname = \"g\"\n[lib]\nname = \"lib-name\"\n"},
			kind: Rust, command: "cargo build --target wasm32-wasip2 --release", artifact: "target/wasm32-wasip2/release/lib_name.wasm", watch: "Cargo.toml"},
		{name: "cargo workspace root", files: map[string]string{"Cargo.toml": "[workspace]\nmembers = [\"a\"]\n"},
			wantErr: "no [package] name"},
		{name: "jco", files: map[string]string{"package.json": jcoPkg, "plugin.js": ""},
			kind: JS, command: "npm run --silent build", artifact: "dist/plugin.wasm", watch: "*.ts"},
		{name: "componentize-js without -o", files: map[string]string{"package.json": `{"scripts":{"build":"node build.mjs"},"dependencies":{"@bytecodealliance/componentize-js":"0.22.0"}}`},
			kind: JS, command: "npm run --silent build", watch: "package.json"},
		{name: "jco without build script", files: map[string]string{"package.json": `{"dependencies":{"@bytecodealliance/jco":"1"}}`},
			wantErr: `no "build" script`},
		{name: "a package.json that is no guest", files: map[string]string{"package.json": `{"dependencies":{"react":"18"}}`},
			wantErr: "uses neither"},
		{name: "make", files: map[string]string{"Makefile": "all:\n", "plugin.c": ""},
			kind: Make, command: "make", watch: "Makefile"},
		{name: "c files", files: map[string]string{"b.c": "", "a.c": "", "x.h": ""},
			kind: C, command: "clang --target=wasm32-wasi -mexec-model=reactor -O2 -Wall -Wextra -Wl,--strip-debug -o ART a.c b.c",
			artifact: ".bigband/build/PROJ.wasm", watch: "*.h"},
		{name: "a lone wasm", files: map[string]string{"guest.wasm": "", "README.md": ""},
			kind: Prebuilt, artifact: "guest.wasm", watch: "/guest.wasm"},
		{name: "a wasm path", files: map[string]string{"a[1].wasm": "", "b.wasm": ""}, path: "a[1].wasm",
			kind: Prebuilt, artifact: "a[1].wasm", watch: `/a\[1\].wasm`},
		{name: "several wasm", files: map[string]string{"a.wasm": "", "b.wasm": ""}, wantErr: "several .wasm files (a.wasm, b.wasm)"},
		{name: "nothing", files: map[string]string{"README.md": ""}, wantErr: "nothing to build"},
		{name: "not wasm", files: map[string]string{"x.txt": ""}, path: "x.txt", wantErr: "not a directory nor a .wasm file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.pathEnv != "" {
				t.Setenv("PATH", tt.pathEnv)
			}
			dir := filepath.Join(t.TempDir(), "proj")
			writeFiles(t, dir, tt.files)
			s, err := Detect(filepath.Join(dir, tt.path))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Detect = %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Kind != tt.kind || s.Dir != dir {
				t.Errorf("Kind, Dir = %s, %s", s.Kind, s.Dir)
			}
			wantArt := ""
			if tt.artifact != "" {
				wantArt = filepath.Join(dir, filepath.FromSlash(strings.ReplaceAll(tt.artifact, "PROJ", "proj")))
			}
			if s.Artifact != wantArt {
				t.Errorf("Artifact = %q, want %q", s.Artifact, wantArt)
			}
			if got := strings.ReplaceAll(strings.Join(s.Command, " "), s.Artifact, "ART"); s.Artifact != "" && got != tt.command || s.Artifact == "" && strings.Join(s.Command, " ") != tt.command {
				t.Errorf("Command = %q, want %q", got, tt.command)
			}
			if !slices.Contains(s.Watch, tt.watch) {
				t.Errorf("Watch = %q lacks %q", s.Watch, tt.watch)
			}
			if tt.kind != Prebuilt && !slices.Contains(s.Watch, "/bigband.toml") {
				t.Errorf("Watch = %q lacks /bigband.toml", s.Watch)
			}
			if tt.kind == Prebuilt && slices.Contains(s.IgnorePaths(), s.Artifact) {
				t.Error("a prebuilt artifact is what is watched; it must not be ignored")
			}
			if tt.kind != Prebuilt && s.Artifact != "" && !slices.Contains(s.IgnorePaths(), s.Artifact) {
				t.Errorf("IgnorePaths = %q lacks the artifact", s.IgnorePaths())
			}
		})
	}
}

func TestGoEnv(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"go.mod": "module x\n"})
	s, err := Detect(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range []string{"GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0"} {
		if !slices.Contains(s.Env, kv) {
			t.Errorf("Env = %q lacks %s", s.Env, kv)
		}
	}
}

func TestWithConfig(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"go.mod": "module x\n", config.FileName: `
[build]
command = "make wasm"
env = { B = "2", A = "1" }
artifact = "out/x.wasm"
watch = ["src/**"]
ignore = ["gen/"]
`})
	s, err := Detect(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := s.With(c)
	want := s
	want.Kind = Custom
	want.Command = []string{"sh", "-c", "make wasm"}
	want.Env = append(slices.Clone(s.Env), "A=1", "B=2")
	want.Artifact = filepath.Join(dir, "out", "x.wasm")
	want.Watch = []string{"src/**", "/bigband.toml"}
	want.Ignore = append(slices.Clone(s.Ignore), "gen/")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("With:\n got  %+v\n want %+v", got, want)
	}
	if !reflect.DeepEqual(s.With(nil), s) {
		t.Error("With(nil) changed the spec")
	}
}

// A Go package inside a module (the repository's examples/go/*): detected
// from the nearest go.mod above it, built in its own directory.
func TestDetectGoPackageInModule(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		pkg     string // the directory given to Detect
		mod     string // the go.mod the note must name; "" when Detect fails
		wantErr string
	}{
		{name: "package two levels down", files: map[string]string{"go.mod": "module x\n", "examples/go/backend/main.go": "package main\n", "guest/lib.go": "package guest\n"},
			pkg: "examples/go/backend", mod: "go.mod"},
		{name: "the nearest module wins", files: map[string]string{"go.mod": "module x\n", "sub/go.mod": "module y\n", "sub/a/b/main.go": "package main\n"},
			pkg: "sub/a/b", mod: "sub/go.mod"},
		{name: "tests only", files: map[string]string{"go.mod": "module x\n", "p/x_test.go": "package p\n"},
			pkg: "p", wantErr: "nothing to build"},
		{name: "no module above", files: map[string]string{"p/main.go": "package main\n"},
			pkg: "p", wantErr: "nothing to build"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, tt.files)
			dir := filepath.Join(root, filepath.FromSlash(tt.pkg))
			s, err := Detect(dir)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Detect = %+v, %v; want an error containing %q", s, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Kind != Go || s.Dir != dir {
				t.Errorf("Kind, Dir = %s, %s; want go, %s", s.Kind, s.Dir, dir)
			}
			if want := []string{"go", "build", "-buildmode=c-shared", "-o", filepath.Join(dir, OutDir, filepath.Base(dir)+".wasm"), "."}; !reflect.DeepEqual(s.Command, want) {
				t.Errorf("Command = %q, want %q", s.Command, want)
			}
			if mod := filepath.Join(root, filepath.FromSlash(tt.mod)); !slices.ContainsFunc(s.Notes, func(n string) bool { return strings.Contains(n, mod) }) {
				t.Errorf("Notes = %q, want one naming %s", s.Notes, mod)
			}
			if !slices.Contains(s.Watch, "*.tsx") {
				t.Errorf("Watch = %q lacks *.tsx (files a frontend embeds)", s.Watch)
			}
		})
	}
}

// A package of a module that imports a sibling package builds with the
// real toolchain from its own directory.
func TestBuildGoPackageInModule(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatal("go not on PATH")
	}
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"go.mod":     "module example.com/repo\n\ngo 1.24\n",
		"lib/lib.go": "package lib\n\nfunc Add(a, b int32) int32 { return a + b }\n",
		"cmd/g/g.go": "package main\n\nimport \"example.com/repo/lib\"\n\n//go:wasmexport add\nfunc add(a, b int32) int32 { return lib.Add(a, b) }\n\nfunc main() {}\n",
	})
	s, err := Detect(filepath.Join(root, "cmd", "g"))
	if err != nil {
		t.Fatal(err)
	}
	s.Env = append(s.Env, "GOFLAGS=-buildvcs=false", "GOTOOLCHAIN=local")
	ctx, cancel := context.WithTimeout(context.Background(), hang)
	defer cancel()
	var out bytes.Buffer
	res, err := Build(ctx, s, &out)
	if err != nil {
		t.Fatalf("Build: %v\n%s", err, out.Bytes())
	}
	isWasm(t, res.Artifact)
}
