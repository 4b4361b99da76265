package guest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/contract"
	"github.com/bigband-dev/bigband/host"
)

// buildDir holds the guests built in this test run.
var buildDir string

func TestMain(m *testing.M) {
	var err error
	if buildDir, err = os.MkdirTemp("", "bigband-guest-test-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(buildDir)
	os.Exit(code)
}

var (
	buildMu sync.Mutex
	built   = map[string][]byte{}
)

// goBuild builds the package in dir (relative to dir's module root, run
// from there) for wasip1, once per test run.
func goBuild(t *testing.T, root, pkg string) []byte {
	t.Helper()
	if testing.Short() {
		t.Skip("builds guests with the Go toolchain (seconds each); skipped with -short")
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	key := root + "|" + pkg
	if b, ok := built[key]; ok {
		return b
	}
	out := filepath.Join(buildDir, fmt.Sprintf("guest%d.wasm", len(built)))
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0", "GOTOOLCHAIN=local", "GOFLAGS=-trimpath -buildvcs=false")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	built[key] = b
	return b
}

// repoGuest builds a package of this repository.
func repoGuest(t *testing.T, pkg string) []byte { return goBuild(t, "..", pkg) }

func newRuntime(t *testing.T) *host.Runtime {
	t.Helper()
	ctx := context.Background()
	// Compiled code is cached in this run's build directory (the same
	// guest loads several times), never in the user's cache.
	rt, err := host.NewRuntime(ctx, host.Config{CacheDir: filepath.Join(buildDir, "code"), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close(ctx) })
	return rt
}

// load types a guest by the contracts, as `bigband-dev check` does, and
// checks it is of kind want.
func load(t *testing.T, rt *host.Runtime, wasm []byte, want contract.Kind) *host.Program {
	t.Helper()
	p, err := contract.LoadGuest(context.Background(), rt, wasm, "guest.wasm")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close(context.Background()) })
	k, err := contract.KindOf(p)
	if err != nil {
		t.Fatal(err)
	}
	if k != want {
		t.Fatalf("kind %s, want %s", k, want)
	}
	return p
}

// loadAs types a guest by contract k's world alone (httpguest exports
// both contracts).
func loadAs(t *testing.T, rt *host.Runtime, wasm []byte, k contract.Kind) *host.Program {
	t.Helper()
	r, pkg, err := contract.Contract()
	if err != nil {
		t.Fatal(err)
	}
	w, _ := r.Packages[pkg].World(k.World())
	p, err := rt.Load(context.Background(), wasm, host.LoadOptions{Name: "guest.wasm", Fallback: r, FallbackWorld: w})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close(context.Background()) })
	if probs := contract.CheckProgram(p, k); len(probs) > 0 {
		t.Fatalf("not a %s: %q", k, probs)
	}
	return p
}

// callJSON calls an export and renders its result as `bigband-dev call`
// prints it.
func callJSON(t *testing.T, p *host.Program, name string) any {
	t.Helper()
	e, err := p.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	j, err := p.CallJSON(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(j, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// shrink replaces contents over 64 KiB with {"sha256", "length"}, the
// convention of frontend-expected.json.
func shrink(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "contents" && len(s) > 64<<10 {
				sum := sha256.Sum256([]byte(s))
				x[k] = map[string]any{"sha256": hex.EncodeToString(sum[:]), "length": float64(len(s))}
			} else {
				x[k] = shrink(e)
			}
		}
	case []any:
		for i := range x {
			x[i] = shrink(x[i])
		}
	}
	return v
}

// byPath sorts a list of component files by path (FilesFrom lists in path
// order; the golden file in the fixture's order).
func byPath(v any) any {
	if m, ok := v.(map[string]any); ok {
		if l, ok := m["ok"].([]any); ok {
			path := func(i int) string { s, _ := l[i].(map[string]any)["path"].(string); return s }
			sort.SliceStable(l, func(i, j int) bool { return path(i) < path(j) })
		}
	}
	return v
}

// The library's frontend exports, through the real host, return value for
// value what the fixtures' golden file says: strings with 2-, 3- and 4-byte
// UTF-8, a 1.1 MB string, options none and some, bools, lists of records,
// result ok; and result err with a non-ASCII message.
func TestFrontendValues(t *testing.T) {
	rt := newRuntime(t)
	b, err := os.ReadFile("../fixtures/guests/frontend-expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	p := load(t, rt, repoGuest(t, "./guest/testdata/frontguest"), contract.Frontend)
	for _, name := range []string{"backstage-frontend-plugin#get-node-deps", "backstage-frontend-plugin#get-component-files"} {
		got := byPath(shrink(callJSON(t, p, name)))
		if w := byPath(want[name]); !reflect.DeepEqual(got, w) {
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(w)
			t.Errorf("%s:\n got %s\nwant %s", name, gj, wj)
		}
	}

	// httpguest's frontend functions fail.
	ep := loadAs(t, rt, repoGuest(t, "./guest/testdata/httpguest"), contract.Frontend)
	for name, want := range map[string]string{
		"backstage-frontend-plugin#get-node-deps":       "no deps: Grüße 🚀",
		"backstage-frontend-plugin#get-component-files": "component files from .: open .: file does not exist",
	} {
		if got := callJSON(t, ep, name); !reflect.DeepEqual(got, map[string]any{"err": want}) {
			t.Errorf("%s = %v, want err %q", name, got, want)
		}
	}
}

// Routes come back as registered: a list of records of strings.
func TestBackendRoutes(t *testing.T) {
	rt := newRuntime(t)
	for _, tt := range []struct {
		pkg  string
		want string
	}{
		{"./examples/go/backend", `{"ok":[{"method":"GET","path":"/items"},{"method":"GET","path":"/items/{id}"},{"method":"POST","path":"/echo"}]}`},
		{"./guest/testdata/httpguest", `{"ok":[{"method":"POST","path":"/echo"},{"method":"GET","path":"/headers"},{"method":"GET","path":"/status/{code}"},` +
			`{"method":"GET","path":"/big/{n}"},{"method":"GET","path":"/panic"},{"method":"GET","path":"/items/{id}"},{"method":"PUT","path":"/method"}]}`},
	} {
		p := loadAs(t, rt, repoGuest(t, tt.pkg), contract.Backend)
		var want any
		json.Unmarshal([]byte(tt.want), &want)
		if got := callJSON(t, p, "backstage-backend-plugin#get-routes"); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: get-routes = %v, want %v", tt.pkg, got, want)
		}
	}
}

// WriteModule's copy is a module of its own that a project outside this
// repository builds a working plugin with (the example backend's source,
// unchanged), with the Go toolchain alone.
func TestWriteModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a guest with the Go toolchain; skipped with -short")
	}
	proj := t.TempDir()
	if err := guestWriteModule(filepath.Join(proj, "bigband")); err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(proj, "bigband", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mod), "module github.com/bigband-dev/bigband\n") || strings.Contains(string(mod), "require") {
		t.Errorf("go.mod of the copy:\n%s", mod)
	}
	filepath.WalkDir(filepath.Join(proj, "bigband"), func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, "_test.go") {
			t.Errorf("the copy holds a test: %s", p)
		}
		return err
	})
	src, err := os.ReadFile("../examples/go/backend/main.go")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"go.mod":  "module example.com/plugin\n\ngo 1.24\n\nrequire github.com/bigband-dev/bigband v0.0.0\n\nreplace github.com/bigband-dev/bigband => ./bigband\n",
		"main.go": string(src),
	}
	for name, s := range files {
		if err := os.WriteFile(filepath.Join(proj, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := load(t, newRuntime(t), goBuild(t, proj, "."), contract.Backend)
	if got := callJSON(t, p, "backstage-backend-plugin#get-routes"); !reflect.DeepEqual(got.(map[string]any)["ok"].([]any)[1], map[string]any{"method": "GET", "path": "/items/{id}"}) {
		t.Errorf("get-routes = %v", got)
	}
}

const hang = 60 * time.Second // a hang guard, not a timing assertion
