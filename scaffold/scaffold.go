// Package scaffold creates plugin projects from the example plugins
// (package examples): `bigband-dev new LANG KIND DIR` copies
// examples/<lang>/<kind> into DIR, renames the plugin, and adds what the
// project needs to build outside this repository (for Go its own go.mod
// and a copy of the guest library; for C and Rust the guest header or
// module).
//
// The examples are the templates. The only rewrites are textual and
// predictable: the example's plugin id `example-<lang>` becomes the new
// id, its repository path `examples/<lang>/<kind>` becomes `.`, and
// `go run ./cmd/bigband-dev` in its README becomes `bigband-dev`.
package scaffold

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bigband-dev/bigband/backstage"
	"github.com/bigband-dev/bigband/examples"
	"github.com/bigband-dev/bigband/guest"
)

// Kinds are the plugin kinds an example exists for.
var Kinds = []string{"frontend", "backend"}

// Options say what to create and where.
type Options struct {
	Lang string // go, c, rust, js (see Langs)
	Kind string // frontend or backend
	Dir  string // the project directory; created when missing
	// ID is the Backstage plugin id; "" takes Dir's base name.
	ID string
	// Force writes into a directory that is not empty, overwriting files
	// of the same name (others are left alone).
	Force bool
}

// Result says what New wrote.
type Result struct {
	Dir   string   // absolute project directory
	ID    string   // the plugin id
	Files []string // slash paths relative to Dir, sorted
	// Next are the commands to run next, from the current directory, in
	// order: any one-time setup, then watch (which builds).
	Next []string
}

// Langs lists the languages that have an example of the given kind, in
// the order of langOrder (for help texts and errors).
func Langs(kind string) []string {
	var out []string
	for _, l := range langOrder {
		if _, err := fs.Stat(examples.FS, l+"/"+kind); err == nil {
			out = append(out, l)
		}
	}
	return out
}

// langOrder is the order languages are listed in.
var langOrder = []string{"go", "c", "rust", "js"}

// New creates the project.
func New(o Options) (Result, error) {
	if !slices.Contains(Kinds, o.Kind) {
		return Result{}, fmt.Errorf("unknown plugin kind %q: choose %s", o.Kind, strings.Join(Kinds, " or "))
	}
	if !slices.Contains(langOrder, o.Lang) {
		return Result{}, fmt.Errorf("unknown language %q: choose one of %s", o.Lang, strings.Join(langOrder, ", "))
	}
	src := o.Lang + "/" + o.Kind
	if _, err := fs.Stat(examples.FS, src); err != nil {
		return Result{}, fmt.Errorf("no %s %s example in this build of bigband-dev (languages with one: %s)",
			o.Lang, o.Kind, strings.Join(Langs(o.Kind), ", "))
	}
	if o.Dir == "" {
		return Result{}, errors.New("no project directory given")
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return Result{}, err
	}
	id := o.ID
	if id == "" {
		id = filepath.Base(dir)
		if err := backstage.ValidID(id); err != nil {
			return Result{}, fmt.Errorf("%v (taken from the directory name %s; give one with --id)", err, filepath.Base(dir))
		}
	} else if err := backstage.ValidID(id); err != nil {
		return Result{}, fmt.Errorf("--id: %v", err)
	}
	if err := checkEmpty(dir, o.Force); err != nil {
		return Result{}, err
	}

	files, err := templateFiles(src, o.Lang, id)
	if err != nil {
		return Result{}, err
	}
	if extra := langInfo[o.Lang].extra; extra != nil {
		more, err := extra(o.Kind, id)
		if err != nil {
			return Result{}, err
		}
		for name, data := range more {
			files[name] = data
		}
	}
	if _, ok := files[".gitignore"]; !ok {
		// Build outputs stay out of git even when the example has no
		// .gitignore of its own.
		files[".gitignore"] = []byte("# build outputs of bigband-dev\n.bigband/\n*.wasm\n")
	}
	res := Result{Dir: dir, ID: id}
	for name := range files {
		res.Files = append(res.Files, name)
	}
	slices.Sort(res.Files)
	for _, name := range res.Files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return Result{}, err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return Result{}, err
		}
	}
	if write := langInfo[o.Lang].write; write != nil {
		more, err := write(dir)
		if err != nil {
			return Result{}, err
		}
		res.Files = append(res.Files, more...)
		slices.Sort(res.Files)
	}
	if setup := langInfo[o.Lang].setup; setup != nil {
		res.Next = setup(o.Dir)
	}
	res.Next = append(res.Next, "bigband-dev watch "+shellQuote(o.Dir))
	return res, nil
}

// checkEmpty refuses a directory with anything in it, unless forced; a
// missing directory is fine (New creates it).
func checkEmpty(dir string, force bool) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s: exists and is not a directory; give a new or empty directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) == 0 || force {
		return nil
	}
	var names []string
	for i, e := range entries {
		if i == 3 {
			names = append(names, "...")
			break
		}
		names = append(names, e.Name())
	}
	return fmt.Errorf("%s: not empty (%s); give a new or empty directory, or --force to write into it (files of the same name are overwritten)",
		dir, strings.Join(names, ", "))
}

// templateFiles reads the example at src with the id and path rewrites
// applied to every text file.
func templateFiles(src, lang, id string) (map[string][]byte, error) {
	files := map[string][]byte{}
	oldID := idPattern(lang)
	err := fs.WalkDir(examples.FS, src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(examples.FS, p)
		if err != nil {
			return err
		}
		if isText(data) {
			s := oldID.ReplaceAllLiteralString(string(data), id)
			s = strings.ReplaceAll(s, "./examples/"+src, ".")
			s = strings.ReplaceAll(s, "examples/"+src, ".")
			// The examples' READMEs run the binary from the repository.
			s = strings.ReplaceAll(s, "go run ./cmd/bigband-dev ", "bigband-dev ")
			data = []byte(s)
		}
		files[strings.TrimPrefix(p, src+"/")] = data
		return nil
	})
	return files, err
}

// idPattern matches an example's plugin id, example-<lang>, but not a
// longer word it begins (example-c in example-cat).
func idPattern(lang string) *regexp.Regexp {
	return regexp.MustCompile(`\bexample-` + regexp.QuoteMeta(lang) + `\b`)
}

func isText(b []byte) bool {
	return utf8.Valid(b) && !slices.Contains(b, 0)
}

// lang is what differs per language beyond the example's own files.
type lang struct {
	// extra returns files to add (slash paths relative to the project).
	extra func(kind, id string) (map[string][]byte, error)
	// write writes more into the project directory dir after the files,
	// returning what it wrote (slash paths relative to dir).
	write func(dir string) ([]string, error)
	// setup are commands to run once before the first build of the
	// project in dir (watch builds it itself).
	setup func(dir string) []string
}

var langInfo = map[string]lang{
	// A Go project is a module of its own whose go.mod replaces this
	// repository's module with a copy of the guest library.
	"go": {extra: goMod, write: writeGoLibrary},
	// C and Rust projects keep the guest library beside their sources,
	// where the examples' Makefiles look first.
	"c":    {extra: copyLib(guest.C, "c")},
	"rust": {extra: copyLib(guest.Rust, "rust")},
	"js": {
		setup: func(dir string) []string {
			return []string{"npm install --prefix " + shellQuote(dir)}
		},
	},
}

// goLibDir is where a Go project keeps its copy of the guest library.
const goLibDir = "bigband-guest"

// goMod is a Go project's go.mod: its module is named after the plugin,
// and the library's import path resolves to the copy beside it.
func goMod(_, id string) (map[string][]byte, error) {
	mod := fmt.Sprintf(`module %s

go 1.24

require %s v0.0.0

// The Go guest library, copied here by bigband-dev new.
replace %s => ./%s
`, id, guest.ModulePath, guest.ModulePath, goLibDir)
	return map[string][]byte{"go.mod": []byte(mod)}, nil
}

func writeGoLibrary(dir string) ([]string, error) {
	if err := guest.WriteModule(filepath.Join(dir, goLibDir)); err != nil {
		return nil, err
	}
	var out []string
	for _, f := range guest.Files() {
		out = append(out, goLibDir+"/"+f)
	}
	return out, nil
}

// copyLib returns the files of an embedded guest library directory, to
// sit at the project's top.
func copyLib(lib fs.FS, dir string) func(kind, id string) (map[string][]byte, error) {
	return func(string, string) (map[string][]byte, error) {
		files := map[string][]byte{}
		err := fs.WalkDir(lib, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := fs.ReadFile(lib, p)
			files[strings.TrimPrefix(p, dir+"/")] = data
			return err
		})
		return files, err
	}
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./+,:@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
