package contract

import (
	"errors"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

func frontend(files ...File) *Manifest {
	return &Manifest{Kind: Frontend, Guest: "g.wasm", Files: files}
}

func root(p string) File {
	return File{Path: p, IsRoot: true, ComponentClassName: "Root", Contents: "export const Root = () => null;\n"}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		m    *Manifest
		want []string // problems, by prefix; none: valid
	}{
		{"one root", frontend(root("Root.tsx"), File{Path: "a/b/c.css"}), nil},
		{"no files", frontend(), []string{"get-component-files: no files"}},
		{"no root", frontend(File{Path: "a.ts"}), []string{"get-component-files: no root file"}},
		{"root not a module", frontend(root("Root.css")), []string{`get-component-files[0] "Root.css": the root file must be`}},
		{"bad class name", frontend(File{Path: "R.tsx", IsRoot: true, ComponentClassName: "my-page"}),
			[]string{`get-component-files[0] "R.tsx": component-class-name "my-page" is not a JavaScript identifier`}},
		{"unicode class name", frontend(File{Path: "R.tsx", IsRoot: true, ComponentClassName: "Grüße$1"}), nil},
		{"dot segment", frontend(root("R.tsx"), File{Path: "./a.ts"}), []string{`get-component-files[1] "./a.ts": not a clean path (clean: "a.ts")`}},
		{"double slash", frontend(root("R.tsx"), File{Path: "a//b.ts"}), []string{`get-component-files[1] "a//b.ts": not a clean path`}},
		{"trailing slash", frontend(root("R.tsx"), File{Path: "a/"}), []string{`get-component-files[1] "a/": not a clean path`}},
		{"drive", frontend(root("R.tsx"), File{Path: "C:x.ts"}), []string{`get-component-files[1] "C:x.ts": drive letter`}},
		{"nul", frontend(root("R.tsx"), File{Path: "a\x00.ts"}), []string{`get-component-files[1] "a\x00.ts": control character`}},
		{"windows name", frontend(root("R.tsx"), File{Path: "a?.ts"}), []string{`get-component-files[1] "a?.ts": path segment "a?.ts" has a character`}},
		{"own names", frontend(root("R.tsx"), File{Path: "x/.bigband.json"}, File{Path: "R.tsx.bigband-new"}),
			[]string{`get-component-files[1] "x/.bigband.json": the name is bigband-dev's own`, `get-component-files[2] "R.tsx.bigband-new": the name`}},
		{"too big", frontend(root("R.tsx"), File{Path: "big.ts", Contents: strings.Repeat("x", MaxFileBytes+1)}),
			[]string{`get-component-files[1] "big.ts": 8388609 bytes, more than the 8388608 allowed per file`}},
		{"deps", &Manifest{Kind: Frontend, Guest: "g", Files: []File{root("R.tsx")}, Deps: []NodeDep{
			{Name: "@backstage/core-components", Version: "^0.18.0 || ^0.19.0"}, {Name: "React"}, {Name: ""},
			{Name: "@backstage/core-components"}, {Name: "x", Version: "1.0\n"},
		}}, []string{
			`get-node-deps[1] "React": not an npm package name`, `get-node-deps[2]: empty package name`,
			`get-node-deps[3] "@backstage/core-components": listed twice (also at 0)`, `get-node-deps[4] "x": version "1.0\n" is not a version range`,
		}},
		{"routes", &Manifest{Kind: Backend, Guest: "g", Routes: []Route{
			{"GET", "/"}, {"GET", "/items/{id}"}, {"POST", "/files/*"}, {"get", "/a"}, {"FETCH", "/b"},
			{"GET", "items"}, {"GET", "/a/../b"}, {"GET", "/a?x=1"}, {"GET", "/*/x"}, {"GET", "/a{id}"}, {"GET", "/items/{id}"}, {"PUT", "/a//b"},
		}}, []string{
			`get-routes[3] get "/a": method "get" must be upper case ("GET")`, `get-routes[4] FETCH "/b": method "FETCH" is not one of`,
			`get-routes[5] GET "items": path must start with "/"`, `get-routes[6] GET "/a/../b": ".." segment`,
			`get-routes[7] GET "/a?x=1": a route path has no query`, `get-routes[8] GET "/*/x": "*" may only be the last segment`,
			`get-routes[9] GET "/a{id}": segment "a{id}": a parameter is a whole segment`,
			`get-routes[10] GET "/items/{id}": listed twice (also at 1)`, `get-routes[11] PUT "/a//b": empty segment`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate = %v, want problems", err)
			}
			if len(ve.Problems) != len(tt.want) {
				t.Errorf("%d problems, want %d:\n%v", len(ve.Problems), len(tt.want), err)
			}
			for _, w := range tt.want {
				found := false
				for _, p := range ve.Problems {
					found = found || strings.HasPrefix(p, w)
				}
				if !found {
					t.Errorf("missing %q in:\n%v", w, err)
				}
			}
		})
	}
}

// FuzzFilePath: whatever path CheckFilePath accepts stays inside
// src/components once joined, on this platform and as a slash path.
func FuzzFilePath(f *testing.F) {
	for _, s := range []string{"a.tsx", "../a", "a/../../b", "/etc/x", `..\x`, "a/./b", "C:x", "a//b", "Ω/ü.tsx", "...", ".../x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if CheckFilePath(p) != nil {
			return
		}
		if path.Clean(p) != p || path.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") {
			t.Fatalf("accepted %q", p)
		}
		base := filepath.FromSlash("/plugin/src/components")
		joined := filepath.Join(base, filepath.FromSlash(p))
		if !strings.HasPrefix(joined, base+string(filepath.Separator)) {
			t.Fatalf("accepted %q, which joins to %q", p, joined)
		}
	})
}
