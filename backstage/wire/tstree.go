//go:build cgo

package wire

import (
	"context"
	"fmt"
	"strings"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/typescript/tsx"
	"github.com/smacker/go-tree-sitter/typescript/typescript"
)

// Reading the tree-sitter tree: parsing, walking, and the facts the edits
// ask about (imports, bindings, JSX names, string literals).

type tsFile struct {
	name string
	src  []byte
	tree *sitter.Tree
	root *sitter.Node
}

func language(name string) *sitter.Language {
	if strings.HasSuffix(name, ".tsx") {
		return tsx.GetLanguage()
	}
	return typescript.GetLanguage()
}

func parseTS(name string, src []byte) (*tsFile, error) {
	p := sitter.NewParser()
	defer p.Close()
	p.SetLanguage(language(name))
	tree, err := p.ParseCtx(context.Background(), nil, src)
	if err != nil {
		return nil, fmt.Errorf("wire: parsing %s: %w", name, err)
	}
	return &tsFile{name: name, src: src, tree: tree, root: tree.RootNode()}, nil
}

func (f *tsFile) close() { f.tree.Close() }

func (f *tsFile) refuse(off int, problem string, manual []string) *ShapeError {
	e := &ShapeError{File: f.name, Problem: problem, Manual: manual}
	if off >= 0 {
		e.Line, e.Col = position(f.src, off)
	}
	return e
}

// walk visits named nodes depth-first; fn returns false to skip children.
func walk(n *sitter.Node, fn func(*sitter.Node) bool) {
	if !fn(n) {
		return
	}
	for i := 0; i < int(n.NamedChildCount()); i++ {
		walk(n.NamedChild(i), fn)
	}
}

// namedChildren skips comments, which are named nodes too.
func namedChildren(n *sitter.Node) []*sitter.Node {
	var out []*sitter.Node
	for i := 0; i < int(n.NamedChildCount()); i++ {
		if c := n.NamedChild(i); c.Type() != "comment" {
			out = append(out, c)
		}
	}
	return out
}

func (f *tsFile) text(n *sitter.Node) string { return n.Content(f.src) }

// start is n's first non-blank byte: JSX nodes in this grammar begin with
// the whitespace before them.
func (f *tsFile) start(n *sitter.Node) int {
	off := int(n.StartByte())
	for off < int(n.EndByte()) && strings.IndexByte(" \t\r\n", f.src[off]) >= 0 {
		off++
	}
	return off
}

// calls reports whether call n calls the plain identifier fn.
func (f *tsFile) calls(n *sitter.Node, fn string) bool {
	c := n.ChildByFieldName("function")
	return c != nil && c.Type() == "identifier" && f.text(c) == fn
}

// method returns the property name when call n is recv.<name>(...).
func (f *tsFile) method(n *sitter.Node, recv string) string {
	fn := n.ChildByFieldName("function")
	if fn == nil || fn.Type() != "member_expression" {
		return ""
	}
	obj, prop := fn.ChildByFieldName("object"), fn.ChildByFieldName("property")
	if obj == nil || prop == nil || obj.Type() != "identifier" || f.text(obj) != recv {
		return ""
	}
	return f.text(prop)
}

func firstArg(call *sitter.Node) *sitter.Node {
	if call == nil {
		return nil
	}
	if args := call.ChildByFieldName("arguments"); args != nil {
		if c := namedChildren(args); len(c) > 0 {
			return c[0]
		}
	}
	return nil
}

// stringValue is the value of a string literal or of a template literal
// without substitutions; literals with escapes are not compared.
func (f *tsFile) stringValue(n *sitter.Node) (string, bool) {
	if n == nil || (n.Type() != "string" && n.Type() != "template_string") {
		return "", false
	}
	var b strings.Builder
	for _, c := range namedChildren(n) {
		if c.Type() != "string_fragment" {
			return "", false
		}
		b.WriteString(f.text(c))
	}
	return b.String(), true
}

// statementOf climbs from n to the statement that holds it in a program or
// block, the place a new statement can go before.
func statementOf(n *sitter.Node) *sitter.Node {
	for p := n.Parent(); p != nil; n, p = p, p.Parent() {
		if t := p.Type(); t == "program" || t == "statement_block" {
			return n
		}
	}
	return nil
}

type tsImport struct {
	node   *sitter.Node
	source string
	def    string            // default binding
	named  map[string]string // imported name -> local name
	ns     string
	types  bool // import type { ... }
}

func (f *tsFile) imports() []tsImport {
	var out []tsImport
	for _, n := range namedChildren(f.root) {
		if n.Type() != "import_statement" {
			continue
		}
		im := tsImport{node: n, named: map[string]string{}}
		im.source, _ = f.stringValue(n.ChildByFieldName("source"))
		for i := 0; i < int(n.ChildCount()); i++ {
			c := n.Child(i)
			switch c.Type() {
			case "type":
				im.types = true
			case "import_clause":
				for _, cc := range namedChildren(c) {
					switch cc.Type() {
					case "identifier":
						im.def = f.text(cc)
					case "namespace_import":
						if id := namedChildren(cc); len(id) > 0 {
							im.ns = f.text(id[0])
						}
					case "named_imports":
						for _, s := range namedChildren(cc) {
							name := s.ChildByFieldName("name")
							if s.Type() != "import_specifier" || name == nil {
								continue
							}
							local := name
							if a := s.ChildByFieldName("alias"); a != nil {
								local = a
							}
							im.named[f.text(name)] = f.text(local)
						}
					}
				}
			}
		}
		out = append(out, im)
	}
	return out
}

// valueBindings are the local names a non-type import of pkg binds.
func (f *tsFile) valueBindings(pkg string) map[string]bool {
	out := map[string]bool{}
	for _, im := range f.imports() {
		if im.source != pkg || im.types {
			continue
		}
		for _, l := range im.named {
			out[l] = true
		}
		if im.def != "" {
			out[im.def] = true
		}
	}
	return out
}

func (f *tsFile) namedImport(pkg, name string) string {
	for _, im := range f.imports() {
		if im.source == pkg && !im.types && im.named[name] != "" {
			return im.named[name]
		}
	}
	return ""
}

func (f *tsFile) defaultImport(pkg string) string {
	for _, im := range f.imports() {
		if im.source == pkg && !im.types && im.def != "" {
			return im.def
		}
	}
	return ""
}

func (f *tsFile) importsFrom(name, pkg string) bool {
	for _, im := range f.imports() {
		if im.source == pkg && im.named[name] != "" {
			return true
		}
	}
	return false
}

// topLevelNames maps the names bound at the top of the module to where they
// come from, to refuse an import that would clash.
func (f *tsFile) topLevelNames() map[string]string {
	out := map[string]string{}
	for _, im := range f.imports() {
		from := fmt.Sprintf("imported from '%s'", im.source)
		for _, l := range im.named {
			out[l] = from
		}
		for _, l := range []string{im.def, im.ns} {
			if l != "" {
				out[l] = from
			}
		}
	}
	for _, n := range namedChildren(f.root) {
		if n.Type() == "export_statement" {
			if d := n.ChildByFieldName("declaration"); d != nil {
				n = d
			}
		}
		line, _ := position(f.src, int(n.StartByte()))
		at := fmt.Sprintf("declared on line %d", line)
		switch n.Type() {
		case "lexical_declaration", "variable_declaration":
			for _, d := range namedChildren(n) {
				if name := d.ChildByFieldName("name"); name != nil && name.Type() == "identifier" {
					out[f.text(name)] = at
				}
			}
		case "function_declaration", "class_declaration", "enum_declaration":
			if name := n.ChildByFieldName("name"); name != nil {
				out[f.text(name)] = at
			}
		}
	}
	return out
}

// quote renders pkg as a string literal in the quotes the file's imports
// use (create-app's prettier config uses single quotes).
func (f *tsFile) quote(pkg string) string {
	q := "'"
	if im := f.imports(); len(im) > 0 {
		if s := im[0].node.ChildByFieldName("source"); s != nil && f.src[s.StartByte()] == '"' {
			q = `"`
		}
	}
	return q + pkg + q
}

// semicolon follows the style of a neighbouring statement.
func semicolon(stmt string) string {
	if strings.HasSuffix(strings.TrimSpace(stmt), ";") {
		return ";"
	}
	return ""
}

// lineEnd is the end of the line holding off (before its line break),
// moved past any comment among parent's children that the line break is in.
func (f *tsFile) lineEnd(parent *sitter.Node, off int) int {
	for {
		end := off
		for end < len(f.src) && f.src[end] != '\n' {
			end++
		}
		if end > off && f.src[end-1] == '\r' {
			end--
		}
		moved := false
		for i := 0; i < int(parent.NamedChildCount()); i++ {
			c := parent.NamedChild(i)
			if c.Type() == "comment" && int(c.StartByte()) < end && int(c.EndByte()) > end {
				off, moved = int(c.EndByte()), true
			}
		}
		if !moved {
			return end
		}
	}
}

func (f *tsFile) jsxName(n *sitter.Node) string {
	if n.Type() == "jsx_element" {
		n = n.ChildByFieldName("open_tag")
	}
	if n == nil {
		return ""
	}
	if name := n.ChildByFieldName("name"); name != nil {
		return f.text(name)
	}
	return ""
}

// jsxChildren are the element children of a jsx_element, without its tags.
func (f *tsFile) jsxChildren(el *sitter.Node) []*sitter.Node {
	var out []*sitter.Node
	for _, c := range namedChildren(el) {
		if t := c.Type(); t == "jsx_element" || t == "jsx_self_closing_element" {
			out = append(out, c)
		}
	}
	return out
}

// routeAttrs returns a <Route>'s path string and the name of the element
// its element attribute renders.
func (f *tsFile) routeAttrs(r *sitter.Node) (path, elem string) {
	tag := r
	if r.Type() == "jsx_element" {
		tag = r.ChildByFieldName("open_tag")
	}
	for _, a := range namedChildren(tag) {
		if a.Type() != "jsx_attribute" {
			continue
		}
		parts := namedChildren(a)
		if len(parts) != 2 {
			continue
		}
		val := parts[1]
		if val.Type() == "jsx_expression" {
			if v := namedChildren(val); len(v) == 1 {
				val = v[0]
			}
		}
		switch f.text(parts[0]) {
		case "path":
			path, _ = f.stringValue(val)
		case "element":
			if t := val.Type(); t == "jsx_element" || t == "jsx_self_closing_element" {
				elem = f.jsxName(val)
			}
		}
	}
	return path, elem
}

// featuresArray finds `features: [...]` in createApp's options object.
func (f *tsFile) featuresArray(call *sitter.Node) *sitter.Node {
	opts := firstArg(call)
	if opts == nil || opts.Type() != "object" {
		return nil
	}
	for _, pair := range namedChildren(opts) {
		key, val := pair.ChildByFieldName("key"), pair.ChildByFieldName("value")
		if pair.Type() != "pair" || key == nil || val == nil || val.Type() != "array" {
			continue
		}
		if k, ok := f.stringValue(key); (ok && k == "features") || f.text(key) == "features" {
			return val
		}
	}
	return nil
}
