//go:build cgo

package wire

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
	sitter "github.com/smacker/go-tree-sitter"
)

// The TypeScript edits: find anchors in a tree-sitter tree (walking it, not
// with queries, so there are no #eq? predicates to forget to filter), splice
// text at byte offsets, then verify the result (verify). Existing wiring is
// looked for before anchors, so a file wired by hand never needs them.

// editBackendIndex adds `<backend>.add(import('<pkg>'));` before the
// `<backend>.start()` statement of packages/backend/src/index.ts.
func editBackendIndex(name string, src []byte, p Plugin) ([]byte, error) {
	f, err := parseTS(name, src)
	if err != nil {
		return nil, err
	}
	defer f.close()
	manual := backendLines("backend", p.Package)

	var creates []*sitter.Node
	walk(f.root, func(n *sitter.Node) bool {
		if n.Type() == "call_expression" && f.calls(n, "createBackend") {
			creates = append(creates, n)
		}
		return true
	})
	switch len(creates) {
	case 0:
		return nil, f.refuse(-1, "no createBackend() call; expected `const backend = createBackend();` as create-app writes it", manual)
	case 1:
	default:
		return nil, f.refuse(int(creates[1].StartByte()), "createBackend() is called more than once; cannot tell which backend gets the plugin", manual)
	}
	decl := creates[0].Parent()
	if decl == nil || decl.Type() != "variable_declarator" || decl.ChildByFieldName("name") == nil || decl.ChildByFieldName("name").Type() != "identifier" {
		return nil, f.refuse(int(creates[0].StartByte()), "the createBackend() result is not assigned to a variable (`const backend = createBackend();`)", manual)
	}
	recv := f.text(decl.ChildByFieldName("name"))
	manual = backendLines(recv, p.Package)

	bound := f.valueBindings(p.Package)
	wired := false
	var starts []*sitter.Node
	walk(f.root, func(n *sitter.Node) bool {
		if n.Type() != "call_expression" {
			return true
		}
		switch f.method(n, recv) {
		case "add":
			arg := firstArg(n)
			switch {
			case arg == nil:
			case arg.Type() == "call_expression" && arg.ChildByFieldName("function").Type() == "import":
				if s, ok := f.stringValue(firstArg(arg)); ok && s == p.Package {
					wired = true
				}
			case arg.Type() == "identifier" && bound[f.text(arg)]:
				wired = true
			}
		case "start":
			starts = append(starts, n)
		}
		return true
	})
	if wired {
		return src, nil
	}
	if len(starts) != 1 {
		problem := fmt.Sprintf("no %s.start() call; expected it after the %s.add(...) lines", recv, recv)
		off := -1
		if len(starts) > 1 {
			problem = fmt.Sprintf("%s.start() is called more than once; cannot tell where the plugin goes", recv)
			off = int(starts[1].StartByte())
		}
		return nil, f.refuse(off, problem, manual)
	}
	stmt := statementOf(starts[0])
	if stmt == nil || stmt.StartByte() < decl.EndByte() {
		return nil, f.refuse(int(starts[0].StartByte()), recv+".start() is not a statement after createBackend()", manual)
	}
	off := f.start(stmt)
	_, indent, _ := lineOf(src, off)
	line := fmt.Sprintf("%s.add(import(%s))%s", recv, f.quote(p.Package), semicolon(f.text(stmt)))
	return f.verify(splice(src, insertion{off, line + newline(src) + indent}))
}

// editLegacyApp adds the page import and a <Route> before </FlatRoutes>.
func editLegacyApp(name string, src []byte, p Plugin) ([]byte, error) {
	f, err := parseTS(name, src)
	if err != nil {
		return nil, err
	}
	defer f.close()
	manual := legacyLines(p)

	var flats []*sitter.Node
	walk(f.root, func(n *sitter.Node) bool {
		if n.Type() == "jsx_element" && f.jsxName(n) == "FlatRoutes" {
			flats = append(flats, n)
		}
		return true
	})
	switch {
	case len(flats) == 0 && f.importsFrom("createApp", frontendDefaults):
		return nil, f.refuse(-1, "App.tsx uses the new frontend system (createApp from "+frontendDefaults+"), not the legacy one; wire it without legacy", nil)
	case len(flats) == 0:
		return nil, f.refuse(-1, "no <FlatRoutes>...</FlatRoutes> element; expected the legacy app's `const routes = (<FlatRoutes> ... </FlatRoutes>);`", manual)
	case len(flats) > 1:
		return nil, f.refuse(int(f.start(flats[1])), "more than one <FlatRoutes> element; cannot tell which gets the route", manual)
	}
	flat := flats[0]

	local := f.namedImport(p.Package, p.Export)
	elem := local
	if elem == "" {
		elem = p.Export
	}
	routed := false
	path := "/" + p.ID
	for _, r := range f.jsxChildren(flat) {
		if f.jsxName(r) != "Route" {
			continue
		}
		rPath, rElem := f.routeAttrs(r)
		switch {
		case rElem == elem:
			routed = true
		case rPath == path:
			return nil, f.refuse(int(f.start(r)), fmt.Sprintf("the route %s already shows <%s />", path, rElem), manual)
		}
	}
	names := f.topLevelNames()
	var ins []insertion
	if local == "" {
		if where, taken := names[p.Export]; taken {
			if routed {
				return src, nil // wired by hand through another binding
			}
			return nil, f.refuse(-1, fmt.Sprintf("%s is already %s", p.Export, where), manual)
		}
		ins = append(ins, f.importInsertion(fmt.Sprintf("import { %s } from %s", p.Export, f.quote(p.Package))))
	}
	if !routed {
		if _, ok := names["Route"]; !ok {
			return nil, f.refuse(int(f.start(flat)), "Route is not imported (expected `import { Route } from 'react-router-dom';`)", manual)
		}
		ins = append(ins, f.routeInsertion(flat, routeLine(p.ID, elem)))
	}
	if len(ins) == 0 {
		return src, nil
	}
	return f.verify(splice(src, ins...))
}

// editFeaturesApp adds `import <export> from '<pkg>';` and appends the
// binding to createApp's features array.
func editFeaturesApp(name string, src []byte, p Plugin) ([]byte, error) {
	f, err := parseTS(name, src)
	if err != nil {
		return nil, err
	}
	defer f.close()
	manual := featureLines(p)
	if err := f.notLegacy(); err != nil {
		return nil, err
	}
	var calls []*sitter.Node
	walk(f.root, func(n *sitter.Node) bool {
		if n.Type() == "call_expression" && f.calls(n, "createApp") {
			calls = append(calls, n)
		}
		return true
	})
	switch {
	case len(calls) == 0:
		return nil, f.refuse(-1, "no createApp({ features: [...] }) call; expected `export default createApp({ features: [...] });` as create-app writes it", manual)
	case len(calls) > 1:
		return nil, f.refuse(int(calls[1].StartByte()), "createApp() is called more than once; cannot tell which app gets the plugin", manual)
	}
	arr := f.featuresArray(calls[0])
	if arr == nil {
		return nil, f.refuse(int(calls[0].StartByte()), "createApp(...) has no `features: [...]` array in its options object", manual)
	}
	local := f.defaultImport(p.Package)
	if local == "" {
		local = f.namedImport(p.Package, p.Export)
	}
	elem := local
	if elem == "" {
		elem = p.Export
	}
	listed := false
	for _, e := range namedChildren(arr) {
		if e.Type() == "identifier" && f.text(e) == elem {
			listed = true
		}
	}
	var ins []insertion
	if local == "" {
		if where, taken := f.topLevelNames()[p.Export]; taken {
			if listed {
				return src, nil // wired by hand through another binding
			}
			return nil, f.refuse(-1, fmt.Sprintf("%s is already %s", p.Export, where), manual)
		}
		ins = append(ins, f.importInsertion(fmt.Sprintf("import %s from %s", p.Export, f.quote(p.Package))))
	}
	if !listed {
		ins = append(ins, f.arrayInsertion(arr, elem)...)
	}
	if len(ins) == 0 {
		return src, nil
	}
	return f.verify(splice(src, ins...))
}

// checkNotLegacy refuses a legacy App.tsx when the caller asked for the new
// frontend system, where discovery alone would leave the plugin unmounted.
func checkNotLegacy(name string, src []byte) error {
	f, err := parseTS(name, src)
	if err != nil {
		return err
	}
	defer f.close()
	return f.notLegacy()
}

const (
	appDefaults      = "@backstage/app-defaults"
	frontendDefaults = "@backstage/frontend-defaults"
)

// notLegacy goes by where createApp comes from, not by <FlatRoutes>: an app
// migrated with convertLegacyAppRoot keeps its FlatRoutes but discovers.
func (f *tsFile) notLegacy() error {
	if f.importsFrom("createApp", appDefaults) {
		return f.refuse(-1, "App.tsx is a legacy frontend system app (createApp from "+appDefaults+"); wire it with legacy", nil)
	}
	return nil
}

// verify re-parses the edited text and requires no syntax error tree-sitter
// did not already report in the original (its grammar may lag the language,
// so old errors are tolerated), and that esbuild, which is current, accepts
// it. A failure here is a bug in the edit, so nothing may be written.
func (f *tsFile) verify(out []byte) ([]byte, error) {
	g, err := parseTS(f.name, out)
	if err != nil {
		return nil, err
	}
	defer g.close()
	before, after := syntaxErrors(f.root), syntaxErrors(g.root)
	if len(after) > len(before) {
		line, col := position(out, int(after[0].StartByte()))
		return nil, fmt.Errorf("wire: %s:%d:%d: the edit would not parse (please report this; nothing was written)", f.name, line, col)
	}
	loader := api.LoaderTS
	if strings.HasSuffix(f.name, ".tsx") {
		loader = api.LoaderTSX
	}
	res := api.Transform(string(out), api.TransformOptions{Loader: loader, Sourcefile: f.name, LogLevel: api.LogLevelSilent})
	if len(res.Errors) > 0 {
		m := res.Errors[0]
		where := f.name
		if m.Location != nil {
			where = fmt.Sprintf("%s:%d:%d", f.name, m.Location.Line, m.Location.Column+1)
		}
		return nil, fmt.Errorf("wire: %s: esbuild rejects the edited file: %s (nothing was written)", where, m.Text)
	}
	return out, nil
}

// syntaxErrors lists ERROR and MISSING nodes; MISSING ones can be anonymous
// tokens, so every child is visited.
func syntaxErrors(n *sitter.Node) []*sitter.Node {
	var out []*sitter.Node
	var rec func(*sitter.Node)
	rec = func(n *sitter.Node) {
		if n.IsError() || n.IsMissing() {
			out = append(out, n)
		}
		if !n.HasError() {
			return
		}
		for i := 0; i < int(n.ChildCount()); i++ {
			rec(n.Child(i))
		}
	}
	rec(n)
	return out
}

// importInsertion puts stmt on a new line after the last import, or before
// the first statement when there is none.
func (f *tsFile) importInsertion(stmt string) insertion {
	nl := newline(f.src)
	var last *sitter.Node
	for _, n := range namedChildren(f.root) {
		if n.Type() == "import_statement" {
			last = n
		}
	}
	if last == nil {
		if c := namedChildren(f.root); len(c) > 0 {
			start, _, _ := lineOf(f.src, f.start(c[0]))
			return insertion{start, stmt + ";" + nl}
		}
		return insertion{0, stmt + ";" + nl}
	}
	return insertion{f.lineEnd(f.root, int(last.EndByte())), nl + stmt + semicolon(f.text(last))}
}

// routeInsertion puts route on its own line before </FlatRoutes>, indented
// like the last sibling element.
func (f *tsFile) routeInsertion(flat *sitter.Node, route string) insertion {
	closeTag := flat.ChildByFieldName("close_tag")
	lt := f.start(closeTag)
	_, closeIndent, first := lineOf(f.src, lt)
	if !first {
		return insertion{lt, route}
	}
	indent := closeIndent + "  "
	if strings.Contains(closeIndent, "\t") {
		indent = closeIndent + "\t"
	}
	if kids := f.jsxChildren(flat); len(kids) > 0 {
		if _, ind, ok := lineOf(f.src, f.start(kids[len(kids)-1])); ok {
			indent = ind
		}
	}
	lineStart, _, _ := lineOf(f.src, lt)
	return insertion{lineStart, indent + route + newline(f.src)}
}

// arrayInsertion appends elem to arr the way its elements are laid out: on
// a new line (keeping a trailing comma if there is one) or inline.
func (f *tsFile) arrayInsertion(arr *sitter.Node, elem string) []insertion {
	elems := namedChildren(arr)
	if len(elems) == 0 {
		return []insertion{{int(arr.StartByte()) + 1, elem}}
	}
	last := elems[len(elems)-1]
	comma := -1 // offset just after a trailing comma
	for c := last.NextSibling(); c != nil; c = c.NextSibling() {
		if c.Type() == "," {
			comma = int(c.EndByte())
		}
		if c.Type() != "comment" {
			break
		}
	}
	closing := int(arr.EndByte()) - 1
	multiline := strings.Contains(string(f.src[arr.StartByte():elems[0].StartByte()]), "\n")
	eol := f.lineEnd(arr, int(last.EndByte()))
	if multiline && eol < closing {
		_, indent, _ := lineOf(f.src, f.start(last))
		nl := newline(f.src)
		if comma >= 0 {
			return []insertion{{eol, nl + indent + elem + ","}}
		}
		return []insertion{{int(last.EndByte()), ","}, {eol, nl + indent + elem}}
	}
	if comma >= 0 {
		return []insertion{{comma, " " + elem + ","}}
	}
	return []insertion{{int(last.EndByte()), ", " + elem}}
}

// IsLegacyApp reports whether the app at appDir uses the legacy frontend
// system (createApp imported from @backstage/app-defaults in App.tsx). An
// app without App.tsx is not legacy.
func IsLegacyApp(appDir string) (bool, error) {
	src, err := os.ReadFile(appPath(appDir, appTSX))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	f, err := parseTS(appTSX, src)
	if err != nil {
		return false, err
	}
	defer f.close()
	return f.importsFrom("createApp", appDefaults), nil
}
