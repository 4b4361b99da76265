package component

import (
	"fmt"
	"strings"

	"github.com/bigband-dev/bigband/wit"
	"github.com/bigband-dev/bigband/wit/syntax"
)

// InterfaceName is a parsed `namespace:package/interface@version`.
type InterfaceName struct {
	Namespace string
	Package   string
	Interface string
	Version   *wit.Version // nil when unversioned
}

// ParseInterfaceName parses an interface name such as
// `wasi:io/streams@0.2.0`. It fails on plain names (`hello`,
// `[method]r.f`) and malformed ones.
func ParseInterfaceName(s string) (InterfaceName, error) {
	var n InterfaceName
	rest := s
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		v, err := syntax.ParseSemver(rest[i+1:])
		if err != nil {
			return n, fmt.Errorf("interface name %q: %v", s, err)
		}
		n.Version = &v
		rest = rest[:i]
	}
	ns, rest, ok := strings.Cut(rest, ":")
	if !ok {
		return n, fmt.Errorf("%q is not an interface name (want namespace:package/interface)", s)
	}
	pkg, iface, ok := strings.Cut(rest, "/")
	if !ok || strings.Contains(iface, "/") || strings.Contains(pkg, ":") {
		return n, fmt.Errorf("%q is not an interface name (want namespace:package/interface)", s)
	}
	for _, part := range []string{ns, pkg, iface} {
		if !isKebab(part) {
			return n, fmt.Errorf("interface name %q: %q is not a kebab-case label", s, part)
		}
	}
	n.Namespace, n.Package, n.Interface = ns, pkg, iface
	return n, nil
}

// PackageName is the name of the package the interface belongs to.
func (n InterfaceName) PackageName() wit.PackageName {
	return wit.PackageName{Namespace: n.Namespace, Name: n.Package, Version: n.Version}
}

func (n InterfaceName) String() string { return n.PackageName().InterfaceID(n.Interface) }

// isKebab checks a kebab-case label: words of letters and digits, each
// starting with a letter, all lower or all upper case, joined by '-'.
func isKebab(s string) bool {
	if s == "" {
		return false
	}
	for _, w := range strings.Split(s, "-") {
		if w == "" || !(w[0] >= 'a' && w[0] <= 'z' || w[0] >= 'A' && w[0] <= 'Z') {
			return false
		}
		lower, upper := false, false
		for _, c := range []byte(w) {
			switch {
			case c >= 'a' && c <= 'z':
				lower = true
			case c >= 'A' && c <= 'Z':
				upper = true
			case c >= '0' && c <= '9':
			default:
				return false
			}
		}
		if lower && upper {
			return false
		}
	}
	return true
}

// funcNameKind classifies a function name: `[constructor]r`,
// `[method]r.f`, `[static]r.f`, or a plain name. resource is r.
func funcNameKind(name string) (kind wit.FunctionKind, resource string) {
	switch {
	case strings.HasPrefix(name, "[constructor]"):
		return wit.Constructor, strings.TrimPrefix(name, "[constructor]")
	case strings.HasPrefix(name, "[method]"):
		r, _, _ := strings.Cut(strings.TrimPrefix(name, "[method]"), ".")
		return wit.Method, r
	case strings.HasPrefix(name, "[static]"):
		r, _, _ := strings.Cut(strings.TrimPrefix(name, "[static]"), ".")
		return wit.Static, r
	case strings.HasPrefix(name, "[async method]"):
		r, _, _ := strings.Cut(strings.TrimPrefix(name, "[async method]"), ".")
		return wit.AsyncMethod, r
	case strings.HasPrefix(name, "[async static]"):
		r, _, _ := strings.Cut(strings.TrimPrefix(name, "[async static]"), ".")
		return wit.AsyncStatic, r
	}
	return wit.Freestanding, ""
}
