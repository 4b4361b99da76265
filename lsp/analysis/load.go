// Package analysis is the language server's feature logic, free of LSP
// types: it loads a WIT package with its deps/ from a set of file contents
// (unsaved buffers over the disk), reports every problem it can find, and
// answers navigation questions in byte offsets. Package lsp converts.
package analysis

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

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

// Stable diagnostic codes of the checks made here; the front end's own
// ("wit/syntax", "wit/unknown-type", ...) pass through unchanged.
const (
	CodeTooLarge  = "lsp/too-large"      // over MaxFileSize
	CodeIO        = "wit/io"             // a buffer that is not WIT text (as the front end says of files)
	CodeContract  = "bigband/contract"   // a world falls short of a Backstage contract
	CodeWasm      = "bigband/wasm"       // the built wasm differs from the world
	CodeUndefined = "lsp/undefined"      // the index's own finding (not published; the resolver reports it)
	CodeDuplicate = "lsp/duplicate-name" // likewise
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
	AST  *syntax.SourceFile // partial when the file has syntax errors
	// Dep is the deps/ entry the file belongs to ("" for the main package).
	Dep string
	sf  *syntax.File
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
	// Contract enables the Backstage contract and built-wasm checks.
	Contract bool
	// Disk caches file contents across analyses; may be nil.
	Disk *DiskCache
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
// error when ctx is cancelled.
func Analyze(ctx context.Context, in Input) (*Package, error) {
	p := &Package{Root: in.Root, byPath: map[string]*File{}}
	overlays := make(map[string][]byte, len(in.Overlays))
	for k, v := range in.Overlays {
		if len(v) > MaxFileSize {
			p.Diags = append(p.Diags, *tooLarge(k, len(v)))
			v = nil // checked as empty rather than not at all
		} else if d := notText(k, v); d != nil {
			p.Diags = append(p.Diags, *d)
			v = nil
		}
		overlays[k] = v
	}
	opts := wit.LoadOptions{Overlays: overlays, DecodeWasm: component.DecodeWITPackage, AllFeatures: true}
	if !in.Single {
		// Huge .wit files on disk are skipped the same way, before they
		// are read; unchanged ones come from memory (one stat instead of an
		// open, a read and a close each, deps/ above all).
		opts.ReadFile = func(path string) ([]byte, error) {
			if !strings.HasSuffix(path, ".wit") {
				return os.ReadFile(path)
			}
			st, err := os.Stat(path)
			if err != nil {
				return nil, err
			}
			if st.Size() > MaxFileSize {
				p.Diags = append(p.Diags, *tooLarge(path, int(st.Size())))
				return nil, nil // checked as empty rather than not at all
			}
			if b, ok := in.Disk.read(path, st); ok {
				return b, nil
			}
			return os.ReadFile(path)
		}
		defer in.Disk.sweep()
	}
	res := wit.Check(ctx, in.Root, opts)
	if res.Err != nil {
		return nil, res.Err
	}
	depsDir := filepath.Join(in.Root, "deps") + string(filepath.Separator)
	for _, src := range res.Sources {
		f := &File{Path: src.File.Name(), Src: src.File.Source(), AST: src.AST, sf: src.File}
		if src.Dep {
			rel := strings.TrimPrefix(f.Path, depsDir)
			f.Dep, _, _ = strings.Cut(filepath.ToSlash(rel), "/")
		}
		p.Files = append(p.Files, f)
		p.byPath[f.Path] = f
	}
	for _, d := range res.Diagnostics {
		p.Diags = append(p.Diags, p.convert(d))
	}
	if res.HasPackage {
		p.Resolve, p.MainID = res.Resolve, res.Package
	}
	p.Index = buildIndex(p)
	// The resolver's words win; the index adds where the first definition
	// of a duplicate is when the resolver didn't say.
	at := map[Loc]int{}
	for i, d := range p.Diags {
		at[Loc{d.Path, d.Start, 0}] = i + 1
	}
	for _, d := range p.Index.diags {
		if i := at[Loc{d.Path, d.Start, 0}]; i > 0 && len(p.Diags[i-1].Related) == 0 {
			p.Diags[i-1].Related = d.Related
		}
	}
	if in.Contract && p.Resolve != nil && !in.Single {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p.Diags = append(p.Diags, p.safeContracts()...)
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

func (p *Package) convert(d wit.Diagnostic) Diagnostic {
	out := Diagnostic{Path: d.File, Severity: Severity(d.Severity), Code: d.Code, Message: d.Message}
	if d.Span.IsValid() {
		out.Start, out.End = d.Start.Offset, max(d.Start.Offset, d.End.Offset)
	}
	if out.Path == "" || out.Path == p.Root {
		// A problem of the package as a whole: show it on its first file.
		if len(p.Files) > 0 {
			out.Path = p.Files[0].Path
		} else {
			out.Path = p.Root
		}
	}
	for _, r := range d.Related {
		if r.File == "" {
			continue
		}
		out.Related = append(out.Related, Related{Path: r.File, Start: r.Start.Offset, End: max(r.Start.Offset, r.End.Offset), Message: r.Message})
	}
	return out
}

func tooLarge(path string, n int) *Diagnostic {
	return &Diagnostic{Path: path, Severity: Error, Code: CodeTooLarge,
		Message: fmt.Sprintf("file is %d bytes, over the language server's limit of %d: not checked", n, MaxFileSize)}
}

// notText reports a buffer that is not WIT text (binary, or not UTF-8) at
// its first bad byte, the way the front end reports such files on disk.
func notText(path string, src []byte) *Diagnostic {
	i, why := syntax.TextProblem(src)
	if i < 0 {
		return nil
	}
	return &Diagnostic{Path: path, Start: i, End: i + 1, Severity: Error, Code: CodeIO, Message: why + ": not checked"}
}

// DiskCache keeps the contents of files read from disk, keyed by path and
// checked against size and modification time. Entries unused for a while
// are dropped, so it follows the packages being edited.
type DiskCache struct {
	mu      sync.Mutex
	entries map[string]*diskEntry
	gen     int
}

type diskEntry struct {
	size  int64
	mtime int64
	data  []byte
	used  int
}

// NewDiskCache returns an empty cache.
func NewDiskCache() *DiskCache { return &DiskCache{entries: map[string]*diskEntry{}} }

func (c *DiskCache) read(path string, st fs.FileInfo) ([]byte, bool) {
	if c == nil || !st.Mode().IsRegular() {
		return nil, false
	}
	c.mu.Lock()
	e := c.entries[path]
	if e != nil && e.size == st.Size() && e.mtime == st.ModTime().UnixNano() {
		e.used = c.gen
		c.mu.Unlock()
		return e.data, true
	}
	c.mu.Unlock()
	b, err := os.ReadFile(path)
	if err != nil || int64(len(b)) != st.Size() {
		return nil, false // changing under us: let the front end read it
	}
	c.mu.Lock()
	c.entries[path] = &diskEntry{size: st.Size(), mtime: st.ModTime().UnixNano(), data: b, used: c.gen}
	c.mu.Unlock()
	return b, true
}

// sweep drops entries no analysis used in the last 64.
func (c *DiskCache) sweep() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, e := range c.entries {
		if c.gen-e.used > 64 {
			delete(c.entries, k)
		}
	}
}

// safeContracts runs the contract checks, which walk a Resolve built from
// a package that may have had errors; a failure there must not cost the
// diagnostics already found.
func (p *Package) safeContracts() (ds []Diagnostic) {
	defer func() {
		if r := recover(); r != nil {
			ds = []Diagnostic{{Path: p.firstPath(), Severity: Warning, Code: CodeContract,
				Message: fmt.Sprintf("the contract check failed (internal error: %v); the other diagnostics are complete", r)}}
		}
	}()
	return p.checkContracts()
}

func (p *Package) firstPath() string {
	if len(p.Files) > 0 {
		return p.Files[0].Path
	}
	return p.Root
}

var packageHeaderRE = regexp.MustCompile(`(?m)^\s*package\s+([^\s;{]+)\s*;`)

// Standalone reports whether the .wit file at path is outside any package:
// it declares a package and a sibling file declares a different one, so
// its directory is a collection of separate files (examples, a test
// corpus) rather than one package. text is its contents when open in an
// editor, else nil (read from disk). Files under deps/ never are.
func Standalone(path string, text []byte) bool {
	if filepath.Base(filepath.Dir(path)) == "deps" || filepath.Base(filepath.Dir(filepath.Dir(path))) == "deps" {
		return false
	}
	header := func(b []byte) string {
		if len(b) > 64<<10 {
			b = b[:64<<10]
		}
		m := packageHeaderRE.FindSubmatch(b)
		if m == nil {
			return ""
		}
		return string(m[1])
	}
	if text == nil {
		text, _ = os.ReadFile(path)
	}
	own := header(text)
	if own == "" {
		return false // it takes its package from its siblings
	}
	siblings, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.wit"))
	for i, sib := range siblings {
		if i == 500 || sib == path {
			continue
		}
		f, err := os.Open(sib)
		if err != nil {
			continue
		}
		buf := make([]byte, 64<<10)
		n, _ := io.ReadFull(f, buf)
		f.Close()
		if h := header(buf[:n]); h != "" && h != own {
			return true
		}
	}
	return false
}
