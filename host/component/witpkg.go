package component

import (
	"errors"
	"fmt"

	"github.com/bigband-dev/bigband/wit"
)

// world registers the world that an exported component type describes
// (named `ns:pkg/world`) into pkg.
func (b *worldBuilder) world(pkg *wit.Package, name string, ct *ComponentType) (wit.WorldID, error) {
	n, err := ParseInterfaceName(name)
	if err != nil {
		return 0, fmt.Errorf("world name: %w", err)
	}
	wid := wit.WorldID(len(b.dst.Worlds))
	b.dst.Worlds = append(b.dst.Worlds, &wit.World{Name: n.Interface})
	for _, e := range ct.Imports {
		if err := b.worldImport(wid, pkg, e.Name, e.Desc); err != nil {
			return 0, fmt.Errorf("world %s: %w", name, err)
		}
	}
	for _, e := range ct.Exports {
		if err := b.worldExport(wid, pkg, e.Name, e.Desc); err != nil {
			return 0, fmt.Errorf("world %s: %w", name, err)
		}
	}
	pkg.Worlds = append(pkg.Worlds, wit.NamedWorld{Name: n.Interface, ID: wid})
	return wid, nil
}

// packageTypes returns the component types a WIT package encoded as wasm
// exports, or an error when c is not such a package.
func packageTypes(c *Component) ([]Extern, error) {
	if len(c.Imports) > 0 || len(c.Exports) == 0 {
		return nil, errors.New("not a WIT package: it must export component types and import nothing")
	}
	var out []Extern
	for _, e := range c.Exports {
		if e.Desc.Sort != SortType || e.Desc.Type.Kind != TypeComponent {
			return nil, fmt.Errorf("not a WIT package: export %q is a %s, not a component type", e.Name.Name, e.Desc.Sort)
		}
		out = append(out, Extern{Name: e.Name, Desc: e.Desc})
	}
	return out, nil
}

// DecodeWITPackage decodes a WIT package encoded as a component (what
// `wasm-tools component wit --wasm` writes), after wit-parser's decoding.rs.
// The package is the last one of the Resolve; its dependencies, only as far
// as it uses them, come before it.
func DecodeWITPackage(b []byte) (*wit.Resolve, wit.PackageID, error) {
	c, err := Decode(b)
	if err != nil {
		return nil, 0, err
	}
	exports, err := packageTypes(c)
	if err != nil {
		return nil, 0, err
	}
	wb := newWorldBuilder(c.Resolve)
	pkg := &wit.Package{}
	first := exports[0].Name.Name
	if n, err := ParseInterfaceName(first); err == nil && n.Interface == "wit" {
		// Version 1: one export `ns:pkg/wit` whose imports are the
		// dependencies and whose exports the interfaces and worlds.
		if len(exports) != 1 {
			return nil, 0, errors.New("WIT package (v1 encoding): more than one exported component type")
		}
		pkg.Name = n.PackageName()
		ct := exports[0].Desc.Type.Component
		for _, imp := range ct.Imports {
			if imp.Desc.Sort != SortInstance {
				return nil, 0, fmt.Errorf("WIT package: import %q is not an instance", imp.Name.Name)
			}
			if _, err := wb.importInterface(imp.Name.Name, imp.Desc.Instance); err != nil {
				return nil, 0, fmt.Errorf("WIT package: import %q: %w", imp.Name.Name, err)
			}
		}
		for _, e := range ct.Exports {
			switch e.Desc.Sort {
			case SortInstance:
				_, _, err = wb.localInterface(pkg, e.Name.Name, e.Desc.Instance)
			case SortComponent:
				_, err = wb.world(pkg, e.Name.Name, e.Desc.Component)
			default:
				err = fmt.Errorf("export is a %s, not an instance or component", e.Desc.Sort)
			}
			if err != nil {
				return nil, 0, fmt.Errorf("WIT package: export %q: %w", e.Name.Name, err)
			}
		}
		return wb.dst, wb.finish(pkg), nil
	}
	// Version 2: one exported component type per interface or world, each
	// exporting that one item under its full name.
	for i, e := range exports {
		ct := e.Desc.Type.Component
		if len(ct.Exports) != 1 {
			return nil, 0, fmt.Errorf("WIT package: export %q: want a single export, found %d", e.Name.Name, len(ct.Exports))
		}
		item := ct.Exports[0]
		n, err := ParseInterfaceName(item.Name.Name)
		if err != nil {
			return nil, 0, fmt.Errorf("WIT package: export %q: %w", e.Name.Name, err)
		}
		if i == 0 {
			pkg.Name = n.PackageName()
		} else if n.PackageName().String() != pkg.Name.String() {
			return nil, 0, fmt.Errorf("WIT package: %s belongs to package %s, not %s", item.Name.Name, n.PackageName(), pkg.Name)
		}
		switch item.Desc.Sort {
		case SortComponent:
			_, err = wb.world(pkg, item.Name.Name, item.Desc.Component)
		case SortInstance:
			for _, imp := range ct.Imports {
				if imp.Desc.Sort != SortInstance {
					err = fmt.Errorf("import %q is not an instance", imp.Name.Name)
					break
				}
				if _, err = wb.importInterface(imp.Name.Name, imp.Desc.Instance); err != nil {
					break
				}
			}
			if err == nil {
				_, _, err = wb.localInterface(pkg, item.Name.Name, item.Desc.Instance)
			}
		default:
			err = fmt.Errorf("exports a %s, not an instance or component", item.Desc.Sort)
		}
		if err != nil {
			return nil, 0, fmt.Errorf("WIT package: %s: %w", item.Name.Name, err)
		}
	}
	return wb.dst, wb.finish(pkg), nil
}

// World returns the world described by the module's `component-type*`
// custom sections. Several sections are merged into the first one's world
// (imports and exports deduplicated by name); none is an error.
func (m *CoreModule) World() (*wit.Resolve, wit.WorldID, error) {
	if len(m.ComponentTypes) == 0 {
		return nil, 0, errors.New("core module has no component-type custom section")
	}
	// The sections were decoded into one Resolve (see decodeCore), so one
	// builder sees them all and shares interfaces between them.
	wb := newWorldBuilder(m.ComponentTypes[0].Resolve)
	var pkg *wit.Package
	var main wit.WorldID
	for i, c := range m.ComponentTypes {
		exports, err := packageTypes(c)
		if err == nil && len(exports) != 1 {
			err = errors.New("want one exported component type")
		}
		if err != nil {
			return nil, 0, fmt.Errorf("component-type section %d: %w", i, err)
		}
		ct := exports[0].Desc.Type.Component
		if len(ct.Imports) != 0 || len(ct.Exports) != 1 || ct.Exports[0].Desc.Sort != SortComponent {
			return nil, 0, fmt.Errorf("component-type section %d: the exported type must export exactly one component (the world)", i)
		}
		w := ct.Exports[0]
		n, err := ParseInterfaceName(w.Name.Name)
		if err != nil {
			return nil, 0, fmt.Errorf("component-type section %d: world name: %w", i, err)
		}
		if pkg == nil {
			pkg = &wit.Package{Name: n.PackageName()}
		}
		if i == 0 {
			if main, err = wb.world(pkg, w.Name.Name, w.Desc.Component); err != nil {
				return nil, 0, fmt.Errorf("component-type section %d: %w", i, err)
			}
			continue
		}
		// Later sections add to the first world what it lacks.
		for _, e := range w.Desc.Component.Imports {
			if err := wb.worldImport(main, pkg, e.Name, e.Desc); err != nil {
				return nil, 0, fmt.Errorf("component-type section %d: %w", i, err)
			}
		}
		for _, e := range w.Desc.Component.Exports {
			if err := wb.worldExport(main, pkg, e.Name, e.Desc); err != nil {
				return nil, 0, fmt.Errorf("component-type section %d: %w", i, err)
			}
		}
	}
	if len(m.ComponentTypes) > 1 {
		w := wb.dst.Worlds[main]
		w.Imports, w.Exports = dedupItems(w.Imports), dedupItems(w.Exports)
	}
	wb.finish(pkg)
	return wb.dst, main, nil
}

// dedupItems keeps the first item of each key.
func dedupItems(items []*wit.WorldItem) []*wit.WorldItem {
	seen := map[wit.WorldKey]bool{}
	out := items[:0]
	for _, it := range items {
		if !seen[it.Key] {
			seen[it.Key] = true
			out = append(out, it)
		}
	}
	return out
}
