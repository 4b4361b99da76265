package host_test

import (
	"context"
	"fmt"
	"os"

	"github.com/bigband-dev/bigband/host"
)

// Load a guest once, instantiate it, call an export with Go values and
// render the result the way `bigband-dev call` prints it.
func Example() {
	ctx := context.Background()
	rt, err := host.NewRuntime(ctx, host.Config{CacheDir: host.DefaultCacheDir()})
	if err != nil {
		panic(err)
	}
	defer rt.Close(ctx)

	wasm, err := os.ReadFile("../fixtures/guests/c/frontend/frontend.wasm")
	if err != nil {
		panic(err)
	}
	prog, err := rt.Load(ctx, wasm, host.LoadOptions{Name: "frontend.wasm"})
	if err != nil {
		panic(err)
	}
	inst, err := prog.Instantiate(ctx)
	if err != nil {
		panic(err)
	}
	defer inst.Close(ctx)

	exp, err := prog.Lookup("backstage-frontend-plugin#get-node-deps")
	if err != nil {
		panic(err)
	}
	deps, err := inst.CallExport(ctx, exp)
	if err != nil {
		panic(err)
	}
	out, _ := prog.ResultJSON(exp, deps)
	fmt.Println(exp.Name)
	fmt.Println(string(out))
	// Output:
	// backstage:plugins/backstage-frontend-plugin@0.1.0#get-node-deps
	// {"ok":[{"name":"@backstage/core-components","version":"^0.18.0","dev":false},{"name":"@backstage/core-plugin-api","version":null,"dev":false},{"name":"@types/react","version":"^18.0.0","dev":true}]}
}
