package analysis

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bigband-dev/bigband/internal/suggest"
)

// Action is a quick fix for one diagnostic.
type Action struct {
	Title     string
	Edits     []Edit
	Diag      Diagnostic
	Preferred bool
}

// Actions lists the quick fixes for the diagnostics of f that touch
// [start, end].
func (p *Package) Actions(f *File, start, end int) []Action {
	if f == nil {
		return nil
	}
	var out []Action
	for _, d := range p.Diags {
		if d.Path != f.Path || d.End < start || d.Start > end {
			continue
		}
		switch {
		case strings.HasPrefix(d.Code, "wit/unknown-"):
			out = append(out, p.nameFixes(f, d)...)
		case d.Code == CodeContract:
			if d.Data != nil && d.Data.AddFunc != "" {
				out = append(out, p.addFuncAction(d))
			}
		}
	}
	return out
}

func (p *Package) nameFixes(f *File, d Diagnostic) []Action {
	_, r := p.At(f, d.Start)
	if r == nil || r.Target != nil {
		return nil
	}
	var out []Action
	var candidates []string
	if r.IsPath {
		for _, s := range p.Index.PackageItems(r.Foreign) {
			candidates = append(candidates, s.Name)
		}
		if r.Foreign == "" {
			for _, s := range p.Index.PackageItems(p.Index.mainPkg) {
				candidates = append(candidates, s.Name)
			}
		}
	} else if r.Scope != nil {
		for _, s := range p.typesInScope(r.Scope) {
			candidates = append(candidates, s.Name)
		}
	}
	for _, c := range closest(r.Name, candidates) {
		out = append(out, Action{Title: fmt.Sprintf("Change `%s` to `%s`", r.Name, c), Diag: d, Preferred: len(out) == 0,
			Edits: []Edit{{Path: f.Path, Start: r.Start, End: r.End, Text: c}}})
	}
	if r.Scope != nil && !r.IsPath {
		out = append(out, p.useFixes(f, r, d)...)
	}
	return out
}

// useFixes offers `use iface.{name};` for every interface that defines the
// missing type name.
func (p *Package) useFixes(f *File, r *Ref, d Diagnostic) []Action {
	scope := r.Scope
	for scope.Kind == KindExtern && scope.Parent != nil && scope.types == nil {
		scope = scope.Parent
	}
	var out []Action
	var found []*Symbol
	for _, pkg := range p.Index.Packages() {
		for _, iface := range p.Index.PackageItems(pkg) {
			if iface.Kind == KindInterface && iface != scope && iface.types[r.Name] != nil {
				found = append(found, iface)
			}
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].File.Dep == "" && found[j].File.Dep != "" })
	at, indent := bodyStart(scope)
	if at < 0 {
		return nil
	}
	for i, iface := range found {
		if i == 5 {
			break
		}
		path := iface.Name
		if iface.Pkg != scope.Pkg {
			base, ver, _ := strings.Cut(iface.Pkg, "@")
			path = base + "/" + iface.Name
			if ver != "" {
				path += "@" + ver
			}
		}
		text := fmt.Sprintf("\n%suse %s.{%s};", indent, path, r.Name)
		out = append(out, Action{Title: fmt.Sprintf("Add `use %s.{%s};`", path, r.Name), Diag: d,
			Edits: []Edit{{Path: scope.File.Path, Start: at, End: at, Text: text}}})
	}
	return out
}

// bodyStart is the offset just after the `{` opening s's body and the
// indentation its items use.
func bodyStart(s *Symbol) (int, string) {
	src := s.File.Src
	i := s.End
	for i < len(src) && src[i] != '{' {
		i++
	}
	if i >= len(src) {
		return -1, ""
	}
	indent := "  "
	if j := i + 1; j < len(src) {
		if k := strings.IndexByte(string(src[j:]), '\n'); k >= 0 {
			line := src[j+k+1:]
			n := 0
			for n < len(line) && (line[n] == ' ' || line[n] == '\t') {
				n++
			}
			if n > 0 {
				indent = string(line[:n])
			}
		}
	}
	return i + 1, indent
}

func (p *Package) addFuncAction(d Diagnostic) Action {
	fx := d.Data
	f := p.byPath[fx.AddPath]
	indent := "  "
	var b strings.Builder
	// Insert before the closing brace, on lines of their own.
	at := fx.AddAt
	if f != nil {
		for at > 0 && (f.Src[at-1] == ' ' || f.Src[at-1] == '\t') {
			at--
		}
	}
	for _, t := range fx.AddTypes {
		b.WriteString(indent + strings.ReplaceAll(strings.TrimSpace(t), "\n", "\n"+indent) + "\n")
	}
	b.WriteString(indent + fx.AddFunc + "\n")
	name, _, _ := strings.Cut(fx.AddFunc, ":")
	return Action{Title: fmt.Sprintf("Add the contract's `%s`", name), Diag: d, Preferred: true,
		Edits: []Edit{{Path: fx.AddPath, Start: at, End: at, Text: b.String()}}}
}

// closest returns up to three candidates within a small edit distance of
// name, nearest first.
func closest(name string, candidates []string) []string {
	return suggest.Closest(name, candidates, max(2, len(name)/3), 3)
}
