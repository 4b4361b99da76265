package wasi

import "github.com/bigband-dev/bigband/host/abi"

// LiftBudget returns the budget for lifting the arguments of a call the
// guest makes to function fn of interface iface (its name without version,
// as Interface.Name), when the interface has limits of its own; ok is false
// when the runtime's default applies.
func LiftBudget(iface, fn string) (b abi.Budget, ok bool) {
	switch iface {
	case "wasi:http/types":
		// Every argument of these functions is a handle, a short string
		// (method, path, authority) or fields.
		return fieldsBudget, true
	}
	return abi.Budget{}, false
}
