// Package toolchain finds out how to build a guest project into a .wasm
// and runs that build: the command, where the artifact lands, which files
// are sources (watched) and which are outputs (never watched).
//
// Detection, first match wins:
//
//	go.mod                      GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o .bigband/build/<dir>.wasm .
//	*.go inside a Go module     the same, in the package directory (go.mod found in a parent)
//	Cargo.toml                  cargo component build --release (cargo-component on PATH)
//	                            else cargo build --target wasm32-wasip2 --release
//	package.json using jco or   npm run build (the artifact: the script's -o/--out .wasm, else
//	componentize-js             the .wasm the build wrote)
//	Makefile                    make (the artifact: the .wasm the build wrote)
//	*.c                         clang --target=wasm32-wasi -mexec-model=reactor -O2 ... -o .bigband/build/<dir>.wasm *.c
//	one *.wasm, or a .wasm path no build: the file is watched and used as it is
//
// The C recipes give a core module without a component-type section; the
// host then types it by the Backstage contract, or the project embeds one
// with wasm-tools (tools/js/wasm-tools.mjs embed) as its own build step.
//
// A bigband.toml (package watch/config) overrides any of it: Spec.With.
package toolchain

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	toml "github.com/pelletier/go-toml/v2"

	"github.com/bigband-dev/bigband/watch/config"
)

// Kind names a detected toolchain.
type Kind string

// The toolchains Detect knows.
const (
	Go       Kind = "go"
	Rust     Kind = "rust"
	JS       Kind = "js"
	Make     Kind = "make"
	C        Kind = "c"
	Prebuilt Kind = "prebuilt" // a .wasm used as it is
	Custom   Kind = "custom"   // a command from bigband.toml
)

// OutDir is where builds Detect sets up leave their artifact, relative to
// the project. Build puts a .gitignore ignoring everything in it.
const OutDir = ".bigband/build"

// Spec is how to build one guest project.
type Spec struct {
	Kind Kind
	// Dir is the project directory (absolute); the build runs there and
	// the globs below are relative to it.
	Dir string
	// Command is the build's argv; nil when there is nothing to build.
	Command []string
	// Env is added to the environment the build inherits ("KEY=value").
	Env []string
	// Artifact is the absolute path of the built .wasm; "" when only the
	// build can tell (Build then takes the .wasm the build wrote).
	Artifact string
	// Watch globs (.gitignore syntax) name the sources whose changes call
	// for a build; they include bigband.toml.
	Watch []string
	// Ignore globs name build outputs, never to be watched.
	Ignore []string
	// Notes are hints for the user about this toolchain.
	Notes []string
}

// sourceGlobs per toolchain; bigband.toml is added to all.
var sourceGlobs = map[Kind][]string{
	// .ts, .tsx and .css: a frontend's component files, which a Go guest
	// usually embeds (go:embed).
	Go:   {"*.go", "!*_test.go", "go.mod", "go.sum", "*.wit", "*.ts", "*.tsx", "*.css"},
	Rust: {"*.rs", "Cargo.toml", "Cargo.lock", "*.wit"},
	JS:   {"*.js", "*.mjs", "*.cjs", "*.ts", "*.mts", "*.cts", "*.jsx", "*.tsx", "package.json", "*.wit"},
	Make: {"*.c", "*.h", "Makefile", "makefile", "GNUmakefile", "*.mk", "*.wit"},
	C:    {"*.c", "*.h", "*.wit"},
}

// Detect works out how to build the guest at path: a project directory or
// a .wasm file.
func Detect(path string) (Spec, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Spec{}, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return Spec{}, err
	}
	if !fi.IsDir() {
		if !strings.HasSuffix(abs, ".wasm") {
			return Spec{}, fmt.Errorf("%s: not a directory nor a .wasm file; give the guest's project directory or its built .wasm", path)
		}
		return prebuilt(abs), nil
	}
	dir := abs
	has := func(name string) bool {
		fi, err := os.Stat(filepath.Join(dir, name))
		return err == nil && !fi.IsDir()
	}
	s := Spec{Dir: dir}
	name := artifactName(dir)
	mod := ""
	if !has("go.mod") {
		mod = enclosingGoModule(dir)
	}
	switch {
	case has("go.mod") || mod != "":
		if mod != "" {
			s.Notes = append(s.Notes, fmt.Sprintf("builds package %s of the Go module %s; only changes inside the package trigger a build", dir, mod))
		}
		s.Kind = Go
		s.Artifact = filepath.Join(dir, OutDir, name+".wasm")
		s.Command = []string{"go", "build", "-buildmode=c-shared", "-o", s.Artifact, "."}
		s.Env = []string{"GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0"}
	case has("Cargo.toml"):
		s.Kind = Rust
		crate, err := crateName(filepath.Join(dir, "Cargo.toml"))
		if err != nil {
			return Spec{}, err
		}
		if _, err := exec.LookPath("cargo-component"); err == nil {
			s.Command = []string{"cargo", "component", "build", "--release"}
			s.Artifact = filepath.Join(dir, "target", "wasm32-wasip1", "release", crate+".wasm")
		} else {
			s.Command = []string{"cargo", "build", "--target", "wasm32-wasip2", "--release"}
			s.Artifact = filepath.Join(dir, "target", "wasm32-wasip2", "release", crate+".wasm")
			s.Notes = append(s.Notes, "cargo-component is not on PATH: building for wasm32-wasip2 with plain cargo (rustup target add wasm32-wasip2)")
		}
		s.Ignore = append(s.Ignore, "/target/")
	case has("package.json"):
		js, err := jsSpec(dir)
		if err != nil {
			return Spec{}, err
		}
		if js == nil {
			return Spec{}, fmt.Errorf("%s: package.json uses neither @bytecodealliance/componentize-js nor @bytecodealliance/jco, so it does not build a component; set [build] command in %s", dir, config.FileName)
		}
		s = *js
	case has("Makefile") || has("makefile") || has("GNUmakefile"):
		s.Kind = Make
		s.Command = []string{"make"}
		s.Notes = append(s.Notes, "the artifact is the .wasm the build writes; set [build] artifact in "+config.FileName+" if it writes several")
	default:
		cs, _ := filepath.Glob(filepath.Join(dir, "*.c"))
		wasms, _ := filepath.Glob(filepath.Join(dir, "*.wasm"))
		switch {
		case len(cs) > 0:
			s.Kind = C
			slices.Sort(cs)
			s.Artifact = filepath.Join(dir, OutDir, name+".wasm")
			s.Command = []string{"clang", "--target=wasm32-wasi", "-mexec-model=reactor", "-O2", "-Wall", "-Wextra", "-Wl,--strip-debug", "-o", s.Artifact}
			for _, c := range cs {
				s.Command = append(s.Command, filepath.Base(c))
			}
			s.Notes = append(s.Notes, "builds a core module without a component-type section; to embed one, add `node tools/js/wasm-tools.mjs embed --wit <dir> --world <world>` to a [build] command")
		case len(wasms) == 1:
			return prebuilt(wasms[0]), nil
		case len(wasms) > 1:
			var names []string
			for _, w := range wasms {
				names = append(names, filepath.Base(w))
			}
			return Spec{}, fmt.Errorf("%s: no sources to build and several .wasm files (%s): give the one to use", dir, strings.Join(names, ", "))
		default:
			return Spec{}, fmt.Errorf("%s: nothing to build: no go.mod, Cargo.toml, package.json (jco/componentize-js), Makefile, *.c or *.wasm; set [build] command in %s", dir, config.FileName)
		}
	}
	if s.Watch == nil {
		s.Watch = slices.Clone(sourceGlobs[s.Kind])
	}
	s.Watch = append(s.Watch, "/"+config.FileName)
	// Sources are never .wasm, and a build's intermediate modules must
	// not look like changes.
	s.Ignore = append(s.Ignore, "/.bigband/", "*.wasm")
	return s, nil
}

// enclosingGoModule returns the go.mod of the module dir is a package of:
// dir holds non-test .go files and a parent directory has a go.mod.
// "" otherwise.
func enclosingGoModule(dir string) string {
	gos, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	if !slices.ContainsFunc(gos, func(f string) bool { return !strings.HasSuffix(f, "_test.go") }) {
		return ""
	}
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		if fi, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && !fi.IsDir() {
			return filepath.Join(d, "go.mod")
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

func prebuilt(file string) Spec {
	dir := filepath.Dir(file)
	return Spec{
		Kind:     Prebuilt,
		Dir:      dir,
		Artifact: file,
		Watch:    []string{"/" + escapeGlob(filepath.Base(file))},
	}
}

// escapeGlob quotes glob syntax in a file name.
func escapeGlob(name string) string {
	var b strings.Builder
	for _, r := range name {
		if strings.ContainsRune(`*?[]\!#`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// artifactName is the project directory's name, made safe for a file name.
func artifactName(dir string) string {
	name := filepath.Base(dir)
	if name == "" || name == "." || name == string(filepath.Separator) {
		return "plugin"
	}
	return name
}

func crateName(cargoToml string) (string, error) {
	data, err := os.ReadFile(cargoToml)
	if err != nil {
		return "", err
	}
	var m struct {
		Package struct {
			Name string `toml:"name"`
		} `toml:"package"`
		Lib struct {
			Name string `toml:"name"`
		} `toml:"lib"`
	}
	if err := toml.Unmarshal(data, &m); err != nil {
		return "", fmt.Errorf("%s: %w", cargoToml, err)
	}
	name := m.Lib.Name
	if name == "" {
		name = m.Package.Name
	}
	if name == "" {
		return "", fmt.Errorf("%s: no [package] name (a workspace root? give the member's directory)", cargoToml)
	}
	// cargo names library files with underscores.
	return strings.ReplaceAll(name, "-", "_"), nil
}

var outFlag = regexp.MustCompile(`(?:^|\s)(?:-o|--out|--output)[\s=]+("[^"]+\.wasm"|'[^']+\.wasm'|\S+\.wasm)`)

// jsSpec: a package.json project building a component with jco or
// componentize-js; nil when the package uses neither.
func jsSpec(dir string) (*Spec, error) {
	data, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, err
	}
	var pkg struct {
		Scripts         map[string]string `json:"scripts"`
		Dependencies    map[string]string `json:"dependencies"`
		DevDependencies map[string]string `json:"devDependencies"`
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "package.json"), err)
	}
	uses := false
	for _, dep := range []string{"@bytecodealliance/componentize-js", "@bytecodealliance/jco"} {
		if _, ok := pkg.Dependencies[dep]; ok {
			uses = true
		}
		if _, ok := pkg.DevDependencies[dep]; ok {
			uses = true
		}
	}
	if !uses {
		return nil, nil
	}
	script, ok := pkg.Scripts["build"]
	if !ok {
		return nil, fmt.Errorf("%s: package.json has no \"build\" script; add one like \"jco componentize plugin.js --wit wit -o plugin.wasm\", or set [build] command in %s",
			dir, config.FileName)
	}
	s := &Spec{Kind: JS, Dir: dir, Command: []string{"npm", "run", "--silent", "build"}}
	if m := outFlag.FindStringSubmatch(script); m != nil {
		out := strings.Trim(m[1], `"'`)
		if !filepath.IsAbs(out) {
			out = filepath.Join(dir, filepath.FromSlash(out))
		}
		s.Artifact = out
	} else {
		s.Notes = append(s.Notes, "the artifact is the .wasm the build writes; set [build] artifact in "+config.FileName+" if it writes several")
	}
	s.Ignore = append(s.Ignore, "/dist/")
	return s, nil
}

// With applies a bigband.toml: its command, environment, artifact and
// globs replace or extend what was detected.
func (s Spec) With(c *config.Config) Spec {
	if c == nil {
		return s
	}
	b := c.Build
	if b.Command != nil {
		s.Command = slices.Clone(b.Command)
		s.Kind = Custom
	}
	keys := make([]string, 0, len(b.Env))
	for k := range b.Env {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	s.Env = slices.Clone(s.Env)
	for _, k := range keys {
		s.Env = append(s.Env, k+"="+b.Env[k])
	}
	if b.Artifact != "" {
		s.Artifact = b.Artifact
	}
	if b.Watch != nil {
		s.Watch = append(slices.Clone(b.Watch), "/"+config.FileName)
	}
	s.Ignore = append(slices.Clone(s.Ignore), b.Ignore...)
	return s
}

// IgnorePaths are the files and directories a watcher of Dir must skip:
// the artifact and the build directory.
func (s Spec) IgnorePaths() []string {
	var out []string
	if s.Kind != Prebuilt && s.Artifact != "" {
		out = append(out, s.Artifact)
	}
	return append(out, filepath.Join(s.Dir, ".bigband"))
}
