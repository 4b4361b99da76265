//go:build !cgo

package wire

import (
	"bytes"
	"errors"
)

// Without cgo there is no tree-sitter parser, and editing TypeScript without
// one is what this package exists to avoid; the package.json edits and the
// discovery check still work, so a new-frontend-system plugin that discovery
// picks up can be wired.

const noCgo = "bigband-dev was built without cgo: wiring needs the tree-sitter TypeScript parser"

func editBackendIndex(name string, _ []byte, p Plugin) ([]byte, error) {
	return nil, &ShapeError{File: name, Problem: noCgo, Manual: backendLines("backend", p.Package)}
}

func editLegacyApp(name string, _ []byte, p Plugin) ([]byte, error) {
	return nil, &ShapeError{File: name, Problem: noCgo, Manual: legacyLines(p)}
}

func editFeaturesApp(name string, _ []byte, p Plugin) ([]byte, error) {
	return nil, &ShapeError{File: name, Problem: noCgo, Manual: featureLines(p)}
}

// checkNotLegacy cannot tell without a parser; discovery wiring goes ahead.
func checkNotLegacy(string, []byte) error { return nil }

// IsLegacyApp cannot tell without a parser: the caller must say.
func IsLegacyApp(string) (bool, error) {
	return false, errors.New(noCgo + ": pass the frontend system explicitly")
}

func addDevClientImport(name string, src []byte) ([]byte, error) {
	if bytes.Contains(src, []byte(devClientLine)) {
		return src, nil
	}
	return nil, &ShapeError{File: name, Problem: noCgo, Manual: []string{devClientLine}}
}

// removeDevClientImport removes exactly the line DevClient adds, which
// needs no parser.
func removeDevClientImport(name string, src []byte) ([]byte, error) {
	var out [][]byte
	for _, l := range bytes.SplitAfter(src, []byte("\n")) {
		if string(bytes.TrimSpace(l)) == devClientLine {
			continue
		}
		out = append(out, l)
	}
	res := bytes.Join(out, nil)
	if bytes.Contains(res, []byte("'"+devClientSpecifier+"'")) {
		return nil, &ShapeError{File: name, Problem: noCgo + ": it imports " + devClientSpecifier + " in a way only a parser could remove; remove it by hand"}
	}
	return res, nil
}
