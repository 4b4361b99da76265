package host

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// checkP1Imports compares every WASI preview 1 function a core module
// imports with the signature of wazero's implementation. Instantiation
// would refuse a mismatch too, but as "signature mismatch: i32i32_i32 !=
// i32i32i32i32_i32" and only for the first one; this names each function
// and both signatures. Call it after ensureWASIP1.
func (r *Runtime) checkP1Imports(mod wazero.CompiledModule) error {
	p1 := r.wz.Module(wasiP1)
	if p1 == nil {
		return fmt.Errorf("%s host module is not instantiated", wasiP1)
	}
	defs := p1.ExportedFunctionDefinitions()
	var problems []string
	for _, imp := range mod.ImportedFunctions() {
		m, n, _ := imp.Import()
		if m != wasiP1 {
			continue // loadCore refuses these
		}
		d, ok := defs[n]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("import %s.%s: not a WASI preview 1 function", m, n))
		case !slices.Equal(imp.ParamTypes(), d.ParamTypes()) || !slices.Equal(imp.ResultTypes(), d.ResultTypes()):
			problems = append(problems, fmt.Sprintf("import %s.%s: core signature %s, WASI preview 1 declares %s",
				m, n, coreSig(imp), coreSig(d)))
		}
	}
	switch len(problems) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("%s (declare it as WASI preview 1 does)", problems[0])
	}
	return fmt.Errorf("%d WASI preview 1 imports differ from WASI preview 1 (declare them as it does):\n  %s",
		len(problems), strings.Join(problems, "\n  "))
}

// coreSig spells a core signature as `(i32, i32) -> i32`.
func coreSig(d api.FunctionDefinition) string {
	names := func(ts []api.ValueType) string {
		s := make([]string, len(ts))
		for i, t := range ts {
			s[i] = api.ValueTypeName(t)
		}
		return strings.Join(s, ", ")
	}
	return "(" + names(d.ParamTypes()) + ") -> (" + names(d.ResultTypes()) + ")"
}
