package wasi

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/bigband-dev/bigband/wit"
)

// witFiles is WASI's own WIT at the newest 0.2 the host knows (see
// wit/PROVENANCE.md). WASI 0.2 minor releases only add items, so it
// describes every function of every older 0.2.x too.
//
//go:embed wit
var witFiles embed.FS

// wasiWIT is the embedded WIT resolved, with every interface indexed by
// its unversioned name ("wasi:io/streams").
type wasiWIT struct {
	r      *wit.Resolve
	ifaces map[string]*wit.Interface
}

// witRoot is the package the embedded tree loads as; the others are its
// deps. The directory exists only as overlays.
const witRoot = "http"

// loadWIT resolves the embedded WIT on first use.
var loadWIT = sync.OnceValues(resolveWIT)

func resolveWIT() (*wasiWIT, error) {
	root, err := filepath.Abs(filepath.Join(string(filepath.Separator), "bigband-wasi", witRoot))
	if err != nil {
		return nil, err
	}
	overlays := map[string][]byte{}
	err = fs.WalkDir(witFiles, "wit", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".wit" {
			return err
		}
		b, err := witFiles.ReadFile(p)
		if err != nil {
			return err
		}
		pkg, file := path.Split(strings.TrimPrefix(p, "wit/"))
		pkg = strings.TrimSuffix(pkg, "/")
		dst := filepath.Join(root, "deps", pkg, file)
		if pkg == witRoot {
			dst = filepath.Join(root, file)
		}
		overlays[dst] = b
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Unstable items (exit-with-code, timezone, ...) are in: the host
	// implements some, and a guest may import them.
	r, _, err := wit.Load(root, wit.LoadOptions{Overlays: overlays, AllFeatures: true})
	if err != nil {
		return nil, fmt.Errorf("wasi: embedded WIT does not load: %w", err)
	}
	w := &wasiWIT{r: r, ifaces: map[string]*wit.Interface{}}
	for _, p := range r.Packages {
		for _, e := range p.Interfaces {
			w.ifaces[p.Name.Namespace+":"+p.Name.Name+"/"+e.Name] = r.Interfaces[e.ID]
		}
	}
	return w, nil
}

// WIT returns WASI's own WIT (every package of the newest 0.2 the host
// knows), resolved once and shared: callers must not modify it.
func WIT() (*wit.Resolve, error) {
	w, err := loadWIT()
	if err != nil {
		return nil, err
	}
	return w.r, nil
}

// CheckTypes compares the interface a guest imports under name (such as
// `wasi:http/types@0.2.0`), as the guest's binary declares it (gi, in the
// guest's Resolve g), with the same interface in WASI's own WIT. Every
// function and type the guest declares must be there with the same
// structure (see wit.Comparer), so the host's implementation receives the
// values it was written for. Each problem is one line naming the
// function or type; none means the guest's view is WASI's.
func CheckTypes(name string, g *wit.Resolve, gi *wit.Interface) []string {
	w, err := loadWIT()
	if err != nil {
		panic(err) // the embedded source is fixed at build time; tests load it
	}
	base, _, _ := strings.Cut(name, "@")
	wi := w.ifaces[base]
	if wi == nil {
		return []string{fmt.Sprintf("import %s: not an interface of WASI 0.2", name)}
	}
	c := wit.NewComparer(g, w.r)
	var out []string
	diffs := func(prefix string) {
		for _, d := range c.Diffs {
			out = append(out, prefix+": "+diffString(g, w.r, d))
		}
		c.Diffs = c.Diffs[:0]
	}
	// Types first: a definition that differs is reported once, under its
	// own name, rather than under the first function that uses it.
	for _, nt := range gi.Types {
		prefix := fmt.Sprintf("import %s: type %s", name, nt.Name)
		wt, ok := wi.Type(nt.Name)
		if !ok {
			out = append(out, prefix+" is not in WASI's "+base)
			continue
		}
		if !c.Type(wit.TypeRef(nt.ID), wit.TypeRef(wt)) {
			out = append(out, fmt.Sprintf("%s is %s, WASI declares %s", prefix, describe(g, wit.TypeRef(nt.ID)), describe(w.r, wit.TypeRef(wt))))
		}
		diffs(prefix)
	}
	for _, gf := range gi.Functions {
		prefix := fmt.Sprintf("import %s#%s", name, gf.Name)
		wf := wi.Function(gf.Name)
		if wf == nil {
			out = append(out, prefix+": not in WASI's "+base)
			continue
		}
		fd := c.Func(gf, wf)
		if fd.Shape {
			out = append(out, fmt.Sprintf("%s: type is %s, WASI declares %s", prefix, wit.FuncString(g, gf), wit.FuncString(w.r, wf)))
			continue
		}
		for _, i := range fd.Params {
			out = append(out, fmt.Sprintf("%s: param %d (%s) is %s, WASI declares %s",
				prefix, i, wf.Params[i].Name, describe(g, gf.Params[i].Type), describe(w.r, wf.Params[i].Type)))
		}
		switch {
		case !fd.Result:
		case gf.Result.IsNone():
			out = append(out, fmt.Sprintf("%s: returns nothing, WASI declares %s", prefix, describe(w.r, wf.Result)))
		case wf.Result.IsNone():
			out = append(out, fmt.Sprintf("%s: returns %s, WASI declares no result", prefix, describe(g, gf.Result)))
		default:
			out = append(out, fmt.Sprintf("%s: result is %s, WASI declares %s", prefix, describe(g, gf.Result), describe(w.r, wf.Result)))
		}
		diffs(prefix)
	}
	return out
}

// describe spells t as its Resolve names it, with what a name stands for
// when that is not obvious: `field-name (string)`, `resource fields`.
func describe(r *wit.Resolve, t wit.Type) string {
	s := wit.TypeString(r, t)
	d := wit.Deref(r, t)
	if d.Prim == wit.Ref && int(d.ID) >= 0 && int(d.ID) < len(r.Types) {
		if td := r.Types[d.ID]; td.Name != "" {
			if td.Name == s {
				return td.Kind.String() + " " + s
			}
			return s + " (" + td.Kind.String() + " " + td.Name + ")"
		}
	}
	if ds := wit.TypeString(r, d); ds != s {
		return s + " (" + ds + ")"
	}
	return s
}

// diffString words a difference inside a definition.
func diffString(g, w *wit.Resolve, d wit.Diff) string {
	list := func(names []string) string { return strings.Join(names, ", ") }
	switch d.Kind {
	case wit.MissingField:
		return fmt.Sprintf("record %s has no field %s, WASI declares %s: %s", d.Def, d.Item, d.Item, wit.TypeString(w, d.BType))
	case wit.ExtraField:
		return fmt.Sprintf("record %s field %s is not in WASI's record", d.Def, d.Item)
	case wit.FieldOrder:
		return fmt.Sprintf("record %s fields are in the order %s, WASI declares %s", d.Def, list(d.ANames), list(d.BNames))
	case wit.FieldType:
		return fmt.Sprintf("record %s field %s is %s, WASI declares %s", d.Def, d.Item, describe(g, d.AType), describe(w, d.BType))
	case wit.MissingCase:
		return fmt.Sprintf("variant %s has no case %s, WASI declares %s", d.Def, d.Item, caseString(w, d.Item, d.BType))
	case wit.ExtraCase:
		return fmt.Sprintf("variant %s case %s is not in WASI's variant", d.Def, d.Item)
	case wit.CaseOrder:
		return fmt.Sprintf("variant %s cases are in the order %s, WASI declares %s", d.Def, list(d.ANames), list(d.BNames))
	case wit.CaseType:
		return fmt.Sprintf("variant %s case %s is %s, WASI declares %s", d.Def, d.Item, caseString(g, d.Item, d.AType), caseString(w, d.Item, d.BType))
	case wit.EnumCases:
		return fmt.Sprintf("enum %s cases are %s, WASI declares %s", d.Def, list(d.ANames), list(d.BNames))
	case wit.FlagNames:
		return fmt.Sprintf("flags %s are %s, WASI declares %s", d.Def, list(d.ANames), list(d.BNames))
	}
	return d.Def + " differs from WASI's"
}

func caseString(r *wit.Resolve, name string, t wit.Type) string {
	if t.IsNone() {
		return name + " (no payload)"
	}
	return name + "(" + wit.TypeString(r, t) + ")"
}

// TypeError lists how the WASI functions and types a guest imports differ
// from WASI's own WIT, one problem a line.
type TypeError struct{ Problems []string }

// maxProblems bounds the message: a hostile guest can declare thousands.
const maxProblems = 20

func (e *TypeError) Error() string {
	const hint = "the guest's bindings do not match WASI 0.2: regenerate them from WASI's WIT"
	if len(e.Problems) == 1 {
		return e.Problems[0] + " (" + hint + ")"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d imported WASI functions or types differ from WASI's own WIT (%s):", len(e.Problems), hint)
	for i, p := range e.Problems {
		if i == maxProblems {
			fmt.Fprintf(&b, "\n  ... and %d more", len(e.Problems)-i)
			break
		}
		b.WriteString("\n  " + p)
	}
	return b.String()
}
