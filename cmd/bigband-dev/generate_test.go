package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/internal/tooltest"
)

// copyTree copies the app skeleton at src (see backstage/wire/testdata)
// into a fresh directory.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// snapshot maps every file under dir to its contents and mtime.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fi, _ := d.Info()
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = fi.ModTime().Format(time.RFC3339Nano) + "\n" + string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGenerateIntoApp(t *testing.T) {
	requireCgo(t)
	app := copyTree(t, filepath.Join("..", "..", "backstage", "wire", "testdata", "app"))
	front := runCLI(t, "", "generate", "--wasm", fixture(t, "c/frontend/frontend.wasm"), "--id", "hello", "--app", app)
	if front.code != 0 {
		t.Fatal(front)
	}
	back := runCLI(t, "", "generate", "--id", "echo", "--app", app, fixture(t, "c/backend/backend.wasm"))
	if back.code != 0 {
		t.Fatal(back)
	}
	for _, want := range []string{
		"plugins/hello/src/plugin.tsx", "plugins/hello/src/components/ExampleComponent/ExampleComponent.tsx",
		"plugins/echo-backend/src/router.ts", "plugins/echo-backend/.bigband.json",
	} {
		if _, err := os.Stat(filepath.Join(app, want)); err != nil {
			t.Error(err)
		}
	}
	appPkg, _ := os.ReadFile(filepath.Join(app, "packages", "app", "package.json"))
	index, _ := os.ReadFile(filepath.Join(app, "packages", "backend", "src", "index.ts"))
	if !strings.Contains(string(appPkg), `"@internal/plugin-hello": "workspace:^"`) {
		t.Errorf("packages/app/package.json lacks the plugin:\n%s", appPkg)
	}
	if !strings.Contains(string(index), "backend.add(import('@internal/plugin-echo-backend'));\n") {
		t.Errorf("backend index.ts lacks the plugin:\n%s", index)
	}
	if !strings.Contains(front.stdout, "wired: packages/app/package.json") || !strings.Contains(back.stdout, "wired: packages/backend/src/index.ts") {
		t.Errorf("output does not say what was wired:\n%s\n%s", front.stdout, back.stdout)
	}

	// Again: nothing changes, not even an mtime.
	before := snapshot(t, app)
	for _, args := range [][]string{
		{"generate", "--wasm", fixture(t, "c/frontend/frontend.wasm"), "--id", "hello", "--app", app},
		{"generate", "--wasm", fixture(t, "c/backend/backend.wasm"), "--id", "echo", "--app", app},
	} {
		r := runCLI(t, "", args...)
		if r.code != 0 || !strings.Contains(r.stdout, "already wired") || strings.Contains(r.stdout, "wrote ") {
			t.Errorf("second run: %+v", r)
		}
	}
	after := snapshot(t, app)
	for p, v := range after {
		if before[p] != v {
			t.Errorf("%s changed on the second run", p)
		}
	}
	if len(after) != len(before) {
		t.Errorf("%d files before the second run, %d after", len(before), len(after))
	}
}

func TestGenerateKeepsEdits(t *testing.T) {
	out := t.TempDir()
	gen := func(extra ...string) result {
		return runCLI(t, "", append([]string{"generate", "--wasm", fixture(t, "c/frontend/frontend.wasm"), "--id", "hello", "--out", out}, extra...)...)
	}
	if r := gen(); r.code != 0 {
		t.Fatal(r)
	}
	plugin := filepath.Join(out, "plugins", "hello", "src", "routes.ts")
	mine := []byte("// my own routes.ts\n")
	if err := os.WriteFile(plugin, mine, 0o644); err != nil {
		t.Fatal(err)
	}
	r := gen("--frontend-system", "legacy")
	if r.code != 0 || !strings.Contains(r.stderr, "warning: 1 file(s) you edited were kept") {
		t.Fatal(r)
	}
	if b, _ := os.ReadFile(plugin); string(b) != string(mine) {
		t.Errorf("the edited file was overwritten:\n%s", b)
	}
	if b, err := os.ReadFile(plugin + ".bigband-new"); err != nil || !strings.Contains(string(b), "@backstage/core-plugin-api") {
		t.Errorf(".bigband-new: %v\n%s", err, b)
	}
	if r := gen("--frontend-system", "legacy", "--force"); r.code != 0 {
		t.Fatal(r)
	}
	if b, _ := os.ReadFile(plugin); !strings.Contains(string(b), "@backstage/core-plugin-api") {
		t.Errorf("--force did not overwrite:\n%s", b)
	}
	if _, err := os.Stat(plugin + ".bigband-new"); err == nil {
		t.Error("the .bigband-new file outlived --force")
	}
}

func TestGenerateRefusesHostileGuest(t *testing.T) {
	out := t.TempDir()
	r := runCLI(t, "", "generate", "--wasm", fixture(t, "c/malicious/malicious.wasm"), "--id", "evil", "--out", out)
	if r.code != 1 || !strings.Contains(r.stderr, `"../../../../.bashrc": ".." in the path`) || !strings.Contains(r.stderr, "9 problems") {
		t.Fatal(r)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Errorf("wrote %v for a guest it refused", ents)
	}
}

func TestGenerateShowsGuestError(t *testing.T) {
	r := runCLI(t, "", "generate", "--wasm", fixture(t, "c/malicious/failing.wasm"), "--id", "x", "--out", t.TempDir())
	want := "get-node-deps returned an error:\nconfig error: plugin.toml line 3: unknown key \"colour\"\n  (did you mean \"color\"?)\n"
	if r.code != 1 || !strings.HasSuffix(r.stderr, want) {
		t.Fatal(r)
	}
}

func TestGenerateUsage(t *testing.T) {
	for _, args := range [][]string{
		{"generate"},
		{"generate", "--wasm", "a.wasm", "b.wasm"},
		{"generate", "--id", "Bad_Id", "x.wasm"},
		{"generate", "--frontend-system", "old", "x.wasm"},
		{"generate", "--app", "/nonexistent/app", "--id", "x", "x.wasm"},
	} {
		if r := runCLI(t, "", args...); r.code != 2 || r.stderr == "" {
			t.Errorf("%v: %+v", args, r)
		}
	}
}

func TestGenerateLegacyApp(t *testing.T) {
	requireCgo(t)
	app := copyTree(t, filepath.Join("..", "..", "backstage", "wire", "testdata", "legacy-app"))
	r := runCLI(t, "", "generate", "--wasm", fixture(t, "c/frontend/frontend.wasm"), "--id", "hello", "--app", app)
	if r.code != 0 {
		t.Fatal(r)
	}
	// No --frontend-system: the app's createApp from @backstage/app-defaults
	// makes it a legacy plugin, mounted in App.tsx.
	plugin, err := os.ReadFile(filepath.Join(app, "plugins", "hello", "src", "plugin.ts"))
	if err != nil || !strings.Contains(string(plugin), "createRoutableExtension") {
		t.Fatalf("legacy plugin.ts: %v\n%s", err, plugin)
	}
	appTSX, _ := os.ReadFile(filepath.Join(app, "packages", "app", "src", "App.tsx"))
	for _, want := range []string{"import { HelloPage } from '@internal/plugin-hello';", `<Route path="/hello" element={<HelloPage />} />`} {
		if !strings.Contains(string(appTSX), want) {
			t.Errorf("App.tsx lacks %s:\n%s", want, appTSX)
		}
	}
}

// requireCgo skips wiring tests in a build without cgo (no C compiler),
// or fails them when CI requires every tool.
func requireCgo(t *testing.T) {
	t.Helper()
	if haveCgo {
		return
	}
	tooltest.Missing(t, "cgo", "wiring needs it for the tree-sitter parser: install gcc, CGO_ENABLED=1")
}
