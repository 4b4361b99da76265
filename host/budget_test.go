package host_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/host"
	"github.com/bigband-dev/bigband/host/abi"
)

// The frontend fixtures return a 1,100,000-byte file: over a 1 MiB lift
// budget, the call traps and the instance is discarded, as after any trap.
func TestLiftBudgetTrapDiscardsInstance(t *testing.T) {
	const files = "backstage-frontend-plugin#get-component-files"
	for _, c := range []struct {
		guest string
		cfg   host.Config
		opts  host.CallOptions
		hint  string
	}{
		// A core module (C), budget set for one call.
		{"fixtures/guests/c/frontend/frontend.wasm", host.Config{}, host.CallOptions{Budget: abi.Budget{Bytes: 1 << 20}}, "host.CallOptions.Budget"},
		// A component (Go), budget set for the runtime, with its own hint.
		{"fixtures/guests/go/frontend/frontend.component.wasm", host.Config{CacheDir: testCache, LiftBudget: abi.Budget{Bytes: 1 << 20, Hint: "raise it with --lift-budget"}}, host.CallOptions{}, "--lift-budget"},
	} {
		t.Run(c.guest, func(t *testing.T) {
			ctx := context.Background()
			p, err := newRuntime(t, c.cfg).Load(ctx, repoFile(t, c.guest), host.LoadOptions{Name: "guest.wasm"})
			if err != nil {
				t.Fatal(err)
			}
			inst, err := p.Instantiate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer inst.Close(ctx)
			_, err = inst.CallWith(ctx, c.opts, files)
			if !errors.Is(err, abi.ErrBudgetExceeded) || !abi.IsTrap(err) {
				t.Fatalf("got %v, want the lift budget exceeded", err)
			}
			for _, want := range []string{"guest.wasm: ", "get-component-files: ", "lift budget of 1 MiB of bytes", "at result.ok[", "].contents", c.hint} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			t.Log(err)
			if _, err := inst.Call(ctx, "backstage-frontend-plugin#get-node-deps"); !errors.Is(err, host.ErrBroken) {
				t.Fatalf("after the budget trap: got %v, want ErrBroken", err)
			}
			// A fresh instance with a larger budget for this call lifts it.
			inst2, err := p.Instantiate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer inst2.Close(ctx)
			if _, err := inst2.CallWith(ctx, host.CallOptions{Budget: abi.Budget{Bytes: 2 << 20}}, files); err != nil {
				t.Fatalf("with a 2 MiB budget: %v", err)
			}
		})
	}
}
