package host_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/bigband-dev/bigband/contract"
	"github.com/bigband-dev/bigband/host"
	"github.com/bigband-dev/bigband/wit"
)

// repoFile reads a file relative to the repository root.
func repoFile(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", rel))
	if err != nil {
		t.Fatalf("%s: %v (rebuild fixtures with `task fixtures`)", rel, err)
	}
	return b
}

// frontendWorld is the contract's frontend world, used to type core modules
// that carry no component-type section.
func frontendWorld(t testing.TB) (*wit.Resolve, wit.WorldID) {
	t.Helper()
	r, pkg, err := contract.Contract()
	if err != nil {
		t.Fatal(err)
	}
	w, ok := r.Packages[pkg].World("frontend-plugin")
	if !ok {
		t.Fatal("contract has no frontend-plugin world")
	}
	return r, w
}

func newRuntime(t testing.TB, cfg host.Config) *host.Runtime {
	t.Helper()
	ctx := context.Background()
	rt, err := host.NewRuntime(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close(ctx) })
	return rt
}

// normalise replaces large file contents with {"sha256", "length"} the way
// fixtures/guests/frontend-expected.json records them.
func normalise(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "contents" && len(s) > 64<<10 {
				sum := sha256.Sum256([]byte(s))
				x[k] = map[string]any{"sha256": hex.EncodeToString(sum[:]), "length": json.Number(itoa(len(s)))}
				continue
			}
			x[k] = normalise(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalise(e)
		}
	}
	return v
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// checkFrontend calls both frontend exports and compares them with the
// golden data every frontend fixture returns.
func checkFrontend(t *testing.T, p *host.Program) {
	t.Helper()
	want, ok := decodeJSON(t, repoFile(t, "fixtures/guests/frontend-expected.json")).(map[string]any)
	if !ok {
		t.Fatal("fixtures/guests/frontend-expected.json is not an object")
	}
	ctx := context.Background()
	inst, err := p.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	for name, w := range want {
		e, err := p.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		v, err := inst.CallExport(ctx, e)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := callJSON(t, p, e, v)
		if !reflect.DeepEqual(normalise(got), w) {
			gb, _ := json.MarshalIndent(got, "", " ")
			t.Errorf("%s:\n got %s", name, gb)
		}
	}
}

// callJSON renders a result the way `bigband-dev call` prints it and
// decodes it again for comparison.
func callJSON(t *testing.T, p *host.Program, e *host.Export, v any) any {
	t.Helper()
	j, err := p.ResultJSON(e, v)
	if err != nil {
		t.Fatal(err)
	}
	return decodeJSON(t, j)
}

func TestGoCoreModuleFrontend(t *testing.T) {
	r, w := frontendWorld(t)
	rt := newRuntime(t, host.Config{})
	p, err := rt.Load(context.Background(), repoFile(t, "fixtures/guests/go/frontend/frontend.core.wasm"),
		host.LoadOptions{Name: "frontend.core.wasm", Fallback: r, FallbackWorld: w})
	if err != nil {
		t.Fatal(err)
	}
	checkFrontend(t, p)
}

// testCache keeps compiled guests between test runs: the 12 MB JS engine
// takes seconds to compile, milliseconds to load from the cache.
var testCache = filepath.Join(os.TempDir(), "bigband-dev-test-cache")

func loadGuest(t *testing.T, rel string) *host.Program {
	t.Helper()
	rt := newRuntime(t, host.Config{CacheDir: testCache})
	p, err := rt.Load(context.Background(), repoFile(t, rel), host.LoadOptions{Name: filepath.Base(rel)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCCoreModuleWithComponentType(t *testing.T) {
	checkFrontend(t, loadGuest(t, "fixtures/guests/c/frontend/frontend.wasm"))
}

func TestGoComponentFrontend(t *testing.T) {
	checkFrontend(t, loadGuest(t, "fixtures/guests/go/frontend/frontend.component.wasm"))
}

func TestJSComponentFrontend(t *testing.T) {
	checkFrontend(t, loadGuest(t, "fixtures/guests/js/frontend/frontend.wasm"))
}
