package contract_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/contract"
	"github.com/bigband-dev/bigband/host/abi"
	"github.com/tetratelabs/wazero"
)

// TestManifestBudgetFitsTheLimits lifts the largest manifest validation
// accepts, contents aside, and checks the budget leaves exactly room for
// MaxTotalBytes of contents (charged in code units, never more than the
// UTF-8 bytes Validate counts) plus a short error message: a valid
// manifest always lifts, and a guest can't make the host copy much more
// than a valid one.
func TestManifestBudgetFitsTheLimits(t *testing.T) {
	r, pkg, err := contract.Contract()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	wz := wazero.NewRuntime(ctx)
	defer wz.Close(ctx)
	// (module (memory (export "memory") 64)): 4 MiB.
	mod, err := wz.Instantiate(ctx, []byte("\x00asm\x01\x00\x00\x00\x05\x03\x01\x00\x40\x07\x0a\x01\x06memory\x02\x00"))
	if err != nil {
		t.Fatal(err)
	}
	next := uint32(16)
	types := abi.NewTypes(r)
	newCx := func() *abi.Cx {
		return &abi.Cx{Ctx: ctx, Types: types, Memory: mod.ExportedMemory("memory"), Handles: &abi.Handles{},
			Realloc: func(_ context.Context, _, _, align, size uint32) (uint32, error) {
				p := (next + align - 1) / align * align
				next = p + size
				return p, nil
			}}
	}
	long := strings.Repeat("x", contract.MaxPathBytes)
	name := strings.Repeat("n", 512) // what the budget allows a name, version or class name
	var files, deps, routes []any
	for range contract.MaxFiles {
		files = append(files, abi.Record{long, true, abi.Some(name), ""})
	}
	for range contract.MaxDeps {
		deps = append(deps, abi.Record{name, abi.Some(name), false})
	}
	for range contract.MaxRoutes {
		routes = append(routes, abi.Record{"OPTIONS", long})
	}
	for _, c := range []struct {
		iface, fn string
		value     []any
		content   int64 // room the budget must leave beyond the records
	}{
		{"backstage-frontend-plugin", "get-component-files", files, contract.MaxTotalBytes},
		{"backstage-frontend-plugin", "get-node-deps", deps, 0},
		{"backstage-backend-plugin", "get-routes", routes, 0},
	} {
		iid, _ := r.Packages[pkg].Interface(c.iface)
		fn, err := types.Func(r.Interfaces[iid].Function(c.fn))
		if err != nil {
			t.Fatal(err)
		}
		next = 64
		const retptr = 8
		if _, err := fn.LowerResult(newCx(), abi.Ok(c.value), []uint64{retptr}); err != nil {
			t.Fatalf("%s: %v", c.fn, err)
		}
		cx := newCx()
		cx.Budget = contract.ManifestBudget(c.fn)
		if _, err := fn.LiftResult(cx, []uint64{retptr}); err != nil {
			t.Fatalf("%s: the largest valid manifest does not lift: %v", c.fn, err)
		}
		used, budget := cx.Used(), cx.Budget
		room := budget.Bytes - used.Bytes - c.content
		if room < 0 || room > 64<<10 {
			t.Errorf("%s: budget %d bytes, the records take %d and the contents %d: %d left, want 0 to 64 KiB", c.fn, budget.Bytes, used.Bytes, c.content, room)
		}
		if extra := budget.Elements - used.Elements; extra < 0 || extra > 16 {
			t.Errorf("%s: budget %d elements, the manifest takes %d", c.fn, budget.Elements, used.Elements)
		}
	}
}
