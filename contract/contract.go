// Package contract holds the two contracts a bigband guest implements (see
// backstage.wit) and checks a world against them.
//
// A world satisfies a contract when it exports an interface with the
// contract interface's name, from any package at any version, whose
// functions have structurally equal types; the backend contract also needs
// wasi:http/incoming-handler at some 0.2.x version. Matching by name rather
// than by package is what lets guests written against their own copy of the
// WIT (for example `component:backstage-rust-plugin`) keep working.
package contract

import (
	_ "embed"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/bigband-dev/bigband/wit"
	"github.com/bigband-dev/bigband/wit/syntax"
)

// Source is the contract package as its authors read it.
//
//go:embed backstage.wit
var Source []byte

// wasiSource is the slice of WASI 0.2.0 the backend contract refers to.
//
//go:embed wasi.wit
var wasiSource []byte

// Kind names a contract.
type Kind int

const (
	Frontend Kind = iota
	Backend
)

// String returns "frontend" or "backend".
func (k Kind) String() string {
	switch k {
	case Frontend:
		return "frontend"
	case Backend:
		return "backend"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Interface is the name of the interface the contract's world must export.
func (k Kind) Interface() string { return "backstage-" + k.String() + "-plugin" }

// World is the name of the contract's world in backstage.wit.
func (k Kind) World() string { return k.String() + "-plugin" }

// Problem is one way a world falls short of a contract.
type Problem struct {
	Kind    Kind
	Message string
	// Span locates the offending item in the checked Resolve's files; it is
	// invalid when the item is missing altogether and the world has no span.
	Span syntax.Span
}

// Contract loads a fresh copy of the contracts: callers may keep or extend
// the Resolve without affecting anyone else. pkg is backstage:plugins.
func Contract() (r *wit.Resolve, pkg wit.PackageID, err error) {
	// Load reads one file when given a file, and deps/ cannot be overlaid, so
	// the WASI packages ride along as nested packages appended to the
	// contract file. They come after it, so spans in the contract part point
	// at the same lines as backstage.wit.
	path, err := filepath.Abs(filepath.Join(string(filepath.Separator), "bigband-contract", "backstage.wit"))
	if err != nil {
		return nil, 0, err
	}
	src := make([]byte, 0, len(Source)+1+len(wasiSource))
	src = append(append(append(src, Source...), '\n'), wasiSource...)
	r, pkg, err = wit.Load(path, wit.LoadOptions{Overlays: map[string][]byte{path: src}})
	if err != nil {
		return nil, 0, fmt.Errorf("contract: embedded WIT does not load: %w", err)
	}
	return r, pkg, nil
}

// loaded is the copy the checks compare against; it is never modified.
var loaded = sync.OnceValue(func() *resolved {
	r, pkg, err := Contract()
	if err != nil {
		panic(err) // the embedded source is fixed at build time; tests load it
	}
	return newResolved(r, pkg)
})
