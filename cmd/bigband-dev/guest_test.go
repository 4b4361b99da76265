package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture is a built guest under fixtures/guests/, relative to this package.
func fixture(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "fixtures", "guests", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s: %v (rebuild with `task fixtures`)", p, err)
	}
	return p
}

func TestCallFrontendGuests(t *testing.T) {
	for _, g := range []string{"go/frontend/frontend.core.wasm", "c/frontend/frontend.wasm", "go/frontend/frontend.component.wasm", "js/frontend/frontend.wasm"} {
		t.Run(g, func(t *testing.T) {
			r := runCLI(t, "", "call", fixture(t, g), "backstage-frontend-plugin#get-node-deps")
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			var got map[string][]map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, r.stdout)
			}
			deps := got["ok"]
			if len(deps) != 3 || deps[0]["name"] != "@backstage/core-components" || deps[1]["version"] != nil || deps[2]["dev"] != true {
				t.Fatalf("unexpected deps: %s", r.stdout)
			}
		})
	}
}

func TestCallErrors(t *testing.T) {
	core := fixture(t, "go/frontend/frontend.core.wasm")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"call", core}, 2, "want WASM EXPORT"},
		{[]string{"call", core, "nope#missing"}, 1, `no export "nope#missing"`},
		{[]string{"call", core, "backstage-frontend-plugin#get-node-deps", `[1]`}, 2, "takes 0 arguments, got 1"},
		{[]string{"call", "does-not-exist.wasm", "x"}, 1, "no such file"},
	} {
		r := runCLI(t, "", c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, r.code, r.stderr, c.code, c.want)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.wasm")
	os.WriteFile(bad, []byte("\x00asm\x0d\x00\x01\x00\x07\xff"), 0o644)
	if r := runCLI(t, "", "call", bad, "x"); r.code != 1 || !strings.Contains(r.stderr, "bad.wasm") {
		t.Errorf("truncated component: exit %d, %q", r.code, r.stderr)
	}
}

func TestCheckGuests(t *testing.T) {
	for _, g := range []string{"go/frontend/frontend.core.wasm", "c/frontend/frontend.wasm", "go/frontend/frontend.component.wasm", "js/frontend/frontend.wasm"} {
		r := runCLI(t, "", "check", fixture(t, g))
		if r.code != 0 || !strings.HasPrefix(r.stdout, "frontend\nlimits: ") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", g, r.code, r.stdout, r.stderr)
		}
	}
	for _, g := range []string{"c/backend/backend.wasm", "js/backend/backend.wasm"} {
		r := runCLI(t, "", "check", fixture(t, g))
		if r.code != 0 || !strings.HasPrefix(r.stdout, "backend\nlimits: ") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", g, r.code, r.stdout, r.stderr)
		}
	}
	if r := runCLI(t, "", "check", "--contract", "frontend", fixture(t, "c/backend/backend.wasm")); r.code != 1 || !strings.Contains(r.stdout, "export backstage-frontend-plugin: missing") {
		t.Errorf("backend as frontend: exit %d, %q", r.code, r.stdout)
	}
	r := runCLI(t, "", "check", "--contract", "backend", fixture(t, "go/frontend/frontend.core.wasm"))
	if r.code != 1 || !strings.Contains(r.stdout, "backstage-backend-plugin#get-routes: missing") {
		t.Errorf("frontend as backend: exit %d, %q", r.code, r.stdout)
	}
}

func TestWitJSONOfBinaries(t *testing.T) {
	for _, c := range []struct{ guest, iface string }{
		{"js/frontend/frontend.wasm", "backstage-frontend-plugin"},
		{"c/frontend/frontend.wasm", "backstage-frontend-plugin"},
	} {
		r := runCLI(t, "", "wit", "json", fixture(t, c.guest))
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", c.guest, r.code, r.stderr)
		}
		var got struct {
			Interfaces []struct {
				Name      *string                    `json:"name"`
				Functions map[string]json.RawMessage `json:"functions"`
			} `json:"interfaces"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, i := range got.Interfaces {
			if i.Name != nil && *i.Name == c.iface && i.Functions["get-component-files"] != nil {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: world JSON lacks %s#get-component-files", c.guest, c.iface)
		}
	}
	if r := runCLI(t, "", "wit", "json", fixture(t, "go/frontend/frontend.core.wasm")); r.code != 1 || !strings.Contains(r.stderr, "component-type") {
		t.Errorf("core module without types: exit %d, %q", r.code, r.stderr)
	}
}

func TestCallTortureGuest(t *testing.T) {
	torture := fixture(t, "abi-torture/torture.wasm")
	for _, c := range []struct{ export, args, want string }{
		{"hello", `["cli"]`, `"hello, cli!"`},
		{"types#echo-option-option", `[{"some": null}]`, `{"some":null}`},
		{"types#echo-char", `["🚀"]`, `"🚀"`},
		{"types#echo-result", `[{"err": 7}]`, `{"err":7}`},
	} {
		args := []string{"call", torture, c.export, c.args}
		r := runCLI(t, "", args...)
		if r.code != 0 || strings.TrimSpace(r.stdout) != c.want {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %s", args[2:], r.code, r.stdout, r.stderr, c.want)
		}
	}
	if r := runCLI(t, "", "call", torture, "types#trap"); r.code != 1 || !strings.Contains(r.stderr, "bigband:torture/types@0.1.0#trap") {
		t.Errorf("trap: exit %d, %q", r.code, r.stderr)
	}
}
