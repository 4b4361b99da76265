package analysis

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/bigband-dev/bigband/contract"
	"github.com/bigband-dev/bigband/host/component"
	"github.com/bigband-dev/bigband/watch/config"
	"github.com/bigband-dev/bigband/wit"
	"github.com/bigband-dev/bigband/wit/syntax"
)

// Fix is what a code action needs to repair a diagnostic.
type Fix struct {
	// Name is the undefined name (misspelt, or missing a `use`).
	Name string
	// AddFunc is a contract function to add: its declaration as WIT and the
	// byte offset (in Path) where the interface body ends.
	AddFunc  string
	AddPath  string
	AddAt    int
	AddTypes []string // type definitions the function needs that are missing
}

// contractKind says whether world w is a plugin's world, and for which
// contract: it exports one of the contract interfaces by name, or it is
// the package's only world and bigband.toml says what kind the plugin is.
func contractKind(r *wit.Resolve, w *wit.World, cfg *config.Config, onlyWorld bool) (contract.Kind, bool) {
	for _, it := range w.Exports {
		if it.Kind != wit.WorldInterface {
			continue
		}
		iface := r.Interfaces[it.Interface]
		name := it.Key.Name
		if iface.Name != nil {
			name = *iface.Name
		}
		switch name {
		case contract.Frontend.Interface():
			return contract.Frontend, true
		case contract.Backend.Interface():
			return contract.Backend, true
		}
	}
	if cfg != nil && cfg.File != "" && onlyWorld {
		switch cfg.Kind {
		case config.KindFrontend:
			return contract.Frontend, true
		case config.KindBackend:
			return contract.Backend, true
		}
	}
	return 0, false
}

// findConfig looks for bigband.toml in the package directory and up to two
// levels above it (a guest keeps its WIT in wit/ beside its source).
func findConfig(root string) *config.Config {
	dir := root
	for range 3 {
		if _, err := os.Stat(filepath.Join(dir, config.FileName)); err == nil {
			cfg, err := config.Load(dir)
			if err == nil {
				return cfg
			}
			return nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return nil
}

func (p *Package) spanDiag(r *wit.Resolve, span syntax.Span) (string, int, int, bool) {
	sf := r.Files.File(span.Start)
	if sf == nil {
		return "", 0, 0, false
	}
	end := sf.Offset(span.Start)
	if sf.Contains(span.End) {
		end = sf.Offset(span.End)
	}
	return sf.Name(), sf.Offset(span.Start), end, true
}

var missingFuncRE = regexp.MustCompile(`^export (\S+)#(\S+): missing`)

func (p *Package) checkContracts() []Diagnostic {
	r := p.Resolve
	cfg := findConfig(p.Root)
	var out []Diagnostic
	pkg := r.Packages[p.MainID]
	for _, nw := range pkg.Worlds {
		w := r.Worlds[nw.ID]
		k, ok := contractKind(r, w, cfg, len(pkg.Worlds) == 1)
		if !ok {
			continue
		}
		for _, prob := range contract.Check(r, nw.ID, k) {
			path, start, end, ok := p.spanDiag(r, prob.Span)
			if !ok {
				path, start, end, _ = p.spanDiag(r, w.Span)
			}
			d := Diagnostic{Path: path, Start: start, End: end, Severity: Error, Code: CodeContract,
				Message: prob.Message + " [" + k.String() + " contract, world " + w.Name + "]"}
			if wpath, ws, we, wok := p.worldName(w); wok && (wpath != path || ws != start) {
				d.Related = append(d.Related, Related{Path: wpath, Start: ws, End: we, Message: "world " + w.Name + " is checked against the " + k.String() + " contract"})
			}
			if m := missingFuncRE.FindStringSubmatch(prob.Message); m != nil {
				d.Data = p.addFuncFix(r, w, k, m[2])
				if iface := p.mainInterface(k.Interface()); iface != nil && d.Data != nil {
					// Report it where the function belongs, which is also
					// where the quick fix adds it.
					d.Related = append(d.Related, Related{Path: d.Path, Start: d.Start, End: d.End, Message: "exported here"})
					d.Path, d.Start, d.End = iface.File.Path, iface.Start, iface.End
				}
			}
			if d.Path == "" {
				continue
			}
			// Point at the declaration's first line rather than a whole world.
			d.End = min(d.End, lineEnd(p.byPath[d.Path], d.Start))
			out = append(out, d)
		}
		out = append(out, p.checkWasm(r, nw.ID, cfg)...)
	}
	return out
}

func (p *Package) worldName(w *wit.World) (string, int, int, bool) {
	for _, s := range p.Index.Symbols {
		if s.Kind == KindWorld && s.Name == w.Name && s.File.Dep == "" {
			return s.File.Path, s.Start, s.End, true
		}
	}
	return "", 0, 0, false
}

// mainInterface is the main package's interface called name, or nil.
func (p *Package) mainInterface(name string) *Symbol {
	for _, s := range p.Index.Symbols {
		if s.Kind == KindInterface && s.Name == name && s.File.Dep == "" {
			return s
		}
	}
	return nil
}

func lineEnd(f *File, off int) int {
	if f == nil {
		return off
	}
	for i := off; i < len(f.Src); i++ {
		if f.Src[i] == '\n' {
			return i
		}
	}
	return len(f.Src)
}

// addFuncFix prepares the edit that adds contract function fn to the
// interface the world exports under the contract's name.
func (p *Package) addFuncFix(r *wit.Resolve, w *wit.World, k contract.Kind, fn string) *Fix {
	cr, cpkg, err := contract.Contract()
	if err != nil {
		return nil
	}
	cid, ok := cr.Packages[cpkg].Interface(k.Interface())
	if !ok {
		return nil
	}
	ci := cr.Interfaces[cid]
	cf := ci.Function(fn)
	if cf == nil {
		return nil
	}
	target := p.mainInterface(k.Interface())
	if target == nil {
		return nil
	}
	fix := &Fix{AddFunc: fn + ": " + wit.FuncString(cr, cf) + ";", AddPath: target.File.Path, AddAt: target.DeclEnd - 1}
	// Bring along the contract's named types the function uses that the
	// interface lacks.
	seen := map[string]bool{}
	var walk func(t wit.Type)
	walk = func(t wit.Type) {
		if t.Prim != wit.Ref {
			return
		}
		td := cr.Types[t.ID]
		if td.Name != "" {
			if seen[td.Name] || target.types[td.Name] != nil {
				return
			}
			seen[td.Name] = true
			if text := contractTypeSource(k.Interface(), td.Name); text != "" {
				fix.AddTypes = append(fix.AddTypes, text)
			}
		}
		td.EachType(walk)
	}
	for _, prm := range cf.Params {
		walk(prm.Type)
	}
	walk(cf.Result)
	return fix
}

// checkWasm compares the plugin's built wasm with world w when the wasm is
// newer than every WIT file: a build that predates the WIT is expected to
// differ and says nothing yet.
func (p *Package) checkWasm(r *wit.Resolve, w wit.WorldID, cfg *config.Config) []Diagnostic {
	wasm := findWasm(p.Root, cfg)
	// Remember it even when it isn't there yet: the server watches it and
	// checks again when a build writes it.
	p.Wasm = wasm
	st, err := os.Stat(wasm)
	if err != nil || !st.Mode().IsRegular() {
		return nil
	}
	for _, f := range p.Files {
		if fst, err := os.Stat(f.Path); err == nil && fst.ModTime().After(st.ModTime()) {
			return nil
		}
	}
	world := r.Worlds[w]
	path, start, end, ok := p.spanDiag(r, world.Span)
	if !ok {
		return nil
	}
	end = min(end, lineEnd(p.byPath[path], start))
	if st.Size() > 256<<20 {
		return nil // not a plugin anyone builds; don't read it
	}
	b, err := os.ReadFile(wasm)
	if err != nil {
		return nil
	}
	msgs := compareWasm(r, world, b)
	var out []Diagnostic
	for _, m := range msgs {
		d := Diagnostic{Path: path, Start: start, End: end, Severity: Warning, Code: CodeWasm,
			Message: fmt.Sprintf("%s: %s (built %s, after the WIT: rebuild, or fix the world)", filepath.Base(wasm), m.msg, st.ModTime().Format("15:04:05"))}
		if m.span.IsValid() {
			if pth, s, e, ok := p.spanDiag(r, m.span); ok {
				d.Path, d.Start, d.End = pth, s, min(e, lineEnd(p.byPath[pth], s))
			}
		}
		out = append(out, d)
	}
	return out
}

type wasmMsg struct {
	msg  string
	span syntax.Span
}

// compareWasm lists the world's exports the binary lacks or types
// differently.
func compareWasm(r *wit.Resolve, world *wit.World, b []byte) []wasmMsg {
	var gr *wit.Resolve
	var gw wit.WorldID
	switch {
	case component.IsComponent(b):
		c, err := component.Decode(b)
		if err != nil {
			return []wasmMsg{{msg: "not a valid component: " + err.Error()}}
		}
		gr, gw, err = c.World()
		if err != nil {
			return []wasmMsg{{msg: "component types not understood: " + err.Error()}}
		}
	case component.IsCoreModule(b):
		m, err := component.DecodeCore(b)
		if err != nil {
			return []wasmMsg{{msg: "not a valid core module: " + err.Error()}}
		}
		return compareCore(r, world, m)
	default:
		return []wasmMsg{{msg: "not WebAssembly"}}
	}
	var out []wasmMsg
	gworld := gr.Worlds[gw]
	cmp := wit.NewComparer(gr, r)
	for _, it := range world.Exports {
		if it.Kind != wit.WorldInterface {
			continue
		}
		iface := r.Interfaces[it.Interface]
		name := exportName(r, it)
		var found *wit.WorldItem
		for _, g := range gworld.Exports {
			if g.Kind == wit.WorldInterface && exportName(gr, g) == name {
				found = g
			} else if g.Kind == wit.WorldInterface && iface.Name != nil && gr.Interfaces[g.Interface].Name != nil && *gr.Interfaces[g.Interface].Name == *iface.Name && found == nil {
				found = g
			}
		}
		if found == nil {
			out = append(out, wasmMsg{msg: "export " + name + ": missing from the build", span: it.Span})
			continue
		}
		gi := gr.Interfaces[found.Interface]
		for _, f := range iface.Functions {
			gf := gi.Function(f.Name)
			if gf == nil {
				out = append(out, wasmMsg{msg: "export " + name + "#" + f.Name + ": missing from the build", span: f.Span})
				continue
			}
			if !sameFunc(cmp, gf, f) {
				out = append(out, wasmMsg{msg: fmt.Sprintf("export %s#%s: the build has %s, the world %s", name, f.Name, wit.FuncString(gr, gf), wit.FuncString(r, f)), span: f.Span})
			}
		}
	}
	return out
}

func sameFunc(cmp *wit.Comparer, a, b *wit.Function) bool {
	if len(a.Params) != len(b.Params) {
		return false
	}
	for i := range a.Params {
		if !cmp.Type(a.Params[i].Type, b.Params[i].Type) {
			return false
		}
	}
	if a.Result.IsNone() != b.Result.IsNone() {
		return false
	}
	return a.Result.IsNone() || cmp.Type(a.Result, b.Result)
}

func exportName(r *wit.Resolve, it *wit.WorldItem) string {
	if !it.Key.IsInterface {
		return it.Key.Name
	}
	iface := r.Interfaces[it.Key.Interface]
	if iface.Package == nil || iface.Name == nil {
		return "?"
	}
	return r.Packages[*iface.Package].Name.InterfaceID(*iface.Name)
}

// compareCore checks a core module's `iface#func` exports against the
// world's interface exports.
func compareCore(r *wit.Resolve, world *wit.World, m *component.CoreModule) []wasmMsg {
	have := map[string]bool{}
	for _, e := range m.Exports {
		have[e.Name] = true
	}
	var out []wasmMsg
	for _, it := range world.Exports {
		if it.Kind != wit.WorldInterface {
			continue
		}
		name := exportName(r, it)
		iface := r.Interfaces[it.Interface]
		for _, f := range iface.Functions {
			short := name
			if iface.Name != nil {
				short = *iface.Name
			}
			if !have[name+"#"+f.Name] && !have[short+"#"+f.Name] {
				if strings.HasPrefix(name, "wasi:") {
					continue // a core module can't export WASI interfaces at all; the contract check says so
				}
				out = append(out, wasmMsg{msg: "export " + short + "#" + f.Name + ": missing from the build", span: f.Span})
			}
		}
	}
	return out
}

// contractTypeSource is the declaration of type name in the contract's
// interface iface, as the contract's source writes it.
func contractTypeSource(iface, name string) string {
	fset := syntax.NewFileSet()
	f, errs := syntax.ParseFile(fset, "backstage.wit", contract.Source)
	if len(errs) > 0 {
		return ""
	}
	for _, it := range f.Items {
		in, ok := it.(*syntax.Interface)
		if !ok || in.Name == nil || in.Name.Name != iface {
			continue
		}
		for _, ii := range in.Items {
			if td, ok := ii.(*syntax.TypeDef); ok && td.Name != nil && td.Name.Name == name {
				src := f.File.Source()
				start := f.File.Offset(td.Span.Start)
				indent := 0
				for i := start; i > 0 && (src[i-1] == ' ' || src[i-1] == '\t'); i-- {
					indent++
				}
				return dedent(strings.Split(string(src[start:f.File.Offset(td.Span.End)]), "\n"), indent)
			}
		}
	}
	return ""
}

// findWasm is where the plugin's build leaves its wasm: bigband.toml's
// artifact, else plugin.wasm in the package directory or the one above it
// (a guest keeps its WIT in wit/), else the only .wasm file there.
func findWasm(root string, cfg *config.Config) string {
	if cfg != nil && cfg.Build.Artifact != "" {
		return cfg.Build.Artifact
	}
	dirs := []string{root, filepath.Dir(root)}
	for _, d := range dirs {
		if p := filepath.Join(d, "plugin.wasm"); isRegular(p) {
			return p
		}
	}
	for _, d := range dirs {
		matches, _ := filepath.Glob(filepath.Join(d, "*.wasm"))
		if len(matches) == 1 {
			return matches[0]
		}
	}
	return filepath.Join(root, "plugin.wasm")
}

func isRegular(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
