package analysis

import (
	"regexp"
	"sort"
	"strings"

	"github.com/bigband-dev/bigband/wit/syntax"
)

// Item is one completion.
type Item struct {
	Label  string
	Kind   string // keyword, type, interface, world, package, snippet
	Detail string
}

// Completion lists what may be typed at off, and the offset where the word
// being completed starts (the items replace [From, off)).
type Completion struct {
	Items []Item
	From  int
}

var (
	pathCtxRE = regexp.MustCompile(`(?:^|[\s;{])(use|import|export|include)\s+([%\w:@./-]*)$`)
	useSetRE  = regexp.MustCompile(`use\s+([%\w:@./-]+?)\.\{[^}]*$`)
	typeCtxRE = regexp.MustCompile(`(?:[:<,(=]|->)\s*(?:borrow<|own<)?([%\w-]*)$`)
	wordRE    = regexp.MustCompile(`[%\w-]*$`)
)

var (
	topKeywords   = []string{"package", "interface", "world", "use"}
	ifaceKeywords = []string{"record", "variant", "enum", "flags", "resource", "type", "use"}
	worldKeywords = []string{"import", "export", "use", "include", "record", "variant", "enum", "flags", "resource", "type"}
	resKeywords   = []string{"constructor"}
	typeKeywords  = []string{"u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "char", "bool", "string",
		"list", "option", "result", "tuple", "borrow", "own", "future", "stream", "map", "error-context"}
)

// container is the innermost scope around an offset.
type container struct {
	kind  string // "top", "interface", "world", "resource"
	scope *Symbol
}

func (p *Package) containerAt(f *File, off int) container {
	c := container{kind: "top"}
	if f.AST == nil || p.Index == nil {
		return c
	}
	in := func(s syntax.Span) bool {
		return s.IsValid() && f.Offset(s.Start) < off && off < f.Offset(s.End)
	}
	var walk func(items []syntax.Item)
	walk = func(items []syntax.Item) {
		for _, it := range items {
			switch n := it.(type) {
			case *syntax.NestedPackage:
				if in(n.Span) {
					walk(n.Items)
				}
			case *syntax.Interface:
				if in(n.Span) && n.Name != nil {
					c = container{kind: "interface", scope: p.defAt(f, n.Name)}
					for _, ii := range n.Items {
						if td, ok := ii.(*syntax.TypeDef); ok && in(td.Span) {
							if _, isRes := td.Type.(*syntax.ResourceType); isRes {
								c.kind = "resource"
							}
						}
					}
				}
			case *syntax.World:
				if in(n.Span) && n.Name != nil {
					c = container{kind: "world", scope: p.defAt(f, n.Name)}
					for _, wi := range n.Items {
						if ie, ok := wi.(*syntax.ImportExport); ok && ie.Kind == syntax.ExternInterface && in(ie.Body) && ie.Name != nil {
							c = container{kind: "interface", scope: p.defAt(f, ie.Name)}
						}
					}
				}
			}
		}
	}
	walk(f.AST.Items)
	return c
}

func (p *Package) defAt(f *File, id *syntax.Ident) *Symbol {
	off := f.Offset(id.Span.Start)
	for _, s := range p.Index.defs[f] {
		if s.Start == off {
			return s
		}
	}
	return nil
}

// Complete answers a completion request at byte offset off of f.
func (p *Package) Complete(f *File, off int) Completion {
	if f == nil {
		return Completion{}
	}
	off = max(0, min(off, len(f.Src)))
	lineStart := off
	for lineStart > 0 && f.Src[lineStart-1] != '\n' {
		lineStart--
	}
	before := string(f.Src[lineStart:off])
	word := wordRE.FindString(before)
	res := Completion{From: off - len(word)}
	c := p.containerAt(f, off)

	if m := useSetRE.FindStringSubmatch(before); m != nil && c.kind != "top" {
		// use iface.{ | }: the types of that interface.
		target := p.resolvePathText(f, c, m[1])
		if target != nil {
			for _, s := range sortedTypes(target) {
				res.Items = append(res.Items, Item{Label: s.Name, Kind: "type", Detail: s.Detail})
			}
		}
		return res
	}
	if m := pathCtxRE.FindStringSubmatch(before); m != nil {
		partial := m[2]
		res.From = off - len(partial)
		res.Items = p.pathItems(f, partial, m[1])
		return res
	}
	if c.kind != "top" && c.scope != nil {
		if m := typeCtxRE.FindStringSubmatch(before); m != nil && !strings.HasSuffix(strings.TrimRight(before[:len(before)-len(m[1])], " \t"), "{") {
			if c.kind == "world" && regexp.MustCompile(`(import|export)\s+[%\w-]+\s*:\s*[%\w-]*$`).MatchString(before) {
				for _, k := range []string{"func", "async", "interface"} {
					res.Items = append(res.Items, Item{Label: k, Kind: "keyword"})
				}
				res.Items = append(res.Items, p.pathItems(f, "", "import")...)
				return res
			}
			for _, k := range typeKeywords {
				res.Items = append(res.Items, Item{Label: k, Kind: "keyword", Detail: "built-in type"})
			}
			if strings.HasSuffix(strings.TrimSpace(before), ":") && c.kind != "world" {
				res.Items = append(res.Items, Item{Label: "func", Kind: "keyword"}, Item{Label: "async", Kind: "keyword"})
			}
			for _, s := range p.typesInScope(c.scope) {
				res.Items = append(res.Items, Item{Label: s.Name, Kind: "type", Detail: s.Detail})
			}
			return res
		}
	}
	if strings.TrimSpace(before) != word {
		return res // mid-line, after something we don't complete
	}
	var kws []string
	switch c.kind {
	case "top":
		kws = topKeywords
	case "interface":
		kws = ifaceKeywords
	case "world":
		kws = worldKeywords
	case "resource":
		kws = resKeywords
	}
	for _, k := range kws {
		res.Items = append(res.Items, Item{Label: k, Kind: "keyword"})
	}
	return res
}

// typesInScope lists the type names visible in an interface or world.
func (p *Package) typesInScope(scope *Symbol) []*Symbol {
	seen := map[string]bool{}
	var out []*Symbol
	for s := scope; s != nil; s = s.Parent {
		for _, t := range sortedTypes(s) {
			if !seen[t.Name] {
				seen[t.Name] = true
				out = append(out, t)
			}
		}
		for _, u := range s.uses {
			for _, n := range u.names {
				local := n.Name
				if n.As != nil {
					local = n.As
				}
				if local == nil || seen[local.Name] {
					continue
				}
				seen[local.Name] = true
				t := &Symbol{Name: local.Name, Kind: KindType, Detail: "use"}
				if n.Name != nil {
					if target := p.Index.lookupType(s, local.Name, 0); target != nil {
						t.Detail = target.Detail
					}
				}
				out = append(out, t)
			}
		}
		if s.Kind != KindExtern {
			break
		}
	}
	return out
}

func sortedTypes(s *Symbol) []*Symbol {
	var out []*Symbol
	for _, t := range s.types {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

func (p *Package) resolvePathText(f *File, c container, text string) *Symbol {
	pkg := ""
	if c.scope != nil {
		pkg = c.scope.Pkg
	} else {
		pkg = p.Index.mainPkg
	}
	fset := syntax.NewFileSet()
	src := []byte("interface x { use " + text + ".{a}; }")
	sf, errs := syntax.ParseFile(fset, "path", src)
	if len(errs) > 0 || len(sf.Items) == 0 {
		return nil
	}
	it, ok := sf.Items[0].(*syntax.Interface)
	if !ok || len(it.Items) == 0 {
		return nil
	}
	u, ok := it.Items[0].(*syntax.Use)
	if !ok {
		return nil
	}
	s, _ := p.Index.lookupPath(f, pkg, u.From)
	return s
}

// pathItems completes a use path: local interfaces and worlds, package
// names from deps/, and after `ns:pkg/` that package's items.
func (p *Package) pathItems(f *File, partial, keyword string) []Item {
	var out []Item
	wantWorld := keyword == "include"
	kindOK := func(s *Symbol) bool {
		if wantWorld {
			return s.Kind == KindWorld
		}
		return s.Kind == KindInterface
	}
	if pkgPart, _, ok := strings.Cut(partial, "/"); ok {
		for _, pkg := range p.Index.Packages() {
			base, _, _ := strings.Cut(pkg, "@")
			if pkg != pkgPart && base != pkgPart {
				continue
			}
			for _, s := range p.Index.PackageItems(pkg) {
				if kindOK(s) {
					label := pkgPart + "/" + s.Name
					if ver, ok := strings.CutPrefix(pkg, base+"@"); ok && pkg != pkgPart {
						label += "@" + ver
					}
					out = append(out, Item{Label: label, Kind: s.Kind.String(), Detail: pkg})
				}
			}
		}
		return out
	}
	if p.Index != nil {
		for _, s := range p.Index.PackageItems(p.Index.mainPkg) {
			if kindOK(s) {
				out = append(out, Item{Label: s.Name, Kind: s.Kind.String(), Detail: "this package"})
			}
		}
		for alias := range p.Index.fileUses[f] {
			out = append(out, Item{Label: alias, Kind: "interface", Detail: "use"})
		}
		for _, pkg := range p.Index.Packages() {
			if pkg == p.Index.mainPkg || pkg == "" {
				continue
			}
			base, ver, _ := strings.Cut(pkg, "@")
			for _, s := range p.Index.PackageItems(pkg) {
				if !kindOK(s) {
					continue
				}
				label := base + "/" + s.Name
				if ver != "" {
					label += "@" + ver
				}
				out = append(out, Item{Label: label, Kind: s.Kind.String(), Detail: "deps: " + pkg})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out
}
