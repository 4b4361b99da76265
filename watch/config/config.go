// Package config reads bigband.toml, the optional file beside a guest's
// source that overrides what `bigband-dev watch` would otherwise detect.
//
// Every key is optional; a missing file is the same as an empty one.
// Relative paths are relative to the directory holding the file.
//
//	id = "my-plugin"          # Backstage plugin id (default: from the directory or artifact name)
//	kind = "auto"             # frontend | backend | auto (auto: from the guest's exports)
//	app = "../backstage"      # Backstage app directory to wire the plugin into
//
//	[build]
//	command = "make"          # a string runs under `sh -c`; an array is argv, run without a shell
//	env = { CFLAGS = "-O2" }  # added to the build's environment
//	artifact = "plugin.wasm"  # where the build leaves the guest (default: the toolchain's)
//	watch = ["src/**/*.c"]    # globs (.gitignore syntax) whose changes trigger a build (default: the toolchain's)
//	ignore = ["gen/"]         # globs never watched, beyond .gitignore and the built-in ignores
//
//	[serve]
//	addr = "127.0.0.1:7008"   # where the host serves backend plugins
//
//	[limits]                  # the host's limits for this guest; unset keys keep the host's defaults
//	memory = "256MiB"         # linear memory per instance (size: bytes or "64KiB", "256MiB", "1GB", ...)
//	timeout = "30s"           # one guest call (Go duration: "500ms", "30s", "2m")
//	max-body = "64MiB"        # largest request body (size)
//	pool = 4                  # instances kept ready and running at once
//	handles = 10000           # resource handles one instance may hold
//	output-rate = 100         # guest stdout/stderr lines per second before lines are dropped
//	compile-module-bytes = "64MiB"  # largest core module the host compiles (size)
//	compile-functions = 100000      # most functions in one module
//	compile-nesting = 1000          # deepest block nesting in a function
//	compile-br-table-targets = 65536 # most targets of one br_table
//
// Errors carry file:line:col and the valid choices, for example
//
//	bigband.toml:5:3: unknown key "comand" in [build]; did you mean "command"? valid: command, env, artifact, watch, ignore
package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// FileName is the name of the configuration file beside the guest source.
const FileName = "bigband.toml"

// maxFileSize bounds what Parse reads: a config file is a few hundred bytes,
// and a huge one is a mistake (or an attack on the parser's time).
const maxFileSize = 1 << 20

// Kind says which Backstage contract the guest implements.
type Kind string

// The valid kinds. KindAuto (the default) detects it from the guest's exports.
const (
	KindAuto     Kind = "auto"
	KindFrontend Kind = "frontend"
	KindBackend  Kind = "backend"
)

// Config is a parsed bigband.toml. Zero values mean "not set": the caller
// keeps its detected or default value.
type Config struct {
	// File is the path the configuration came from; "" when there was none.
	File string
	// Dir is the directory relative paths were resolved against.
	Dir string

	ID   string // plugin id, already checked by backstage.ValidID
	Kind Kind   // never "": KindAuto when unset
	App  string // absolute Backstage app directory, or ""

	Build  Build
	Serve  Serve
	Limits Limits
}

// Build overrides the detected toolchain.
type Build struct {
	// Command is the build's argv; nil keeps the detected toolchain's. A
	// string in the file becomes {"sh", "-c", string}.
	Command []string
	// Env holds variables added to the build's environment.
	Env map[string]string
	// Artifact is the absolute path of the built .wasm, or "".
	Artifact string
	// Watch and Ignore are globs in .gitignore syntax, relative to Dir:
	// "*.c" matches at any depth, "src/**/*.c" only under src, "!x"
	// excludes again (package watch/gitignore).
	Watch  []string
	Ignore []string
}

// Serve configures the host that serves backend plugins.
type Serve struct {
	Addr string // host:port, or ""
}

// Limits are the host's limits for this guest; zero means the host default.
type Limits struct {
	Memory                int64 // bytes of linear memory per instance
	Timeout               time.Duration
	MaxBody               int64 // bytes
	Pool                  int
	Handles               int
	OutputRate            int // lines per second
	CompileModuleBytes    int64
	CompileFunctions      int
	CompileNesting        int
	CompileBrTableTargets int
}

// Load reads bigband.toml in dir. A missing file is no error: the result
// then has File == "" and only defaults.
func Load(dir string) (*Config, error) {
	path := filepath.Join(dir, FileName)
	data, err := readCapped(path)
	if errors.Is(err, fs.ErrNotExist) {
		return defaults(dir), nil
	}
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes; is it really a bigband.toml?", path, maxFileSize)
	}
	return data, nil
}

func defaults(dir string) *Config {
	return &Config{Dir: dir, Kind: KindAuto}
}

// Parse decodes the contents of a bigband.toml read from path (used for
// error positions and to resolve relative paths). Every problem found is
// reported, as an ErrorList sorted by position.
func Parse(path string, data []byte) (*Config, error) {
	c := defaults(filepath.Dir(path))
	c.File = path
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%s: %d bytes, larger than %d; is it really a bigband.toml?", path, len(data), maxFileSize)
	}
	d := &decoder{file: path, data: data}
	root, err := d.parse()
	if err != nil {
		return nil, err
	}
	d.table(c, nil, root, rootSchema)
	if len(d.errs) > 0 {
		d.errs.sort()
		return nil, d.errs
	}
	return c, nil
}

// Error is one problem in a configuration file. Line and Col are 1-based;
// zero when unknown.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// ErrorList is every problem found in one file, in file order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap lets errors.As find each *Error.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

func (l ErrorList) sort() {
	slices.SortStableFunc(l, func(a, b *Error) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
}
