package analysis

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bigband-dev/bigband/wit/syntax"
)

// The index is built from the syntax trees alone, so navigation works in
// files the resolver rejects. It follows WIT's scoping: package scope
// (interfaces and worlds of every file of a package), file scope (top-level
// `use`), and interface or world scope (its types and `use`d names).

// Kind classifies a symbol.
type Kind int

const (
	KindPackage Kind = iota
	KindInterface
	KindWorld
	KindType // record, variant, enum, flags, resource or alias; Detail says which
	KindFunc
	KindField
	KindCase
	KindParam
	KindExtern // a named import or export of a world
)

var kindNames = [...]string{"package", "interface", "world", "type", "func", "field", "case", "param", "extern"}

func (k Kind) String() string { return kindNames[k] }

// Symbol is a declaration.
type Symbol struct {
	Name   string
	Kind   Kind
	Detail string // record, enum, resource, ... for types
	File   *File
	// Start, End is the name; DeclStart, DeclEnd the whole declaration.
	Start, End         int
	DeclStart, DeclEnd int
	Docs               string
	Parent             *Symbol
	Children           []*Symbol
	Pkg                string // the package's name as written, "" when undeclared

	types map[string]*Symbol // interfaces and worlds: their own types
	uses  []*useEntry        // interfaces and worlds: `use` items
	typ   syntax.Type        // fields, params, aliases: the declared type
}

// Ref is a use of a name: Target is nil when it names nothing.
type Ref struct {
	File       *File
	Start, End int
	Name       string
	Target     *Symbol
	// Scope is the interface or world the name was looked up in (types), or
	// nil (interface paths).
	Scope *Symbol
	// Path is set for `use`, `import`, `export` and `include` paths: the
	// whole path's range, for document links.
	PathStart, PathEnd int
	IsPath             bool
	Foreign            string // the package a foreign path names
}

type useEntry struct {
	from  *syntax.UsePath
	file  *File
	pkg   string
	names []*syntax.UseName
	iface *Symbol // resolved lazily
	done  bool
}

// Index holds every symbol and reference of a package and its deps.
type Index struct {
	Symbols []*Symbol // top-level (interfaces, worlds), in file order
	refs    map[*File][]*Ref
	defs    map[*File][]*Symbol // every symbol by file, for lookups by position
	pkgs    map[string]map[string]*Symbol
	// mainPkg is the main package's name.
	mainPkg  string
	fileUses map[*File]map[string]*useEntry
	diags    []Diagnostic
}

// Packages lists the package names the index knows, main package first.
func (x *Index) Packages() []string {
	var out []string
	for k := range x.pkgs {
		if k != x.mainPkg {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return append([]string{x.mainPkg}, out...)
}

// PackageItems lists the interfaces and worlds of a package.
func (x *Index) PackageItems(pkg string) []*Symbol {
	var out []*Symbol
	for _, s := range x.pkgs[pkg] {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// MainPackage is the main package's name as declared ("" if none is).
func (x *Index) MainPackage() string { return x.mainPkg }

func pkgNameString(n *syntax.PackageName) string {
	if n == nil {
		return ""
	}
	s := n.Namespace.Name + ":" + n.Name.Name
	if n.Version != nil {
		s += "@" + n.Version.Text
	}
	return s
}

func docsText(d syntax.Docs) string {
	var lines []string
	for _, c := range d.Comments {
		t := c.Text
		switch {
		case strings.HasPrefix(t, "///"):
			t = strings.TrimPrefix(t[3:], " ")
		case strings.HasPrefix(t, "//"):
			t = strings.TrimPrefix(t[2:], " ")
		case strings.HasPrefix(t, "/**"):
			t = strings.TrimSpace(strings.TrimSuffix(t[3:], "*/"))
		case strings.HasPrefix(t, "/*"):
			t = strings.TrimSpace(strings.TrimSuffix(t[2:], "*/"))
		}
		lines = append(lines, t)
	}
	return strings.Join(lines, "\n")
}

type indexer struct {
	x *Index
	p *Package
}

func buildIndex(p *Package) *Index {
	x := &Index{refs: map[*File][]*Ref{}, defs: map[*File][]*Symbol{}, pkgs: map[string]map[string]*Symbol{}, fileUses: map[*File]map[string]*useEntry{}}
	ix := &indexer{x: x, p: p}
	// A package's name comes from whichever of its files declares it.
	groupName := map[string]string{}
	for _, f := range p.Files {
		if f.AST != nil && f.AST.Package != nil && groupName[f.Dep] == "" {
			groupName[f.Dep] = pkgNameString(f.AST.Package.Name)
		}
	}
	x.mainPkg = groupName[""]
	if _, ok := x.pkgs[x.mainPkg]; !ok {
		x.pkgs[x.mainPkg] = map[string]*Symbol{}
	}
	for _, f := range p.Files {
		if f.AST == nil {
			continue
		}
		ix.items(f, groupName[f.Dep], f.AST.Items, f.Dep == "")
	}
	for _, f := range p.Files {
		if f.AST == nil {
			continue
		}
		ix.refsIn(f, groupName[f.Dep], f.AST.Items)
	}
	for f, refs := range x.refs {
		sort.Slice(refs, func(i, j int) bool { return refs[i].Start < refs[j].Start })
		x.refs[f] = refs
	}
	for f, defs := range x.defs {
		sort.SliceStable(defs, func(i, j int) bool { return defs[i].Start < defs[j].Start })
		x.defs[f] = defs
	}
	return x
}

func (ix *indexer) sym(f *File, name *syntax.Ident, kind Kind, detail string, decl syntax.Span, docs syntax.Docs, parent *Symbol, pkg string) *Symbol {
	s := &Symbol{Name: name.Name, Kind: kind, Detail: detail, File: f, Start: f.Offset(name.Span.Start), End: f.Offset(name.Span.End),
		DeclStart: f.Offset(decl.Start), DeclEnd: f.Offset(decl.End), Docs: docsText(docs), Parent: parent, Pkg: pkg}
	if parent != nil {
		parent.Children = append(parent.Children, s)
	}
	ix.x.defs[f] = append(ix.x.defs[f], s)
	return s
}

func (ix *indexer) define(scope map[string]*Symbol, s *Symbol, what string, report bool) {
	if prev, ok := scope[s.Name]; ok {
		if report {
			ix.x.diags = append(ix.x.diags, Diagnostic{Path: s.File.Path, Start: s.Start, End: s.End, Severity: Error, Code: CodeDuplicate,
				Message: fmt.Sprintf("%s `%s` is defined more than once", what, s.Name),
				Related: []Related{{Path: prev.File.Path, Start: prev.Start, End: prev.End, Message: "first defined here"}}})
		}
		return
	}
	scope[s.Name] = s
}

func (ix *indexer) items(f *File, pkg string, items []syntax.Item, main bool) {
	scope := ix.x.pkgs[pkg]
	if scope == nil {
		scope = map[string]*Symbol{}
		ix.x.pkgs[pkg] = scope
	}
	for _, it := range items {
		switch n := it.(type) {
		case *syntax.Interface:
			if n.Name == nil {
				continue
			}
			s := ix.sym(f, n.Name, KindInterface, "", n.Span, n.Docs, nil, pkg)
			s.types = map[string]*Symbol{}
			ix.define(scope, s, "name", main)
			ix.x.Symbols = append(ix.x.Symbols, s)
			ix.ifaceItems(f, pkg, s, n.Items, main)
		case *syntax.World:
			if n.Name == nil {
				continue
			}
			s := ix.sym(f, n.Name, KindWorld, "", n.Span, n.Docs, nil, pkg)
			s.types = map[string]*Symbol{}
			ix.define(scope, s, "name", main)
			ix.x.Symbols = append(ix.x.Symbols, s)
			for _, wi := range n.Items {
				switch w := wi.(type) {
				case *syntax.TypeDef:
					ix.typeDef(f, pkg, s, w, main)
				case *syntax.Use:
					s.uses = append(s.uses, &useEntry{from: w.From, file: f, pkg: pkg, names: w.Names})
				case *syntax.ImportExport:
					if w.Name == nil {
						continue
					}
					e := ix.sym(f, w.Name, KindExtern, map[bool]string{true: "export", false: "import"}[w.Export], w.Span, w.Docs, s, pkg)
					switch w.Kind {
					case syntax.ExternFunc:
						ix.funcParams(f, pkg, e, w.Func)
					case syntax.ExternInterface:
						e.types = map[string]*Symbol{}
						ix.ifaceItems(f, pkg, e, w.Items, main)
					}
				}
			}
		case *syntax.NestedPackage:
			ix.items(f, pkgNameString(n.Name), n.Items, main)
		case *syntax.TopUse:
			if n.Path == nil || n.Path.Name == nil {
				continue
			}
			name := n.Path.Name.Name
			if n.As != nil {
				name = n.As.Name
			}
			if ix.x.fileUses[f] == nil {
				ix.x.fileUses[f] = map[string]*useEntry{}
			}
			ix.x.fileUses[f][name] = &useEntry{from: n.Path, file: f, pkg: pkg}
		}
	}
}

func (ix *indexer) ifaceItems(f *File, pkg string, s *Symbol, items []syntax.InterfaceItem, main bool) {
	for _, ii := range items {
		switch n := ii.(type) {
		case *syntax.TypeDef:
			ix.typeDef(f, pkg, s, n, main)
		case *syntax.NamedFunc:
			if n.Name == nil {
				continue
			}
			fs := ix.sym(f, n.Name, KindFunc, "", n.Span, n.Docs, s, pkg)
			ix.funcParams(f, pkg, fs, n.Func)
		case *syntax.Use:
			s.uses = append(s.uses, &useEntry{from: n.From, file: f, pkg: pkg, names: n.Names})
		}
	}
}

func (ix *indexer) funcParams(f *File, pkg string, fs *Symbol, fn *syntax.Func) {
	if fn == nil {
		return
	}
	for _, prm := range fn.Params {
		if prm.Name == nil {
			continue
		}
		ps := ix.sym(f, prm.Name, KindParam, "", syntax.Span{Start: prm.Name.Span.Start, End: typeEnd(prm.Type, prm.Name.Span.End)}, syntax.Docs{}, fs, pkg)
		ps.typ = prm.Type
	}
}

func typeEnd(t syntax.Type, def syntax.Pos) syntax.Pos {
	if t == nil || !t.TypeSpan().IsValid() {
		return def
	}
	return t.TypeSpan().End
}

func (ix *indexer) typeDef(f *File, pkg string, scope *Symbol, n *syntax.TypeDef, main bool) {
	if n.Name == nil {
		return
	}
	detail := "type"
	switch t := n.Type.(type) {
	case *syntax.RecordType:
		detail = "record"
	case *syntax.VariantType:
		detail = "variant"
	case *syntax.EnumType:
		detail = "enum"
	case *syntax.FlagsType:
		detail = "flags"
	case *syntax.ResourceType:
		detail = "resource"
		_ = t
	}
	s := ix.sym(f, n.Name, KindType, detail, n.Span, n.Docs, scope, pkg)
	ix.define(scope.types, s, "name", main)
	switch t := n.Type.(type) {
	case *syntax.RecordType:
		for _, fl := range t.Fields {
			if fl.Name != nil {
				c := ix.sym(f, fl.Name, KindField, "", syntax.Span{Start: fl.Name.Span.Start, End: typeEnd(fl.Type, fl.Name.Span.End)}, fl.Docs, s, pkg)
				c.typ = fl.Type
			}
		}
	case *syntax.VariantType:
		for _, c := range t.Cases {
			if c.Name != nil {
				cs := ix.sym(f, c.Name, KindCase, "", syntax.Span{Start: c.Name.Span.Start, End: typeEnd(c.Type, c.Name.Span.End)}, c.Docs, s, pkg)
				cs.typ = c.Type
			}
		}
	case *syntax.EnumType:
		for _, c := range t.Cases {
			if c.Name != nil {
				ix.sym(f, c.Name, KindCase, "", c.Name.Span, c.Docs, s, pkg)
			}
		}
	case *syntax.FlagsType:
		for _, c := range t.Flags {
			if c.Name != nil {
				ix.sym(f, c.Name, KindCase, "", c.Name.Span, c.Docs, s, pkg)
			}
		}
	case *syntax.ResourceType:
		for _, m := range t.Funcs {
			if m.Name == nil {
				continue
			}
			ms := ix.sym(f, m.Name, KindFunc, "method", m.Span, m.Docs, s, pkg)
			ix.funcParams(f, pkg, ms, m.Func)
		}
	default:
		s.typ = n.Type
	}
}

// lookupPath resolves a use path seen in file f of package pkg to an
// interface or world.
func (x *Index) lookupPath(f *File, pkg string, p *syntax.UsePath) (*Symbol, string) {
	if p == nil || p.Name == nil {
		return nil, ""
	}
	if p.Package == nil {
		if u := x.fileUses[f][p.Name.Name]; u != nil && u.from != p {
			s, _ := x.lookupPath(f, pkg, u.from)
			return s, ""
		}
		return x.pkgs[pkg][p.Name.Name], ""
	}
	want := pkgNameString(p.Package)
	if scope, ok := x.pkgs[want]; ok {
		return scope[p.Name.Name], want
	}
	if p.Package.Version == nil {
		// An unversioned path may name the one version deps/ holds.
		prefix := want + "@"
		var found string
		for k := range x.pkgs {
			if strings.HasPrefix(k, prefix) {
				if found != "" {
					return nil, want
				}
				found = k
			}
		}
		if found != "" {
			return x.pkgs[found][p.Name.Name], found
		}
	}
	return nil, want
}

// lookupType finds a type name in an interface or world scope: its own
// types, then the names its `use` items bring in.
func (x *Index) lookupType(scope *Symbol, name string, depth int) *Symbol {
	if scope == nil || depth > 32 {
		return nil
	}
	if s := scope.types[name]; s != nil {
		return s
	}
	for _, u := range scope.uses {
		for _, n := range u.names {
			local := n.Name
			if n.As != nil {
				local = n.As
			}
			if local == nil || local.Name != name || n.Name == nil {
				continue
			}
			if !u.done {
				u.iface, _ = x.lookupPath(u.file, u.pkg, u.from)
				u.done = true
			}
			return x.lookupType(u.iface, n.Name.Name, depth+1)
		}
	}
	if scope.Kind == KindExtern && scope.Parent != nil {
		return nil
	}
	return nil
}

func (ix *indexer) addRef(f *File, id *syntax.Ident, target, scope *Symbol) *Ref {
	r := &Ref{File: f, Start: f.Offset(id.Span.Start), End: f.Offset(id.Span.End), Name: id.Name, Target: target, Scope: scope}
	ix.x.refs[f] = append(ix.x.refs[f], r)
	return r
}

func (ix *indexer) pathRef(f *File, pkg string, p *syntax.UsePath, main bool, kind string) {
	if p == nil || p.Name == nil {
		return
	}
	target, foreign := ix.x.lookupPath(f, pkg, p)
	r := ix.addRef(f, p.Name, target, nil)
	r.IsPath = true
	r.PathStart, r.PathEnd = f.Offset(p.Span.Start), f.Offset(p.Span.End)
	r.Foreign = foreign
	if target == nil && main {
		msg := fmt.Sprintf("interface or world `%s` does not exist", p.Name.Name)
		if p.Package != nil {
			if _, known := ix.x.pkgs[foreign]; known {
				msg = fmt.Sprintf("%s '%s' not found in package '%s'", kind, p.Name.Name, foreign)
			} else {
				// A package deps/ holds as .wasm is not indexed; the
				// resolver decides.
				return
			}
		}
		ix.undefined(r, msg)
	}
}

func (ix *indexer) undefined(r *Ref, msg string) {
	ix.x.diags = append(ix.x.diags, Diagnostic{Path: r.File.Path, Start: r.Start, End: r.End, Severity: Error, Code: CodeUndefined,
		Message: msg, Data: &Fix{Name: r.Name}})
}

func (ix *indexer) refsIn(f *File, pkg string, items []syntax.Item) {
	main := f.Dep == ""
	for _, it := range items {
		switch n := it.(type) {
		case *syntax.TopUse:
			ix.pathRef(f, pkg, n.Path, main, "interface")
		case *syntax.NestedPackage:
			ix.refsIn(f, pkgNameString(n.Name), n.Items)
		case *syntax.Interface:
			if n.Name == nil {
				continue
			}
			scope := ix.x.pkgs[pkg][n.Name.Name]
			if scope == nil || scope.File != f || scope.Start != f.Offset(n.Name.Span.Start) {
				scope = ix.findDef(f, n.Name)
			}
			ix.ifaceRefs(f, pkg, scope, n.Items, main)
		case *syntax.World:
			if n.Name == nil {
				continue
			}
			scope := ix.findDef(f, n.Name)
			for _, wi := range n.Items {
				switch w := wi.(type) {
				case *syntax.TypeDef:
					ix.typeRefs(f, scope, w.Type, main)
				case *syntax.Use:
					ix.useRefs(f, pkg, w, main)
				case *syntax.Include:
					ix.pathRef(f, pkg, w.From, main, "world")
				case *syntax.ImportExport:
					switch w.Kind {
					case syntax.ExternPath, syntax.ExternNamedPath:
						ix.pathRef(f, pkg, w.Path, main, "interface")
					case syntax.ExternFunc:
						ix.funcRefs(f, scope, w.Func, main)
					case syntax.ExternInterface:
						inner := scope
						if w.Name != nil {
							if s := ix.findDef(f, w.Name); s != nil {
								inner = s
							}
						}
						ix.ifaceRefs(f, pkg, inner, w.Items, main)
					}
				}
			}
		}
	}
}

// findDef is the symbol defined by the identifier id.
func (ix *indexer) findDef(f *File, id *syntax.Ident) *Symbol {
	off := f.Offset(id.Span.Start)
	defs := ix.x.defs[f]
	for _, s := range defs {
		if s.Start == off {
			return s
		}
	}
	return nil
}

func (ix *indexer) ifaceRefs(f *File, pkg string, scope *Symbol, items []syntax.InterfaceItem, main bool) {
	for _, ii := range items {
		switch n := ii.(type) {
		case *syntax.TypeDef:
			if rt, ok := n.Type.(*syntax.ResourceType); ok {
				for _, m := range rt.Funcs {
					ix.funcRefs(f, scope, m.Func, main)
				}
				continue
			}
			ix.typeRefs(f, scope, n.Type, main)
		case *syntax.NamedFunc:
			ix.funcRefs(f, scope, n.Func, main)
		case *syntax.Use:
			ix.useRefs(f, pkg, n, main)
		}
	}
}

func (ix *indexer) useRefs(f *File, pkg string, u *syntax.Use, main bool) {
	ix.pathRef(f, pkg, u.From, main, "interface")
	iface, _ := ix.x.lookupPath(f, pkg, u.From)
	for _, n := range u.Names {
		if n.Name == nil {
			continue
		}
		var target *Symbol
		if iface != nil {
			target = ix.x.lookupType(iface, n.Name.Name, 0)
		}
		r := ix.addRef(f, n.Name, target, iface)
		if target == nil && iface != nil && main {
			ix.undefined(r, fmt.Sprintf("name `%s` is not defined in interface `%s`", n.Name.Name, iface.Name))
		}
	}
}

func (ix *indexer) funcRefs(f *File, scope *Symbol, fn *syntax.Func, main bool) {
	if fn == nil {
		return
	}
	for _, p := range fn.Params {
		ix.typeRefs(f, scope, p.Type, main)
	}
	ix.typeRefs(f, scope, fn.Result, main)
}

func (ix *indexer) typeRefs(f *File, scope *Symbol, t syntax.Type, main bool) {
	if t == nil || scope == nil {
		return
	}
	named := func(id *syntax.Ident) {
		if id == nil {
			return
		}
		target := ix.x.lookupType(scope, id.Name, 0)
		if target == nil && scope.Kind == KindExtern && scope.Parent != nil {
			target = ix.x.lookupType(scope.Parent, id.Name, 0)
		}
		r := ix.addRef(f, id, target, scope)
		if target == nil && main {
			ix.undefined(r, fmt.Sprintf("type `%s` does not exist", id.Name))
		}
	}
	switch n := t.(type) {
	case *syntax.NamedType:
		named(n.Name)
	case *syntax.HandleType:
		named(n.Resource)
	case *syntax.ListType:
		ix.typeRefs(f, scope, n.Elem, main)
	case *syntax.MapType:
		ix.typeRefs(f, scope, n.Key, main)
		ix.typeRefs(f, scope, n.Value, main)
	case *syntax.OptionType:
		ix.typeRefs(f, scope, n.Elem, main)
	case *syntax.ResultType:
		ix.typeRefs(f, scope, n.Ok, main)
		ix.typeRefs(f, scope, n.Err, main)
	case *syntax.TupleType:
		for _, e := range n.Types {
			ix.typeRefs(f, scope, e, main)
		}
	case *syntax.FutureType:
		ix.typeRefs(f, scope, n.Elem, main)
	case *syntax.StreamType:
		ix.typeRefs(f, scope, n.Elem, main)
	case *syntax.RecordType:
		for _, fl := range n.Fields {
			ix.typeRefs(f, scope, fl.Type, main)
		}
	case *syntax.VariantType:
		for _, c := range n.Cases {
			ix.typeRefs(f, scope, c.Type, main)
		}
	}
}
