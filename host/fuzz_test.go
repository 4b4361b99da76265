package host_test

import (
	"context"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/host"
)

// FuzzLoad feeds mutated real guests through the whole load path (decode,
// compile, link, a trial instance) and calls every export that takes no
// arguments, so whatever a mutated guest hands back is lifted too. Any
// input may fail; none may panic, hang past the deadline or grow memory
// past the limit.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		"fixtures/guests/c/frontend/frontend.wasm",
		"fixtures/guests/c/backend/backend.wasm",
		"fixtures/guests/c/malicious/malicious.wasm",
		"fixtures/guests/abi-torture/c/compact.component.wasm",
		"fixtures/guests/abi-torture/c/utf16.core.wasm",
	} {
		f.Add(repoFile(f, seed))
	}
	res, world := frontendWorld(f)
	rt := newRuntime(f, host.Config{
		CacheDir:         "", // a cache would fill with every mutant
		CallTimeout:      2 * time.Second,
		MemoryLimitPages: 1024, // 64 MiB
	})
	f.Fuzz(func(t *testing.T, wasm []byte) {
		ctx := context.Background()
		prog, err := rt.Load(ctx, wasm, host.LoadOptions{Name: "fuzz.wasm", Fallback: res, FallbackWorld: world})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		defer prog.Close(ctx)
		inst, err := prog.Instantiate(ctx)
		if err != nil {
			return
		}
		defer inst.Close(ctx)
		for _, e := range prog.Exports() {
			if len(e.Func.Params) == 0 {
				inst.CallExport(ctx, e) //nolint:errcheck // any outcome but a panic or hang is fine
			}
		}
	})
}
