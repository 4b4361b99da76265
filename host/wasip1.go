package host

import (
	"strings"

	"github.com/tetratelabs/wazero/api"
)

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
