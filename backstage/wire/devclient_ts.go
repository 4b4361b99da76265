//go:build cgo

package wire

import (
	"strings"

	sitter "github.com/smacker/go-tree-sitter"
)

// devClientStatements are the top-level statements of index.tsx that load
// the dev client module: the line DevClient adds, or any other static or
// dynamic import of it (written by hand).
func (f *tsFile) devClientStatements() []*sitter.Node {
	var out []*sitter.Node
	seen := map[*sitter.Node]bool{}
	add := func(n *sitter.Node) {
		if s := statementOf(n); s != nil && s.Parent() != nil && s.Parent().Type() == "program" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	walk(f.root, func(n *sitter.Node) bool {
		switch n.Type() {
		case "import_statement":
			if s, ok := f.stringValue(n.ChildByFieldName("source")); ok && isDevClientSpecifier(s) {
				add(n)
			}
			return false
		case "call_expression":
			if fn := n.ChildByFieldName("function"); fn != nil && fn.Type() == "import" {
				if s, ok := f.stringValue(firstArg(n)); ok && isDevClientSpecifier(s) {
					add(n)
				}
			}
		}
		return true
	})
	return out
}

func isDevClientSpecifier(s string) bool {
	return s == devClientSpecifier || s == devClientSpecifier+".ts"
}

// addDevClientImport puts devClientLine after the last import of index.tsx,
// unless something there imports the module already.
func addDevClientImport(name string, src []byte) ([]byte, error) {
	f, err := parseTS(name, src)
	if err != nil {
		return nil, err
	}
	defer f.close()
	if len(f.devClientStatements()) > 0 {
		return src, nil
	}
	stmt := strings.TrimSuffix(devClientLine, ";")
	if q := f.quote(devClientSpecifier); q[0] == '"' {
		stmt = strings.ReplaceAll(stmt, "'", `"`)
	}
	return f.verify(splice(src, f.importInsertion(stmt)))
}

// removeDevClientImport deletes the lines of every top-level statement
// that imports the dev client module. A statement sharing a line with other
// code is refused rather than cut out of it.
func removeDevClientImport(name string, src []byte) ([]byte, error) {
	f, err := parseTS(name, src)
	if err != nil {
		return nil, err
	}
	defer f.close()
	stmts := f.devClientStatements()
	if len(stmts) == 0 {
		return src, nil
	}
	out := append([]byte(nil), src...)
	// Last first, so earlier offsets stay valid.
	for i := len(stmts) - 1; i >= 0; i-- {
		s := stmts[i]
		start, _, first := lineOf(out, int(s.StartByte()))
		end := int(s.EndByte())
		for end < len(out) && (out[end] == ' ' || out[end] == '\t' || out[end] == '\r') {
			end++
		}
		if !first || (end < len(out) && out[end] != '\n') {
			return nil, f.refuse(int(s.StartByte()), "the import of "+devClientSpecifier+" shares its line with other code; remove it by hand", nil)
		}
		switch {
		case end < len(out):
			end++ // the line break
		case start > 0:
			// The last line, with no break of its own: the break before it goes.
			start--
			if start > 0 && out[start-1] == '\r' {
				start--
			}
		}
		out = append(out[:start], out[end:]...)
	}
	return f.verify(out)
}
