package host

import (
	"fmt"
	"strings"

	"github.com/bigband-dev/bigband/host/component"

	"github.com/tetratelabs/wazero/api"
)

// reexport describes a tiny core module that imports items from other
// module instances and exports them under new names. wazero links imports
// to whole module instances, so a core instance assembled from parts
// (`(core instance (export "fd_write" (func 3)) (export "memory" ...))`)
// needs a real module with those exports; tables, memories and globals
// can't come from Go, so it has to be wasm.
type reexport struct {
	sources []api.Module // import module "m<i>" resolves to sources[i]
	items   []reexportItem
}

type reexportItem struct {
	export          string
	source          int    // index in sources
	name            string // export name in the source
	kind            byte   // 0 func, 1 table, 2 memory, 3 global
	params, results []api.ValueType
	global          api.ValueType
	mutable         bool
}

// add imports an item of src (found under name) and exports it as export.
func (re *reexport) add(export string, src api.Module, name string, kind byte) error {
	si := -1
	for i, m := range re.sources {
		if m == src {
			si = i
		}
	}
	if si < 0 {
		re.sources = append(re.sources, src)
		si = len(re.sources) - 1
	}
	it := reexportItem{export: export, source: si, name: name, kind: kind}
	switch kind {
	case 0:
		fn := src.ExportedFunction(name)
		if fn == nil {
			return fmt.Errorf("no exported function %q", name)
		}
		def := fn.Definition()
		it.params, it.results = def.ParamTypes(), def.ResultTypes()
	case 2:
		if src.ExportedMemory(name) == nil {
			return fmt.Errorf("no exported memory %q", name)
		}
	case 3:
		g := src.ExportedGlobal(name)
		if g == nil {
			return fmt.Errorf("no exported global %q", name)
		}
		it.global = g.Type()
		_, it.mutable = g.(api.MutableGlobal)
	}
	re.items = append(re.items, it)
	return nil
}

// key identifies the module's shape so compiled copies can be reused.
func (re *reexport) key() string {
	var b strings.Builder
	for _, it := range re.items {
		fmt.Fprintf(&b, "%d/%s/%s/%d/%v/%v/%v/%v;", it.source, it.export, it.name, it.kind, it.params, it.results, it.global, it.mutable)
	}
	return b.String()
}

// encode writes the module: types, imports, exports.
func (re *reexport) encode() []byte {
	out := []byte("\x00asm\x01\x00\x00\x00")
	var types [][]byte
	typeIndex := map[string]uint32{}
	var imports []byte
	counts := [4]uint32{}
	var exports []byte
	nImports := 0
	for _, it := range re.items {
		nImports++
		imports = component.AppendName(imports, fmt.Sprintf("m%d", it.source))
		imports = component.AppendName(imports, it.name)
		imports = append(imports, it.kind)
		switch it.kind {
		case 0:
			sig := append([]byte{0x60}, component.AppendU32(nil, uint32(len(it.params)))...)
			sig = append(sig, it.params...)
			sig = append(sig, component.AppendU32(nil, uint32(len(it.results)))...)
			sig = append(sig, it.results...)
			ti, ok := typeIndex[string(sig)]
			if !ok {
				ti = uint32(len(types))
				typeIndex[string(sig)] = ti
				types = append(types, sig)
			}
			imports = append(imports, component.AppendU32(nil, ti)...)
		case 1:
			imports = append(imports, 0x70, 0x00, 0x00) // funcref, min 0, no max: matches any funcref table
		case 2:
			imports = append(imports, 0x00, 0x00) // min 0, no max: matches any memory
		case 3:
			mut := byte(0)
			if it.mutable {
				mut = 1
			}
			imports = append(imports, it.global, mut)
		}
		exports = component.AppendName(exports, it.export)
		exports = append(exports, it.kind)
		exports = append(exports, component.AppendU32(nil, counts[it.kind])...)
		counts[it.kind]++
	}
	var typeSec []byte
	typeSec = append(typeSec, component.AppendU32(nil, uint32(len(types)))...)
	for _, t := range types {
		typeSec = append(typeSec, t...)
	}
	out = appendSection(out, 1, typeSec)
	out = appendSection(out, 2, append(component.AppendU32(nil, uint32(nImports)), imports...))
	out = appendSection(out, 7, append(component.AppendU32(nil, uint32(len(re.items))), exports...))
	return out
}

func appendSection(b []byte, id byte, body []byte) []byte {
	b = append(b, id)
	b = append(b, component.AppendU32(nil, uint32(len(body)))...)
	return append(b, body...)
}
