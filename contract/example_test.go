package contract_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/bigband-dev/bigband/contract"
	"github.com/bigband-dev/bigband/wit"
)

// A guest's world is checked by interface name and function types; its
// package does not matter.
func ExampleCheckWorld() {
	const src = `package component:my-plugin;

interface backstage-backend-plugin {
  record my-route { method: string, path: string }
  get-routes: func() -> list<my-route>;
}

world plugin { export backstage-backend-plugin; }
`
	path, _ := filepath.Abs("/example/plugin.wit")
	r, pkg, err := wit.Load(path, wit.LoadOptions{Overlays: map[string][]byte{path: []byte(src)}})
	if err != nil {
		panic(err)
	}
	w, _ := r.Packages[pkg].World("plugin")
	kind, ok, problems := contract.CheckWorld(r, w)
	fmt.Println(kind, ok)
	for _, p := range problems {
		pos := r.Files.Position(p.Span.Start)
		fmt.Printf("%d:%d: %s\n", pos.Line, pos.Column, p.Message)
	}
	// Output:
	// backend false
	// 5:3: `get-routes` returns `list<my-route>`, the contract needs `result<list<route>, string>`
	// 8:7: export wasi:http/incoming-handler: missing (the backend contract needs it, at any 0.2.x version)
}

func BenchmarkCheckWorld(b *testing.B) {
	r, pkg, err := wit.Load("../guest/wit/backstage", wit.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	w, _ := r.Packages[pkg].World("backend-plugin")
	for b.Loop() {
		if _, ok, _ := contract.CheckWorld(r, w); !ok {
			b.Fatal("example backend does not satisfy the contract")
		}
	}
}
