package wit

import (
	"github.com/bigband-dev/bigband/wit/syntax"
)

// An unresolvedPackage is one package lowered from its AST with references to
// other packages left as placeholders: the first interfaces and worlds of its
// arenas stand for foreign items and the first types (KindUnknown) for types
// used from them. pushPackage swaps placeholders for the real items.
type unresolvedPackage struct {
	name     PackageName
	nameSpan syntax.Span
	docs     Docs

	types      []*TypeDef
	interfaces []*Interface
	worlds     []*World

	// failed marks a package with errors (its own or its files'
	// syntax): it is kept for navigation but never pushed.
	failed bool

	foreignDeps       []*foreignPackage
	unknownTypeSpans  []syntax.Span
	requiredResources []requiredResource
}

type requiredResource struct {
	id   TypeID
	span syntax.Span
}

// foreignPackage lists what a package uses from another package.
type foreignPackage struct {
	name  PackageName
	span  syntax.Span // first mention
	items []*foreignItem
}

type foreignItem struct {
	name        string
	ref         itemRef
	stabilities []Stability
}

func (p *foreignPackage) item(name string) *foreignItem {
	for _, it := range p.items {
		if it.name == name {
			return it
		}
	}
	return nil
}

// itemRef is an interface or a world by local ID.
type itemRef struct {
	world bool
	id    int
}

// packageNameOf converts the syntax form of a package name.
func packageNameOf(n *syntax.PackageName) PackageName {
	pn := PackageName{Namespace: n.Namespace.Name, Name: n.Name.Name}
	if n.Version != nil {
		if v, err := syntax.ParseSemver(n.Version.Text); err == nil {
			pn.Version = &v
		}
	}
	return pn
}

// comparePackageNames orders names by namespace, name, then version (none
// first), the order wit-parser visits packages in.
func comparePackageNames(a, b PackageName) int {
	if a.Namespace != b.Namespace {
		if a.Namespace < b.Namespace {
			return -1
		}
		return 1
	}
	if a.Name != b.Name {
		if a.Name < b.Name {
			return -1
		}
		return 1
	}
	switch {
	case a.Version == nil && b.Version == nil:
		return 0
	case a.Version == nil:
		return -1
	case b.Version == nil:
		return 1
	}
	return a.Version.Compare(*b.Version)
}
