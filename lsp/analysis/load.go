// Package analysis is the language server's feature logic, free of LSP
// types: it loads a WIT package with its deps/ from a set of file contents
// (unsaved buffers over the disk), reports every problem it can find, and
// answers navigation questions in byte offsets. Package lsp converts.
package analysis

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/bigband-dev/bigband/host/component"
	"github.com/bigband-dev/bigband/wit"
	"github.com/bigband-dev/bigband/wit/syntax"
)

// MaxFileSize bounds one .wit file: anything larger is reported and not
// parsed, so a stray huge file can't stall the server.
const MaxFileSize = 8 << 20

// Severity of a diagnostic.
type Severity int

const (
	Error Severity = iota + 1
	Warning
	Info
)

// Stable diagnostic codes: editors and tests may match on them.
const (
	CodeSyntax    = "syntax"    // the parser's errors
	CodeResolve   = "resolve"   // the resolver's errors
	CodeUndefined = "undefined" // a name that names nothing in scope
	CodeEncoding  = "encoding"  // not UTF-8
	CodeTooLarge  = "too-large" // over MaxFileSize
	CodeRead      = "read"      // the file or directory could not be read
	CodeContract  = "contract"  // a world falls short of a Backstage contract
	CodeWasm      = "wasm"      // the built wasm differs from the world
	CodeDuplicate = "duplicate" // a name defined twice in one scope
)

// Diagnostic is one problem at a byte range of a file.
type Diagnostic struct {
	Path       string
	Start, End int
	Severity   Severity
	Code       string
	Message    string
	Related    []Related
	// Data carries what a code action needs (a missing contract function,
	// a suggested name); opaque to the protocol layer.
	Data *Fix
}

// Related points at another place that explains a diagnostic.
type Related struct {
	Path       string
	Start, End int
	Message    string
}

// File is one parsed source file.
type File struct {
	Path string
	Src  []byte
	AST  *syntax.SourceFile // nil when not parsed (bad encoding, too large)
	// Dep is the deps/ entry the file belongs to ("" for the main package).
	Dep  string
	sf   *syntax.File
	errs syntax.ErrorList
	bad  *Diagnostic // encoding or size problem
}

// Offset converts a span position of this file's AST to a byte offset.
func (f *File) Offset(p syntax.Pos) int {
	if f.sf == nil || !p.IsValid() {
		return 0
	}
	return max(0, min(f.sf.Offset(p), len(f.Src)))
}

// Input says what to analyse.
type Input struct {
	// Root is the package directory, or a single file when Single is set.
	Root   string
	Single bool
	// Overlays are unsaved buffers by absolute, cleaned path.
	Overlays map[string][]byte
	// Cache keeps parses of unchanged files across analyses; may be nil.
	Cache *ParseCache
	// Contract enables the Backstage contract and built-wasm checks.
	Contract bool
}

// Package is the analysis of one package directory and its deps/. It is
// immutable once returned.
type Package struct {
	Root    string
	Files   []*File // main package files first, then deps/ by entry
	byPath  map[string]*File
	Resolve *wit.Resolve // nil when resolution failed
	MainID  wit.PackageID
	Diags   []Diagnostic
	Index   *Index
	// Wasm is the built wasm the contract check compared, or "".
	Wasm string
}

// File returns the file at path, or nil.
func (p *Package) File(path string) *File { return p.byPath[path] }

// PackageRoot finds the package a .wit file belongs to: its directory, or
// for a file under deps/, the directory holding deps/.
func PackageRoot(path string) string {
	dir := filepath.Dir(path)
	if filepath.Base(dir) == "deps" {
		return filepath.Dir(dir)
	}
	if parent := filepath.Dir(dir); filepath.Base(parent) == "deps" {
		return filepath.Dir(parent)
	}
	return dir
}

// Analyze loads and checks the package in. It returns early with ctx's
// error when ctx is cancelled between phases.
func Analyze(ctx context.Context, in Input) (*Package, error) {
	p := &Package{Root: in.Root, byPath: map[string]*File{}}
	paths, deps, err := listFiles(in)
	if err != nil {
		p.Diags = append(p.Diags, Diagnostic{Path: in.Root, Severity: Error, Code: CodeRead, Message: err.Error()})
	}
	for _, path := range paths {
		p.addFile(in, path, "")
	}
	for _, d := range deps {
		for _, path := range d.files {
			p.addFile(in, path, d.name)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	syntaxErrs := false
	for _, f := range p.Files {
		if f.bad != nil {
			p.Diags = append(p.Diags, *f.bad)
			syntaxErrs = true
			continue
		}
		for _, e := range f.errs {
			syntaxErrs = true
			p.Diags = append(p.Diags, Diagnostic{Path: f.Path, Start: f.Offset(e.Span.Start), End: f.Offset(e.Span.End),
				Severity: Error, Code: CodeSyntax, Message: e.Msg})
		}
	}
	p.Index = buildIndex(p)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var resolveDiags []Diagnostic
	if !syntaxErrs && len(p.Files) > 0 {
		resolveDiags = p.resolve(in)
	}
	// The index finds undefined names in every file at once, even while
	// syntax errors stop the resolver; the resolver's own report at the
	// same place wins.
	at := map[[2]any]int{}
	for i, d := range resolveDiags {
		at[[2]any{d.Path, d.Start}] = i + 1
	}
	for _, d := range p.Index.diags {
		if i := at[[2]any{d.Path, d.Start}]; i > 0 {
			// Keep the resolver's words, add what the index knows.
			resolveDiags[i-1].Related = append(resolveDiags[i-1].Related, d.Related...)
			if resolveDiags[i-1].Data == nil {
				resolveDiags[i-1].Data = d.Data
			}
			continue
		}
		p.Diags = append(p.Diags, d)
	}
	p.Diags = append(p.Diags, resolveDiags...)
	if in.Contract && p.Resolve != nil && !in.Single {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p.Diags = append(p.Diags, p.checkContracts()...)
	}
	sort.SliceStable(p.Diags, func(i, j int) bool {
		a, b := p.Diags[i], p.Diags[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Start < b.Start
	})
	return p, nil
}

type depEntry struct {
	name  string
	files []string
}

// listFiles lists the package's .wit files and those of each deps/ entry,
// overlays included, the way the resolver reads them.
func listFiles(in Input) (main []string, deps []depEntry, err error) {
	if in.Single {
		return []string{in.Root}, nil, nil
	}
	main, err = witFiles(in.Root, in.Overlays)
	depsDir := filepath.Join(in.Root, "deps")
	names := map[string]bool{}
	if ents, derr := os.ReadDir(depsDir); derr == nil {
		for _, e := range ents {
			names[e.Name()] = true
		}
	}
	for p := range in.Overlays {
		if rel, rerr := filepath.Rel(depsDir, p); rerr == nil && filepath.IsLocal(rel) {
			first, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
			names[first] = true
		}
	}
	var sorted []string
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		p := filepath.Join(depsDir, n)
		if strings.HasSuffix(n, ".wit") {
			if _, ok := in.Overlays[p]; ok || isFile(p) {
				deps = append(deps, depEntry{name: n, files: []string{p}})
				continue
			}
		}
		files, ferr := witFiles(p, in.Overlays)
		if ferr == nil && len(files) > 0 {
			deps = append(deps, depEntry{name: n, files: files})
		}
	}
	return main, deps, err
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func witFiles(dir string, overlays map[string][]byte) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".wit") && !e.IsDir() {
			p := filepath.Join(dir, e.Name())
			seen[p] = true
			out = append(out, p)
		}
	}
	for p := range overlays {
		if filepath.Dir(p) == dir && strings.HasSuffix(p, ".wit") && !seen[p] {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, err
}

func (p *Package) addFile(in Input, path, dep string) {
	src, ok := in.Overlays[path]
	var f *File
	if ok {
		f = in.Cache.parse(path, src, true)
	} else {
		st, err := os.Stat(path)
		if err != nil {
			return // deleted since it was listed
		}
		if st.Size() > MaxFileSize {
			f = &File{Path: path}
			f.bad = tooLarge(path, int(st.Size()))
		} else {
			f = in.Cache.parseDisk(path, st)
		}
		if f == nil {
			return
		}
	}
	cp := *f // the cached File is shared; Dep is per package
	cp.Dep = dep
	p.Files = append(p.Files, &cp)
	p.byPath[path] = &cp
}

func tooLarge(path string, n int) *Diagnostic {
	return &Diagnostic{Path: path, Severity: Error, Code: CodeTooLarge,
		Message: fmt.Sprintf("file is %d bytes, over the language server's limit of %d: not checked", n, MaxFileSize)}
}

// parseFile parses src on its own, checking encoding and size first.
func parseFile(path string, src []byte) *File {
	f := &File{Path: path, Src: src}
	if len(src) > MaxFileSize {
		f.bad = tooLarge(path, len(src))
		return f
	}
	if !utf8.Valid(src) {
		off := 0
		for off < len(src) {
			r, n := utf8.DecodeRune(src[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		f.bad = &Diagnostic{Path: path, Start: off, End: min(off+1, len(src)), Severity: Error, Code: CodeEncoding,
			Message: "input file is not valid UTF-8 (first bad byte here): save it as UTF-8"}
		return f
	}
	fset := syntax.NewFileSet()
	f.sf = fset.AddFile(path, src)
	f.AST, f.errs = syntax.Parse(f.sf)
	return f
}

// ParseCache keeps parsed files keyed by path and contents (overlays) or
// size and modification time (disk), so unchanged files, deps/ above all,
// are parsed once. Entries not used by the latest analyses are dropped by
// Sweep, so memory follows the working set.
type ParseCache struct {
	mu      sync.Mutex
	entries map[string]*cacheEntry
	gen     int
}

type cacheEntry struct {
	key  string
	file *File
	gen  int
}

// NewParseCache returns an empty cache.
func NewParseCache() *ParseCache { return &ParseCache{entries: map[string]*cacheEntry{}} }

func (c *ParseCache) lookup(path, key string, parse func() *File) *File {
	if c == nil {
		return parse()
	}
	c.mu.Lock()
	e := c.entries[path]
	if e != nil && e.key == key {
		e.gen = c.gen
		c.mu.Unlock()
		return e.file
	}
	c.mu.Unlock()
	f := parse()
	if f == nil {
		return nil
	}
	c.mu.Lock()
	c.entries[path] = &cacheEntry{key: key, file: f, gen: c.gen}
	c.mu.Unlock()
	return f
}

func (c *ParseCache) parse(path string, src []byte, _ bool) *File {
	// Overlay contents are compared in full: a hash would cost as much.
	return c.lookup(path, "o:"+string(src), func() *File { return parseFile(path, src) })
}

func (c *ParseCache) parseDisk(path string, st fs.FileInfo) *File {
	key := fmt.Sprintf("d:%d:%d", st.Size(), st.ModTime().UnixNano())
	return c.lookup(path, key, func() *File {
		src, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		return parseFile(path, src)
	})
}

// Sweep drops entries not used since the previous Sweep.
func (c *ParseCache) Sweep() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if e.gen < c.gen {
			delete(c.entries, k)
		}
	}
	c.gen++
}

// Len is the number of cached files.
func (c *ParseCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// resolve runs the wit resolver over the same contents and converts what
// it reports.
func (p *Package) resolve(in Input) []Diagnostic {
	overlays := make(map[string][]byte, len(p.Files))
	for _, f := range p.Files {
		overlays[f.Path] = f.Src
	}
	r, id, err := wit.Load(in.Root, wit.LoadOptions{Overlays: overlays, DecodeWasm: component.DecodeWITPackage, AllFeatures: true})
	if err == nil {
		p.Resolve, p.MainID = r, id
		return nil
	}
	var le *wit.LoadError
	if !errors.As(err, &le) {
		path := in.Root
		if len(p.Files) > 0 {
			path = p.Files[0].Path
		}
		return []Diagnostic{{Path: path, Severity: Error, Code: CodeRead, Message: err.Error()}}
	}
	var out []Diagnostic
	for _, e := range le.Errors {
		d := Diagnostic{Severity: Error, Code: CodeResolve, Message: e.Msg}
		if sf := le.Files.File(e.Span.Start); sf != nil {
			d.Path = sf.Name()
			d.Start = sf.Offset(e.Span.Start)
			d.End = d.Start
			if sf.Contains(e.Span.End) {
				d.End = sf.Offset(e.Span.End)
			}
			d.Related = relatedFromMessage(le.Files, e.Msg)
		} else if len(p.Files) > 0 {
			d.Path = p.Files[0].Path
		}
		out = append(out, d)
	}
	return out
}

// relatedFromMessage turns the "path:line:col" locations some resolver
// messages list (a package defined in two places) into related
// information.
func relatedFromMessage(files *syntax.FileSet, msg string) []Related {
	var out []Related
	for _, line := range strings.Split(msg, "\n") {
		line = strings.TrimSpace(line)
		loc, ok := strings.CutPrefix(line, "* ")
		if !ok {
			continue
		}
		for _, f := range files.Files() {
			if !strings.HasPrefix(loc, f.Name()+":") {
				continue
			}
			var ln, col int
			if _, err := fmt.Sscanf(loc[len(f.Name())+1:], "%d:%d", &ln, &col); err != nil {
				continue
			}
			off := 0
			for i := 1; i < ln; i++ {
				off += len(f.Line(i)) + 1
			}
			off += col - 1
			out = append(out, Related{Path: f.Name(), Start: off, End: off, Message: "also defined here"})
		}
	}
	return out
}
