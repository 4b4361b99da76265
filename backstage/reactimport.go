//go:build cgo

package backstage

import (
	"bytes"
	"context"
	"path"
	"sort"

	sitter "github.com/smacker/go-tree-sitter"
	"github.com/smacker/go-tree-sitter/typescript/tsx"
	"github.com/smacker/go-tree-sitter/typescript/typescript"
)

// Guests written for React 16 start their files with `import React from
// 'react'`, which the classic JSX transform needed. Backstage apps compile
// with the automatic runtime ("jsx": "react-jsx") and noUnusedLocals, so
// such an import that nothing else uses fails the app's `yarn tsc` with
// TS6133. dropUnusedReact removes it, working on a tree-sitter parse so
// that strings, comments, regular expressions and JSX text are never
// mistaken for code.

// reactImportsSupported reports whether this build can remove unused
// React imports (it needs cgo for tree-sitter).
const reactImportsSupported = true

// nonReferences are leaf node types whose text is not a reference to a
// binding even when it reads "React". Any other leaf with that text counts
// as a use: unknown syntax keeps the import.
var nonReferences = map[string]bool{
	"comment":             true,
	"string_fragment":     true,
	"escape_sequence":     true,
	"jsx_text":            true,
	"regex_pattern":       true,
	"regex_flags":         true,
	"property_identifier": true, // obj.React, { React: x }, <a React="">
	"hash_bang_line":      true,
	"html_comment":        true,
}

// dropUnusedReact returns src without its default and namespace imports
// of 'react' that nothing else in the file references (in code or in
// types), and whether it removed any. It leaves src alone when the file
// does not parse, when it asks for the classic runtime with an @jsx pragma,
// and for `import type`.
func dropUnusedReact(name string, src []byte) ([]byte, bool) {
	lang := tsx.GetLanguage()
	switch path.Ext(name) {
	case ".ts", ".mts", ".cts":
		// <T>x is a cast in .ts and JSX in .tsx.
		lang = typescript.GetLanguage()
	case ".tsx", ".js", ".jsx", ".mjs", ".cjs":
	default:
		return src, false
	}
	if !bytes.Contains(src, []byte("react")) {
		return src, false
	}
	f, ok := parseGuest(lang, src)
	if !ok {
		return src, false
	}
	defer f.tree.Close()

	type edit struct {
		start, end int
		repl       string
	}
	var edits []edit
	for _, imp := range f.reactImports() {
		if f.used(imp.binding) {
			continue
		}
		if imp.rest != nil {
			// import React, { useState } from 'react': keep the rest.
			edits = append(edits, edit{int(imp.binding.StartByte()), int(imp.rest.StartByte()), ""})
			continue
		}
		start, end := wholeLines(src, int(imp.stmt.StartByte()), int(imp.stmt.EndByte()))
		edits = append(edits, edit{start, end, ""})
	}
	if len(edits) == 0 {
		return src, false
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	out := append([]byte(nil), src...)
	for _, e := range edits {
		out = append(out[:e.start], append([]byte(e.repl), out[e.end:]...)...)
	}
	// The edit must leave a file that parses as well as before.
	g, ok := parseGuest(lang, out)
	if !ok {
		return src, false
	}
	g.tree.Close()
	return out, true
}

type guestFile struct {
	src  []byte
	tree *sitter.Tree
	root *sitter.Node
}

// parseGuest parses src; ok is false when the tree has errors or the file
// asks for the classic JSX runtime (an @jsx or @jsxRuntime pragma), where
// React must stay in scope.
func parseGuest(lang *sitter.Language, src []byte) (*guestFile, bool) {
	p := sitter.NewParser()
	defer p.Close()
	p.SetLanguage(lang)
	tree, err := p.ParseCtx(context.Background(), nil, src)
	if err != nil {
		return nil, false
	}
	f := &guestFile{src: src, tree: tree, root: tree.RootNode()}
	pragma := false
	walkAll(f.root, func(n *sitter.Node) bool {
		if n.Type() == "comment" && bytes.Contains(src[n.StartByte():n.EndByte()], []byte("@jsx")) {
			pragma = true
		}
		return !pragma
	})
	if f.root.HasError() || pragma {
		tree.Close()
		return nil, false
	}
	return f, true
}

// reactImport is a value import of 'react' with a default or namespace
// binding.
type reactImport struct {
	stmt    *sitter.Node
	binding *sitter.Node // the identifier React binds
	// rest is the clause's next part (named imports, or a namespace
	// import after a default one), nil when the binding is all there is.
	rest *sitter.Node
}

func (f *guestFile) reactImports() []reactImport {
	var out []reactImport
	for i := 0; i < int(f.root.NamedChildCount()); i++ {
		stmt := f.root.NamedChild(i)
		if stmt.Type() != "import_statement" || !f.fromReact(stmt) {
			continue
		}
		var clause *sitter.Node
		typeOnly := false
		for j := 0; j < int(stmt.ChildCount()); j++ {
			switch c := stmt.Child(j); c.Type() {
			case "type", "typeof":
				typeOnly = true
			case "import_clause":
				clause = c
			}
		}
		if clause == nil || typeOnly {
			continue
		}
		var parts []*sitter.Node
		for j := 0; j < int(clause.NamedChildCount()); j++ {
			if c := clause.NamedChild(j); c.Type() != "comment" {
				parts = append(parts, c)
			}
		}
		if len(parts) == 0 {
			continue
		}
		imp := reactImport{stmt: stmt}
		switch first := parts[0]; first.Type() {
		case "identifier":
			imp.binding = first
			if len(parts) > 1 {
				imp.rest = parts[1]
			}
		case "namespace_import":
			if len(parts) != 1 {
				continue
			}
			for j := 0; j < int(first.NamedChildCount()); j++ {
				if c := first.NamedChild(j); c.Type() == "identifier" {
					imp.binding = c
				}
			}
		}
		if imp.binding != nil {
			out = append(out, imp)
		}
	}
	return out
}

// fromReact reports whether an import statement's source is 'react'.
func (f *guestFile) fromReact(stmt *sitter.Node) bool {
	s := stmt.ChildByFieldName("source")
	if s == nil || s.Type() != "string" {
		return false
	}
	text := s.Content(f.src)
	return len(text) == len("'react'") && text[1:len(text)-1] == "react"
}

// used reports whether any leaf other than binding itself may refer to the
// name binding declares. Shadowing is not resolved: a local of the same
// name counts as a use, which keeps the import.
func (f *guestFile) used(binding *sitter.Node) bool {
	name := binding.Content(f.src)
	found := false
	walkAll(f.root, func(n *sitter.Node) bool {
		if found {
			return false
		}
		if n.ChildCount() > 0 {
			return true
		}
		if n.IsNamed() && !nonReferences[n.Type()] && n.StartByte() != binding.StartByte() && n.Content(f.src) == name {
			found = true
		}
		return false
	})
	return found
}

func walkAll(n *sitter.Node, fn func(*sitter.Node) bool) {
	if !fn(n) {
		return
	}
	for i := 0; i < int(n.ChildCount()); i++ {
		walkAll(n.Child(i), fn)
	}
}

// wholeLines widens the statement at [start, end) to the lines it fills,
// so removing it leaves no blank line behind; when it shares a line with
// other code or a comment, only the statement and the blanks after it go.
// A blank line that would then follow the start of the file or another
// blank line goes too.
func wholeLines(src []byte, start, end int) (int, int) {
	for end < len(src) && (src[end] == ' ' || src[end] == '\t') {
		end++
	}
	ls := start
	for ls > 0 && (src[ls-1] == ' ' || src[ls-1] == '\t') {
		ls--
	}
	if ls > 0 && src[ls-1] != '\n' {
		return start, end
	}
	switch {
	case end == len(src):
	case src[end] == '\n':
		end++
	case src[end] == '\r' && end+1 < len(src) && src[end+1] == '\n':
		end += 2
	default:
		return start, end
	}
	start = ls
	if start == 0 || start >= 2 && src[start-2] == '\n' || start >= 3 && string(src[start-3:start]) == "\n\r\n" {
		if n := blankLine(src, end); n > 0 {
			end += n
		}
	}
	return start, end
}

// blankLine returns the length of the empty line at off, or 0.
func blankLine(src []byte, off int) int {
	switch {
	case off < len(src) && src[off] == '\n':
		return 1
	case off+1 < len(src) && src[off] == '\r' && src[off+1] == '\n':
		return 2
	}
	return 0
}
