package host

import (
	"context"

	"github.com/bigband-dev/bigband/host/abi"
)

// CallOptions adjusts one call into a guest.
type CallOptions struct {
	// Budget bounds what the call's result may take out of guest memory
	// (see abi.Budget); zero fields fall back to Config.LiftBudget, then to
	// abi.DefaultBudget. Set Hint to tell the user how to raise it.
	Budget abi.Budget
}

type callOptionsKey struct{}

// CallWith is Call with options for this call only.
func (i *Instance) CallWith(ctx context.Context, opts CallOptions, name string, args ...any) (any, error) {
	e, err := i.p.Lookup(name)
	if err != nil {
		return nil, err
	}
	return i.CallExportWith(ctx, e, opts, args...)
}

// CallExportWith is CallExport with options for this call only.
func (i *Instance) CallExportWith(ctx context.Context, e *Export, opts CallOptions, args ...any) (any, error) {
	return i.CallExport(context.WithValue(ctx, callOptionsKey{}, opts), e, args...)
}

// resultBudget is the budget for lifting an export's result: the call's
// options over the runtime's default.
func (r *Runtime) resultBudget(ctx context.Context) abi.Budget {
	opts, _ := ctx.Value(callOptionsKey{}).(CallOptions)
	return opts.Budget.Or(r.cfg.LiftBudget)
}
