package wit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/bigband-dev/bigband/wit/syntax"
)

// LoadOptions configures Load.
type LoadOptions struct {
	// Features activates `@unstable(feature = ...)` items by name.
	Features map[string]bool
	// AllFeatures activates every unstable item.
	AllFeatures bool
	// Overlays replaces or adds file contents by absolute, cleaned path:
	// unsaved editor buffers shadow the files on disk.
	Overlays map[string][]byte
	// DecodeWasm decodes a WIT package encoded as WebAssembly (a deps/
	// entry ending in .wasm). Package wit can't decode binaries itself;
	// callers that can (see host/component) plug it in. Without it such
	// entries are reported as unsupported.
	DecodeWasm func([]byte) (*Resolve, PackageID, error)
	// ReadFile reads a file Overlays does not hold; nil means os.ReadFile.
	// A caller that caches files or caps their size (the language
	// server) plugs in here, and sees exactly the files the loader reads.
	ReadFile func(path string) ([]byte, error)
}

// LoadError is every problem found while loading, in the order found. Files
// renders positions.
type LoadError struct {
	Files  *syntax.FileSet
	Errors syntax.ErrorList
	// Context says what was being loaded, the way wit-parser prefixes its
	// errors for directories ("failed to parse package: DIR"); may be empty.
	Context string
}

func (e *LoadError) Error() string {
	var b strings.Builder
	for i, err := range e.Errors {
		if i > 0 {
			b.WriteByte('\n')
		}
		if p := e.Files.Position(err.Span.Start); p.Line > 0 {
			b.WriteString(p.String())
			b.WriteString(": ")
		}
		b.WriteString(err.Msg)
	}
	if b.Len() == 0 {
		return e.Context
	}
	return b.String()
}

// Load reads the WIT package at path (a .wit file, or a directory whose
// *.wit files form one package, with dependencies under deps/), resolves it
// with its dependencies and returns the Resolve and the ID of the package at
// path. On failure the error is a *LoadError listing every problem found
// (the first is the one wit-parser reports), or an I/O error wrapped with
// the path; the returned Resolve holds the packages that resolved cleanly.
// Check is the variant for editors: it never stops and says more.
func Load(path string, opts LoadOptions) (*Resolve, PackageID, error) {
	l := newLoader(opts, false)
	id, ok, err := l.load(path)
	if len(l.errs) > 0 {
		return l.r, 0, &LoadError{Files: l.fset, Errors: l.errs, Context: l.context}
	}
	if err != nil {
		return l.r, 0, err
	}
	if !ok {
		return l.r, 0, &LoadError{Files: l.fset, Context: "failed to resolve " + path}
	}
	return l.r, id, nil
}

func newLoader(opts LoadOptions, keepGoing bool) *loader {
	l := &loader{fset: syntax.NewFileSet(), overlays: opts.Overlays, decodeWasm: opts.DecodeWasm, readFile: opts.ReadFile, keepGoing: keepGoing}
	if l.readFile == nil {
		l.readFile = os.ReadFile
	}
	l.r = &Resolve{
		PackageNames: map[string]PackageID{},
		Features:     opts.Features,
		AllFeatures:  opts.AllFeatures,
		Files:        l.fset,
	}
	if l.r.Features == nil {
		l.r.Features = map[string]bool{}
	}
	return l
}

// load parses and resolves the package at path with its deps/. Problems
// in the sources go to l.errs; an I/O problem stops it unless keepGoing,
// which records it as an error on the file instead.
func (l *loader) load(path string) (PackageID, bool, error) {
	l.path = path
	abs, err := filepath.Abs(path)
	if err != nil {
		return 0, false, err
	}
	info, err := l.stat(abs)
	if err != nil {
		return 0, false, fmt.Errorf("%s: %w", path, err)
	}
	var main *group
	var deps []*group
	if info.IsDir() {
		main, err = l.parseDir(abs, path)
		if err != nil {
			return 0, false, err
		}
		l.inDeps = true
		deps, err = l.parseDeps(filepath.Join(abs, "deps"), filepath.Join(path, "deps"))
		l.inDeps = false
		if err != nil {
			return 0, false, err
		}
	} else {
		main, err = l.parseFiles([]string{abs}, []string{path})
		if err != nil {
			return 0, false, err
		}
	}
	id, ok := l.pushGroups(main, deps)
	return id, ok, nil
}

// ioProblem handles a file that can't be read or isn't text: an error
// that stops the load, or (keepGoing) an error recorded on the file.
func (l *loader) ioProblem(shown string, err error) error {
	if err == nil || !l.keepGoing {
		return err
	}
	// The diagnostic carries the file name itself: keep it out of the text.
	msg := strings.TrimPrefix(err.Error(), shown+": ")
	var pe *fs.PathError
	if errors.As(err, &pe) {
		msg = "cannot read it: " + pe.Err.Error()
	}
	e := &syntax.Error{Msg: msg, Code: "wit/io"}
	if l.errFile == nil {
		l.errFile = map[*syntax.Error]string{}
	}
	l.errFile[e] = shown
	l.errs = append(l.errs, e)
	return nil
}

// group is the packages parsed from one directory or file: nested package
// blocks first, then the package the files declare.
type group struct {
	pkgs []*unresolvedPackage
}

type loader struct {
	fset       *syntax.FileSet
	overlays   map[string][]byte
	decodeWasm func([]byte) (*Resolve, PackageID, error)
	readFile   func(string) ([]byte, error)
	r          *Resolve
	errs       syntax.ErrorList
	context    string

	keepGoing bool                     // Check: I/O problems don't stop the load
	errFile   map[*syntax.Error]string // file of errors that have no span (keepGoing)
	inDeps    bool                     // parsing deps/ (recorded on sources)
	sources   []*Source                // every file parsed, in order
	lowered   []*lowerer               // every package lowered, for references
	partial   bool                     // the main package was pushed despite errors
	ctx       context.Context          // Check's; nil for Load
	path      string                   // as given to Load or Check
}

// cancelled reports whether Check's context is done: the loader then
// stops between packages.
func (l *loader) cancelled() bool { return l.ctx != nil && l.ctx.Err() != nil }

// mergeWasm adds a WIT package encoded as wasm, with what it depends on,
// to the Resolve before the text packages are resolved against it.
func (l *loader) mergeWasm(path, shown string) error {
	if l.decodeWasm == nil {
		return fmt.Errorf("%s: WIT packages encoded as WebAssembly are not supported here", shown)
	}
	b, err := l.read(path)
	if err != nil {
		return fmt.Errorf("failed to read %s: %w", shown, err)
	}
	dec, _, err := l.decodeWasm(b)
	if err != nil {
		return fmt.Errorf("%s: %w", shown, err)
	}
	if _, err := l.r.Merge(dec); err != nil {
		return fmt.Errorf("%s: %w", shown, err)
	}
	return nil
}

func (l *loader) stat(path string) (fs.FileInfo, error) {
	if _, ok := l.overlays[path]; ok {
		return overlayInfo{name: filepath.Base(path)}, nil
	}
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		for p := range l.overlays {
			if rel, rerr := filepath.Rel(path, p); rerr == nil && filepath.IsLocal(rel) {
				return overlayInfo{name: filepath.Base(path), dir: true}, nil
			}
		}
	}
	return st, err
}

func (l *loader) read(path string) ([]byte, error) {
	if src, ok := l.overlays[path]; ok {
		return src, nil
	}
	return l.readFile(path)
}

// witFiles lists the *.wit files directly in dir, overlays included,
// sorted by name.
func (l *loader) witFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !(errors.Is(err, fs.ErrNotExist) && l.hasOverlayIn(dir)) {
		return nil, err
	}
	seen := map[string]bool{}
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".wit") {
			continue
		}
		if e.IsDir() {
			continue
		}
		if e.Type()&fs.ModeSymlink != 0 {
			// Only a symlink needs a stat: to skip links to directories.
			if st, err := os.Stat(filepath.Join(dir, e.Name())); err != nil || st.IsDir() {
				continue
			}
		}
		seen[e.Name()] = true
		names = append(names, e.Name())
	}
	for p := range l.overlays {
		if filepath.Dir(p) == dir && strings.HasSuffix(p, ".wit") && !seen[filepath.Base(p)] {
			names = append(names, filepath.Base(p))
		}
	}
	sort.Strings(names)
	return names, nil
}

func (l *loader) hasOverlayIn(dir string) bool {
	for p := range l.overlays {
		if filepath.Dir(p) == dir {
			return true
		}
	}
	return false
}

func (l *loader) parseDir(abs, shown string) (*group, error) {
	names, err := l.witFiles(abs)
	if err != nil {
		return nil, fmt.Errorf("failed to read directory %s: %w", shown, err)
	}
	paths := make([]string, len(names))
	showns := make([]string, len(names))
	for i, n := range names {
		paths[i] = filepath.Join(abs, n)
		showns[i] = filepath.Join(shown, n)
	}
	before := len(l.errs)
	g, err := l.parseFiles(paths, showns)
	if len(l.errs) > before && l.context == "" {
		l.context = "failed to parse package: " + shown
	}
	return g, err
}

// parseDeps parses each entry of a deps/ directory: a directory is one
// package (its own deps/ is not searched), a .wit file is one package.
// Overlays below abs add entries, so a whole tree can live in memory.
func (l *loader) parseDeps(abs, shown string) ([]*group, error) {
	entries, err := os.ReadDir(abs)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("failed to read dependency directory %s: %w", shown, err)
	}
	isDir := map[string]bool{}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	for p := range l.overlays {
		rel, err := filepath.Rel(abs, p)
		if err != nil || !filepath.IsLocal(rel) {
			continue
		}
		first, _, nested := strings.Cut(filepath.ToSlash(rel), "/")
		if _, seen := isDir[first]; !seen && !slices.Contains(names, first) {
			names = append(names, first)
		}
		isDir[first] = isDir[first] || nested
	}
	sort.Strings(names)
	var groups []*group
	for _, name := range names {
		if l.cancelled() {
			break
		}
		p, s := filepath.Join(abs, name), filepath.Join(shown, name)
		dir := isDir[name]
		if !dir {
			st, err := l.stat(p)
			if err != nil {
				if err := l.ioProblem(s, fmt.Errorf("%s: %w", s, err)); err != nil {
					return nil, err
				}
				continue
			}
			dir = st.IsDir()
		}
		var g *group
		switch {
		case dir:
			g, err = l.parseDir(p, s)
		case strings.HasSuffix(name, ".wit"):
			g, err = l.parseFiles([]string{p}, []string{s})
		case strings.HasSuffix(name, ".wasm"):
			err = l.ioProblem(s, l.mergeWasm(p, s))
		case strings.HasSuffix(name, ".wat"):
			err = l.ioProblem(s, fmt.Errorf("%s: WIT packages in the WebAssembly text format are not supported", s))
		default:
			continue // stray files such as .DS_Store
		}
		if err != nil {
			return nil, err
		}
		if g != nil {
			groups = append(groups, g)
		}
	}
	return groups, nil
}

// parseFiles parses the files of one package and lowers it, reporting
// every error: a file with syntax errors is lowered as far as it parsed.
// A package with any error is marked failed and won't be pushed.
func (l *loader) parseFiles(paths, shown []string) (*group, error) {
	lw := newLowerer(&l.errs)
	g := &group{}
	files := make([]*syntax.File, 0, len(paths))
	for i, p := range paths {
		src, err := l.read(p)
		if err != nil {
			if err := l.ioProblem(shown[i], fmt.Errorf("failed to read %s: %w", shown[i], err)); err != nil {
				return nil, err
			}
			continue
		}
		if !utf8.Valid(src) {
			if err := l.ioProblem(shown[i], fmt.Errorf("%s: input file is not valid UTF-8", shown[i])); err != nil {
				return nil, err
			}
			continue
		}
		files = append(files, l.fset.AddFile(shown[i], src))
	}
	asts, errs := parseAll(files)
	syntaxFailed := len(files) != len(paths)
	for i, f := range asts {
		l.sources = append(l.sources, &Source{File: files[i], AST: f, Dep: l.inDeps, Errors: len(errs[i])})
		for _, e := range errs[i] {
			if e.Code == "" {
				e.Code = "wit/syntax"
			}
		}
		l.errs = append(l.errs, errs[i]...)
		fileFailed := len(errs[i]) > 0
		syntaxFailed = syntaxFailed || fileFailed
		var items []syntax.Item
		for _, it := range f.Items {
			n, ok := it.(*syntax.NestedPackage)
			if !ok {
				items = append(items, it)
				continue
			}
			nl := newLowerer(&l.errs)
			nl.noteBroken(f)
			if !nl.push(n.Name, n.Docs, n.Items) {
				continue
			}
			if u := nl.resolve(); u != nil {
				u.failed = nl.failed() || fileFailed
				l.lowered = append(l.lowered, nl)
				g.pkgs = append(g.pkgs, u)
			}
		}
		lw.noteBroken(f)
		var name *syntax.PackageName
		var docs syntax.Docs
		if f.Package != nil {
			name, docs = f.Package.Name, f.Package.Docs
		}
		lw.push(name, docs, items)
	}
	if len(files) == 0 && len(paths) > 0 {
		return g, nil
	}
	u := lw.resolve()
	if u == nil {
		return g, nil
	}
	u.failed = lw.failed() || syntaxFailed
	l.lowered = append(l.lowered, lw)
	g.pkgs = append(g.pkgs, u)
	return g, nil
}

// pushGroups orders every package by dependency (a depth-first walk over
// packages sorted by name) and appends them to r. It keeps going: a package
// that failed to lower, or that depends on one that failed, is left out
// without a word (its own errors say why); one that fails to push is
// reported and rolled back. It reports whether the main package was pushed.
func (l *loader) pushGroups(main *group, deps []*group) (PackageID, bool) {
	r := l.r
	var mainPkg *unresolvedPackage
	if main != nil && len(main.pkgs) > 0 {
		mainPkg = main.pkgs[len(main.pkgs)-1]
	}
	byName := map[string]*unresolvedPackage{}
	var all []*unresolvedPackage
	for _, g := range append([]*group{main}, deps...) {
		if g == nil {
			continue
		}
		for _, u := range g.pkgs {
			key := u.name.String()
			if _, ok := r.PackageNames[key]; ok {
				l.errs = append(l.errs, errAt(u.nameSpan, fmt.Sprintf("package `%s` is defined in two different locations: here and in a binary dependency", u.name)))
				continue
			}
			if prev, ok := byName[key]; ok {
				e := errAt(u.nameSpan, fmt.Sprintf("package `%s` is defined in two different locations:\n  * %s\n  * %s",
					u.name, r.Files.Position(u.nameSpan.Start), r.Files.Position(prev.nameSpan.Start)))
				e.Related = []syntax.Related{{Span: prev.nameSpan, Msg: "also defined here"}}
				l.errs = append(l.errs, e)
				continue
			}
			byName[key] = u
			all = append(all, u)
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return comparePackageNames(all[i].name, all[j].name) < 0 })

	var order []*unresolvedPackage
	done := map[string]bool{}
	visiting := map[string]bool{}
	var visit func(u *unresolvedPackage) *syntax.Error
	visit = func(u *unresolvedPackage) *syntax.Error {
		if done[u.name.String()] {
			return nil
		}
		for _, dep := range u.foreignDeps {
			key := dep.name.String()
			if visiting[key] {
				return &syntax.Error{Span: dep.span, Msg: "package `" + key + "` creates a dependency cycle", Code: "wit/cycle"}
			}
			visiting[key] = true
			if d, ok := byName[key]; ok {
				if err := visit(d); err != nil {
					return err
				}
			}
			delete(visiting, key)
		}
		done[u.name.String()] = true
		order = append(order, u)
		return nil
	}
	for _, u := range all {
		if err := visit(u); err != nil {
			l.errs = append(l.errs, err)
			return 0, false
		}
	}
	var mainID PackageID
	pushed := false
	failed := map[string]bool{}
	for _, u := range order {
		if l.cancelled() {
			break
		}
		key := u.name.String()
		skip := false
		for _, dep := range u.foreignDeps {
			skip = skip || failed[dep.name.String()]
		}
		if skip {
			failed[key] = true
			continue
		}
		if u.failed {
			failed[key] = true
			if id, ok := l.pushFailed(u); ok && u == mainPkg {
				mainID, pushed, l.partial = id, true, true
			}
			continue
		}
		mark := r.mark()
		id, errs, _ := r.pushPackageAll(u)
		if len(errs) > 0 {
			l.errs = append(l.errs, errs...)
			r.rollback(mark)
			failed[key] = true
			continue
		}
		if u == mainPkg {
			mainID, pushed = id, true
		}
	}
	return mainID, pushed
}

// pushFailed pushes a package that had errors while lowering, as far as
// it goes: the failed parts are placeholders (empty tuples, absent types).
// It reports what the push finds that those errors can't have caused
// (references to other packages, functions returning borrows) and drops
// the rest as fallout. Only Check keeps the package, for navigation and
// contract checks; it reports whether it did.
func (l *loader) pushFailed(u *unresolvedPackage) (id PackageID, kept bool) {
	mark := l.r.mark()
	defer func() {
		// Placeholders are not what the push was written for: a panic
		// here means fallout, never a crash of the caller.
		if p := recover(); p != nil {
			l.r.rollback(mark)
			kept = false
		}
	}()
	id, errs, hard := l.r.pushPackageAll(u)
	for _, e := range errs {
		if e != hard {
			l.errs = append(l.errs, e)
		}
	}
	if len(errs) > 0 || !l.keepGoing {
		l.r.rollback(mark)
		return 0, false
	}
	return id, true
}

// arenaMark is the size of a Resolve's arenas, to undo a failed push.
type arenaMark struct{ types, ifaces, worlds, pkgs int }

func (r *Resolve) mark() arenaMark {
	return arenaMark{len(r.Types), len(r.Interfaces), len(r.Worlds), len(r.Packages)}
}

// rollback drops what a failed pushPackage appended, so the Resolve only
// holds packages whose references are all valid.
func (r *Resolve) rollback(m arenaMark) {
	for _, p := range r.Packages[m.pkgs:] {
		delete(r.PackageNames, p.Name.String())
	}
	clear(r.Types[m.types:])
	clear(r.Interfaces[m.ifaces:])
	clear(r.Worlds[m.worlds:])
	clear(r.Packages[m.pkgs:])
	r.Types, r.Interfaces, r.Worlds, r.Packages = r.Types[:m.types], r.Interfaces[:m.ifaces], r.Worlds[:m.worlds], r.Packages[:m.pkgs]
}

// overlayInfo describes an overlay-only file, or a directory that only
// overlays fill, for stat.
type overlayInfo struct {
	name string
	dir  bool
}

func (o overlayInfo) Name() string { return o.name }
func (o overlayInfo) Size() int64  { return 0 }
func (o overlayInfo) Mode() fs.FileMode {
	if o.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (o overlayInfo) ModTime() time.Time { return time.Time{} }
func (o overlayInfo) IsDir() bool        { return o.dir }
func (o overlayInfo) Sys() any           { return nil }

// parseAll parses files, several at a time when there are enough of them
// to be worth it: files are independent until resolution.
func parseAll(files []*syntax.File) ([]*syntax.SourceFile, []syntax.ErrorList) {
	asts := make([]*syntax.SourceFile, len(files))
	errs := make([]syntax.ErrorList, len(files))
	workers := min(runtime.GOMAXPROCS(0), len(files)/4)
	if workers < 2 {
		for i, f := range files {
			asts[i], errs[i] = syntax.Parse(f)
		}
		return asts, errs
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(files) {
					return
				}
				asts[i], errs[i] = syntax.Parse(files[i])
			}
		})
	}
	wg.Wait()
	return asts, errs
}
