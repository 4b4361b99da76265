package wit

import (
	"context"
	"strings"

	"github.com/bigband-dev/bigband/wit/syntax"
)

// Check is Load for editors and `wit check`: it never stops at an error. It
// parses the package at path and its deps/ (overlays first, as Load does),
// lowers every file as far as it parsed, resolves every package that
// lowered cleanly, and returns everything it learned: the Resolve (only
// clean packages are in it), every file's AST, every diagnostic, and the
// references it resolved, for navigation. The first diagnostic is the error
// Load (and wit-parser) would report.
//
// Pass an absolute path to get absolute file names in the result. ctx is
// checked between packages; a cancelled Check returns what it had with
// ctx.Err() in Result.Err. Check shares no state between calls, so
// several may run at once; a Result is not modified after it is returned.
func Check(ctx context.Context, path string, opts LoadOptions) *Result {
	l := newLoader(opts, true)
	l.ctx = ctx
	res := &Result{Resolve: l.r, Files: l.fset}
	if err := ctx.Err(); err != nil {
		res.Err = err
		return res
	}
	id, ok, err := l.load(path)
	res.Package, res.HasPackage, res.Partial = id, ok, l.partial
	res.Sources = l.sources
	res.Context = l.context
	if err != nil {
		// Only the path itself failing (it doesn't exist) gets here.
		res.Diagnostics = append(res.Diagnostics, Diagnostic{
			Location: Location{File: path}, Severity: SeverityError, Code: "wit/io", Message: err.Error(),
		})
	}
	for _, e := range l.errs {
		res.Diagnostics = append(res.Diagnostics, l.diagnostic(e))
	}
	if err := ctx.Err(); err != nil {
		// Whatever was found is kept, but it is incomplete.
		res.Err = err
		return res
	}
	res.Refs = l.references()
	return res
}

// Result is what Check found.
type Result struct {
	// Resolve holds every package that resolved without errors, in
	// dependency order, and the package at path when HasPackage. Every ID
	// in it is valid.
	Resolve    *Resolve
	Package    PackageID
	HasPackage bool
	// Partial says the package at path is in Resolve despite errors in it:
	// what failed is a placeholder (an empty tuple type, an absent type or
	// item), the rest is resolved, for navigation and contract checks.
	Partial bool
	// Files holds every source spans refer to.
	Files *syntax.FileSet
	// Sources is every file parsed, the package's own first, then deps/.
	Sources []*Source
	// Diagnostics is every problem, in the order found.
	Diagnostics []Diagnostic
	// Refs is every resolved name in the sources: `use` paths, type
	// names, include and import paths, with what each refers to.
	Refs []Reference
	// Context is wit-parser's prefix for directory errors (may be empty).
	Context string
	// Err is ctx.Err() when Check was cancelled midway.
	Err error
}

// Source is one parsed file.
type Source struct {
	File   *syntax.File
	AST    *syntax.SourceFile // partial when the file has syntax errors
	Dep    bool               // the file is under deps/
	Errors int                // number of syntax errors in it
}

// Severity ranks a Diagnostic.
type Severity int

const (
	SeverityError Severity = iota + 1
	SeverityWarning
	SeverityInfo
	SeverityHint
)

func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	case SeverityInfo:
		return "info"
	case SeverityHint:
		return "hint"
	}
	return "unknown"
}

// Location is a range in a source file. Span is valid only when the
// problem has a place in a file; File is then the file's name, otherwise
// whatever the problem concerns (a file that couldn't be read, the package
// path) or empty.
type Location struct {
	File string
	Span syntax.Span
	// Start and End are 1-based lines and byte columns (Offset is the
	// 0-based byte offset); zero when Span is invalid.
	Start, End syntax.Position
}

// Diagnostic is one problem, ready for an editor or a terminal.
type Diagnostic struct {
	Location
	Severity Severity
	// Code is stable across releases: "wit/syntax", "wit/unknown-type",
	// "wit/duplicate-name"... (see codeOf).
	Code    string
	Message string
	Related []RelatedLocation
}

// RelatedLocation is another place a Diagnostic is about.
type RelatedLocation struct {
	Location
	Message string
}

// String renders d as `file:line:col: message` (what `wit check` prints).
func (d Diagnostic) String() string {
	msg := d.Message
	switch {
	case d.Start.Line > 0:
		return d.Start.String() + ": " + msg
	case d.File != "":
		return d.File + ": " + msg
	}
	return msg
}

// RefKind says what a Reference names.
type RefKind int

const (
	RefType RefKind = iota + 1
	RefInterface
	RefWorld
	RefPackage // the `ns:name@version` of a path; Target is the package's name in its `package` header
)

func (k RefKind) String() string {
	switch k {
	case RefType:
		return "type"
	case RefInterface:
		return "interface"
	case RefWorld:
		return "world"
	case RefPackage:
		return "package"
	}
	return "unknown"
}

// Reference is a name in the source and the declaration it resolves to.
type Reference struct {
	Location // the name as written
	Kind     RefKind
	// Target is the declaration's name; Target.Span is invalid when the
	// declaration has no source (a package decoded from wasm) or the
	// package it is in did not resolve.
	Target Location
}

// Location converts a span of the result's files.
func (r *Result) Location(span syntax.Span) Location {
	return locate(r.Files, span)
}

func locate(fset *syntax.FileSet, span syntax.Span) Location {
	f := fset.File(span.Start)
	if f == nil {
		return Location{}
	}
	loc := Location{File: f.Name(), Span: span, Start: f.Position(span.Start), End: f.Position(span.Start)}
	if span.End >= span.Start && f.Contains(span.End) {
		loc.End = f.Position(span.End)
	} else {
		loc.Span.End = span.Start
	}
	return loc
}

func (l *loader) diagnostic(e *syntax.Error) Diagnostic {
	d := Diagnostic{Location: locate(l.fset, e.Span), Severity: SeverityError, Code: codeOf(e), Message: e.Msg}
	if !d.Span.IsValid() {
		d.File = l.errFile[e]
		if d.File == "" {
			d.File = l.path
		}
	}
	for _, rel := range e.Related {
		d.Related = append(d.Related, RelatedLocation{Location: locate(l.fset, rel.Span), Message: rel.Msg})
	}
	return d
}

// codes classifies errors by message where the site that made the error
// didn't set a code. Checked in order; the first match wins.
var codes = []struct{ has, code string }{
	{"interface or world `", "wit/unknown-interface"},
	{"` does not exist", "wit/unknown-type"},
	{"not defined in interface", "wit/unknown-type"},
	{"interface '", "wit/unknown-interface"},
	{"world '", "wit/unknown-world"},
	{"package '", "wit/unknown-package"},
	{"defined more than once", "wit/duplicate-name"},
	{"duplicate", "wit/duplicate-name"},
	{"defined in two different locations", "wit/duplicate-package"},
	{"depends on itself", "wit/cycle"},
	{"dependency cycle", "wit/cycle"},
	{"conflicts with prior", "wit/conflict"},
	{"more than once", "wit/duplicate-name"},
	{"shadows previously imported", "wit/conflict"},
	{"used in a handle must be a resource", "wit/not-a-resource"},
	{"borrow", "wit/borrow"},
	{"feature", "wit/feature-gate"},
	{"package identifier", "wit/package-name"},
	{"package' items", "wit/package-docs"},
	{"nested package", "wit/nested-package"},
	{"is defined as a", "wit/wrong-kind"},
	{"cannot use ", "wit/wrong-kind"},
	{"cannot import ", "wit/wrong-kind"},
	{"map key", "wit/map-key"},
	{"constructor", "wit/constructor"},
	{"transitively depends", "wit/transitive-import"},
}

// codeOf is e's stable code: the one set where it was made, else a class
// of its message, else "wit/resolve".
func codeOf(e *syntax.Error) string {
	if e.Code != "" {
		return e.Code
	}
	for _, c := range codes {
		if strings.Contains(e.Msg, c.has) {
			return c.code
		}
	}
	return "wit/resolve"
}

// references turns what the lowerers recorded into References. Targets in the
// same package come from its (possibly unpushed) arenas; targets in other
// packages are looked up by name in the Resolve.
func (l *loader) references() []Reference {
	var out []Reference
	pkgs := map[string]syntax.Span{}
	for _, lw := range l.lowered {
		if lw.hasName {
			pkgs[lw.pkg.name.String()] = lw.pkg.nameSpan
		}
	}
	for _, lw := range l.lowered {
		u := lw.pkg
		for _, lr := range lw.refs {
			ref := Reference{Location: locate(l.fset, lr.span), Kind: lr.kind}
			if lr.kind == RefPackage {
				ref.Target = locate(l.fset, pkgs[lr.pkg])
			} else {
				ref.Target = locate(l.fset, l.targetSpan(u, lr))
			}
			out = append(out, ref)
		}
	}
	return out
}

func (l *loader) targetSpan(u *unresolvedPackage, lr localRef) syntax.Span {
	switch lr.kind {
	case RefType:
		if lr.id < 0 || lr.id >= len(u.types) {
			return syntax.Span{}
		}
		t := u.types[lr.id]
		if t.Kind != KindUnknown {
			return t.Span
		}
		iface := l.foreignInterface(u, int(t.Owner.Interface))
		if iface == nil {
			return syntax.Span{}
		}
		if id, ok := iface.Type(t.Name); ok {
			return l.r.Types[id].Span
		}
	case RefInterface:
		if lr.id < 0 || lr.id >= len(u.interfaces) {
			return syntax.Span{}
		}
		if !lr.foreign {
			return u.interfaces[lr.id].Span
		}
		if iface := l.foreignInterface(u, lr.id); iface != nil {
			return iface.Span
		}
	case RefWorld:
		if lr.id < 0 || lr.id >= len(u.worlds) {
			return syntax.Span{}
		}
		if !lr.foreign {
			return u.worlds[lr.id].Span
		}
		for _, dep := range u.foreignDeps {
			for _, it := range dep.items {
				if it.ref.world && it.ref.id == lr.id {
					if pid, ok := l.r.PackageNames[dep.name.String()]; ok {
						if wid, ok := l.r.Packages[pid].World(it.name); ok {
							return l.r.Worlds[wid].Span
						}
					}
				}
			}
		}
	}
	return syntax.Span{}
}

// foreignInterface finds the interface a placeholder of u stands for, in
// the packages that resolved.
func (l *loader) foreignInterface(u *unresolvedPackage, local int) *Interface {
	for _, dep := range u.foreignDeps {
		for _, it := range dep.items {
			if it.ref.world || it.ref.id != local {
				continue
			}
			pid, ok := l.r.PackageNames[dep.name.String()]
			if !ok {
				return nil
			}
			iid, ok := l.r.Packages[pid].Interface(it.name)
			if !ok {
				return nil
			}
			return l.r.Interfaces[iid]
		}
	}
	return nil
}
