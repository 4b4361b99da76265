package contract

import (
	"errors"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
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
		{"windows devices", frontend(root("R.tsx"), File{Path: "con.tsx"}, File{Path: "a/AUX"}, File{Path: "Nul.tar.gz"},
			File{Path: "lpt9/x.ts"}, File{Path: "com\u00b9.ts"}, File{Path: "prn .css"}, File{Path: "CONOUT$.js"},
			File{Path: "console.tsx"}, File{Path: "com10.ts"}, File{Path: "a/connect.ts"}, File{Path: "LPT.ts"}, File{Path: "x.con"}),
			[]string{
				`get-component-files[1] "con.tsx": path segment "con.tsx" is a device name on Windows`,
				`get-component-files[2] "a/AUX": path segment "AUX" is a device name`,
				`get-component-files[3] "Nul.tar.gz": path segment "Nul.tar.gz" is a device name`,
				`get-component-files[4] "lpt9/x.ts": path segment "lpt9" is a device name`,
				"get-component-files[5] \"com\u00b9.ts\": path segment \"com\u00b9.ts\" is a device name",
				`get-component-files[6] "prn .css": path segment "prn .css" is a device name`,
				`get-component-files[7] "CONOUT$.js": path segment "CONOUT$.js" is a device name`,
			}},
		{"normalisation duplicates", frontend(root("R.tsx"), File{Path: "caf\u00e9.tsx"}, File{Path: "cafe\u0301.tsx"}, File{Path: "CAFE\u0301.tsx"}, File{Path: "r.tsx"}),
			[]string{
				"get-component-files[2] \"cafe\u0301.tsx\": same file as get-component-files[1] \"caf\u00e9.tsx\" (they differ only in Unicode normalisation",
				"get-component-files[3] \"CAFE\u0301.tsx\": same file as get-component-files[1] \"caf\u00e9.tsx\" (they differ only in case and Unicode normalisation",
				`get-component-files[4] "r.tsx": same file as get-component-files[0] "R.tsx" (they differ only in case`,
			}},
		{"bidi and invisible", frontend(root("R.tsx"), File{Path: "a\u202egpj.tsx"}, File{Path: "x/\u2066b.ts"}, File{Path: "c\u200f.ts"},
			File{Path: "d\u061c.ts"}, File{Path: "e\u200b.ts"}, File{Path: "f\ufeff.ts"}, File{Path: "g\u00a0.ts"}, File{Path: "h\u3164.ts"},
			File{Path: "\u00e9t\u00e9/\u65e5\u672c.tsx"}),
			[]string{
				`get-component-files[1] "a\u202egpj.tsx": bidi control character U+202E at byte 1 of the path`,
				`get-component-files[2] "x/\u2066b.ts": bidi control character U+2066 at byte 2`,
				`get-component-files[3] "c\u200f.ts": bidi control character U+200F`,
				`get-component-files[4] "d\u061c.ts": bidi control character U+061C`,
				`get-component-files[5] "e\u200b.ts": invisible format character U+200B`,
				`get-component-files[6] "f\ufeff.ts": invisible format character U+FEFF`,
				`get-component-files[7] "g\u00a0.ts": space character U+00A0`,
				"get-component-files[8] \"h\u3164.ts\": invisible format character U+3164",
			}},
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
	for _, s := range []string{"a.tsx", "../a", "a/../../b", "/etc/x", `..\x`, "a/./b", "C:x", "a//b", "Ω/ü.tsx", "...", ".../x",
		"con.tsx", "a/NUL", "com\u00b2.ts", "lpt1 .x", "console.ts", "a\u202egpj.tsx", "\u2067x", "e\u0301.ts", "z\u200d.ts", "\u3000.ts"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if CheckFilePath(p) != nil {
			return
		}
		if path.Clean(p) != p || path.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") {
			t.Fatalf("accepted %q", p)
		}
		for _, seg := range strings.Split(p, "/") {
			if isWindowsDevice(seg) {
				t.Fatalf("accepted %q: %q is a Windows device", p, seg)
			}
		}
		if strings.ContainsFunc(p, func(r rune) bool { return isBidiControl(r) || unicode.Is(unicode.Cf, r) }) {
			t.Fatalf("accepted %q, which has an invisible character", p)
		}
		base := filepath.FromSlash("/plugin/src/components")
		joined := filepath.Join(base, filepath.FromSlash(p))
		if !strings.HasPrefix(joined, base+string(filepath.Separator)) {
			t.Fatalf("accepted %q, which joins to %q", p, joined)
		}
	})
}
