package contract

import (
	"fmt"
	"strings"

	"github.com/bigband-dev/bigband/wit"
	"github.com/bigband-dev/bigband/wit/syntax"
)

// resolved is the loaded contract with the interfaces the checks need.
type resolved struct {
	r       *wit.Resolve
	ifaces  [2]*wit.Interface // by Kind
	handler *wit.Interface    // wasi:http/incoming-handler@0.2.0
}

func newResolved(r *wit.Resolve, pkg wit.PackageID) *resolved {
	c := &resolved{r: r}
	for _, k := range []Kind{Frontend, Backend} {
		id, _ := r.Packages[pkg].Interface(k.Interface())
		c.ifaces[k] = r.Interfaces[id]
	}
	id, _ := r.Packages[r.PackageNames["wasi:http@0.2.0"]].Interface("incoming-handler")
	c.handler = r.Interfaces[id]
	return c
}

// CheckWorld reports which contract world w of r satisfies. When it
// satisfies neither, the problems are those of the contract it is closest
// to: the one whose interface it exports (wasi:http/incoming-handler counts
// for the backend), or both when that says nothing. A world satisfying both
// is reported as Frontend; use Check to ask about one contract.
func CheckWorld(r *wit.Resolve, w wit.WorldID) (Kind, bool, []Problem) {
	front := Check(r, w, Frontend)
	if len(front) == 0 {
		return Frontend, true, nil
	}
	back := Check(r, w, Backend)
	if len(back) == 0 {
		return Backend, true, nil
	}
	world := r.Worlds[w]
	fe := len(exportsNamed(r, world, Frontend.Interface())) > 0
	be := len(exportsNamed(r, world, Backend.Interface())) > 0 || len(handlerExports(r, world)) > 0
	switch {
	case fe && !be:
		return Frontend, false, front
	case be && !fe:
		return Backend, false, back
	}
	return Frontend, false, append(front, back...)
}

// Check reports how world w of r falls short of contract k; none means w
// satisfies it.
func Check(r *wit.Resolve, w wit.WorldID, k Kind) []Problem {
	c := loaded()
	world := r.Worlds[w]
	var ps []Problem
	add := func(span syntax.Span, format string, args ...any) {
		ps = append(ps, Problem{Kind: k, Message: fmt.Sprintf(format, args...), Span: span})
	}

	name := k.Interface()
	if items := exportsNamed(r, world, name); len(items) == 0 {
		add(world.Span, "export %s: missing (the %s contract needs it%s)", name, k, missingHint(r, world, c.ifaces[k], name))
	} else {
		// Any matching export will do; when none does, the first one's
		// problems are the ones worth fixing.
		var first []Problem
		for i, it := range items {
			got := checkInterface(r, it, r.Interfaces[it.Interface], name, c.r, c.ifaces[k], k)
			if len(got) == 0 {
				first = nil
				break
			}
			if i == 0 {
				first = got
			}
		}
		ps = append(ps, first...)
	}

	if k == Backend {
		ps = append(ps, checkHandler(r, world, c)...)
	}
	return ps
}

// checkHandler finds a wasi:http/incoming-handler 0.2.x export and checks
// its `handle`. Minor versions of 0.2 only add items, so `handle` has the
// same type in all of them; 0.3 is a different, async, interface.
func checkHandler(r *wit.Resolve, world *wit.World, c *resolved) []Problem {
	items := handlerExports(r, world)
	if len(items) == 0 {
		return []Problem{{Kind: Backend, Span: world.Span,
			Message: "export wasi:http/incoming-handler: missing (the backend contract needs it, at any 0.2.x version)"}}
	}
	var ps []Problem
	for _, it := range items {
		iface := r.Interfaces[it.Interface]
		pn := r.Packages[*iface.Package].Name
		label := pn.InterfaceID(*iface.Name)
		switch v := pn.Version; {
		case v == nil:
			ps = append(ps, Problem{Kind: Backend, Span: it.Span,
				Message: label + ": unversioned, the backend contract needs 0.2.x"})
		case v.Major != 0 || v.Minor != 2 || v.Pre != "":
			ps = append(ps, Problem{Kind: Backend, Span: it.Span,
				Message: fmt.Sprintf("%s: version %s is not 0.2.x", label, v)})
		default:
			return checkInterface(r, it, iface, label, c.r, c.handler, Backend)
		}
	}
	return ps
}

// checkInterface compares the functions of an exported interface with the
// contract's; the guest's extra functions are fine.
func checkInterface(g *wit.Resolve, it *wit.WorldItem, gi *wit.Interface, label string, cr *wit.Resolve, ci *wit.Interface, k Kind) []Problem {
	var ps []Problem
	for _, cf := range ci.Functions {
		gf := gi.Function(cf.Name)
		if gf == nil {
			ps = append(ps, Problem{Kind: k, Span: it.Span,
				Message: fmt.Sprintf("export %s#%s: missing (the %s contract needs it)", label, cf.Name, k)})
			continue
		}
		for _, d := range checkFunc(g, gf, cr, cf) {
			ps = append(ps, Problem{Kind: k, Message: d.msg, Span: d.span})
		}
	}
	return ps
}

// exportsNamed lists the interface exports of world called name: a named
// interface from any package at any version, or an inline interface
// exported under that plain name (`export name: interface { ... }`), which
// reaches the host under the same instance name.
func exportsNamed(r *wit.Resolve, world *wit.World, name string) []*wit.WorldItem {
	return itemsNamed(r, world.Exports, name)
}

func itemsNamed(r *wit.Resolve, items []*wit.WorldItem, name string) []*wit.WorldItem {
	var out []*wit.WorldItem
	for _, it := range items {
		if it.Kind != wit.WorldInterface {
			continue
		}
		iface := r.Interfaces[it.Interface]
		switch {
		case iface.Name != nil && *iface.Name == name,
			iface.Name == nil && !it.Key.IsInterface && it.Key.Name == name:
			out = append(out, it)
		}
	}
	return out
}

// handlerExports lists the world's exports of wasi:http/incoming-handler,
// any version.
func handlerExports(r *wit.Resolve, world *wit.World) []*wit.WorldItem {
	var out []*wit.WorldItem
	for _, it := range itemsNamed(r, world.Exports, "incoming-handler") {
		iface := r.Interfaces[it.Interface]
		if iface.Package == nil {
			continue
		}
		if pn := r.Packages[*iface.Package].Name; pn.Namespace == "wasi" && pn.Name == "http" {
			out = append(out, it)
		}
	}
	return out
}

// missingHint explains the two near misses worth pointing out: the
// interface imported instead of exported, and the contract's functions
// exported at the world level, outside any interface.
func missingHint(r *wit.Resolve, world *wit.World, ci *wit.Interface, name string) string {
	if len(itemsNamed(r, world.Imports, name)) > 0 {
		return "; the world imports it, export it instead"
	}
	var loose []string
	for _, it := range world.Exports {
		if it.Kind == wit.WorldFunction && ci.Function(it.Function.Name) != nil {
			loose = append(loose, "`"+it.Function.Name+"`")
		}
	}
	if len(loose) > 0 {
		return fmt.Sprintf("; %s exported outside any interface, move them into an interface named %s",
			strings.Join(loose, ", "), name)
	}
	return ""
}
