package host

import (
	"errors"
	"fmt"

	"github.com/bigband-dev/bigband/host/internal/wasmbudget"
)

// CompileBudget bounds what the host agrees to compile: wazero's compiler
// is superlinear in some shapes of code (deep or long chains of blocks,
// many branches to one label, huge br_tables), and allocates for counts a
// module merely declares. A field of 0 or less means no limit for it.
type CompileBudget = wasmbudget.Limits

// DefaultCompileBudget is the budget when Config.CompileBudget is nil: at
// least 4x what the largest real guests need (a 14 MB componentize-js
// module), well below where compiling takes minutes or gigabytes.
func DefaultCompileBudget() CompileBudget { return wasmbudget.DefaultLimits() }

// LimitError is a module over the compile budget: which limit (the
// CompileBudget field's name), the value, the maximum and where.
type LimitError = wasmbudget.LimitError

// checkBudget refuses a core module over the compile budget. Every core
// module the host compiles passes here before wazero sees its bytes.
func (r *Runtime) checkBudget(module []byte) error {
	budget := DefaultCompileBudget()
	if r.cfg.CompileBudget != nil {
		budget = *r.cfg.CompileBudget
	}
	err := wasmbudget.Check(module, budget)
	var le *LimitError
	if errors.As(err, &le) {
		return fmt.Errorf("%w: --compile-budget %s=N", err, BudgetKey(le.Limit))
	}
	return err
}

// BudgetKey spells a CompileBudget field as the command line does:
// BrTableTargets is br-table-targets.
func BudgetKey(field string) string {
	s := field
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			if i > 0 {
				b = append(b, '-')
			}
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}
