package backstage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/contract"
)

func TestValidID(t *testing.T) {
	for _, tc := range []struct {
		id, err string // err: a fragment of the message, "" for valid
	}{
		{"hello", ""},
		{"my-plugin", ""},
		{"a", ""},
		{"a1-b2-c3", ""},
		{strings.Repeat("a", 64), ""},
		{"", "empty"},
		{strings.Repeat("a", 65), "65 characters"},
		{"1abc", "start with a lowercase letter"},
		{"-abc", "start with a lowercase letter"},
		{"Hello", "start with a lowercase letter"},
		{"abc-", "end with a dash"},
		{"a--b", "two dashes"},
		{"my_plugin", `'_' at byte 2`},
		{"myPlugin", `'P' at byte 2`},
		{"a/b", `'/' at byte 1`},
		{"a.b", `'.' at byte 1`},
		{"hé", `'é' at byte 1`},
	} {
		err := ValidID(tc.id)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("ValidID(%q) = %v, want nil", tc.id, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ValidID(%q) = %v, want an error with %q", tc.id, err, tc.err)
		}
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct {
		id                     string
		kind                   contract.Kind
		name, dir, camel, pasc string
		title                  string
	}{
		{"hello", contract.Frontend, "@internal/plugin-hello", "plugins/hello", "hello", "Hello", "Hello"},
		{"my-wasm-1", contract.Frontend, "@internal/plugin-my-wasm-1", "plugins/my-wasm-1", "myWasm1", "MyWasm1", "My Wasm 1"},
		{"hello", contract.Backend, "@internal/plugin-hello-backend", "plugins/hello-backend", "hello", "Hello", "Hello"},
	} {
		if got := PackageName(tc.id, tc.kind); got != tc.name {
			t.Errorf("PackageName(%q, %v) = %q, want %q", tc.id, tc.kind, got, tc.name)
		}
		if got := PackageDir(tc.id, tc.kind); got != tc.dir {
			t.Errorf("PackageDir(%q, %v) = %q, want %q", tc.id, tc.kind, got, tc.dir)
		}
		if got := camelID(tc.id); got != tc.camel {
			t.Errorf("camelID(%q) = %q, want %q", tc.id, got, tc.camel)
		}
		if got := pascalID(tc.id); got != tc.pasc {
			t.Errorf("pascalID(%q) = %q, want %q", tc.id, got, tc.pasc)
		}
		if got := titleID(tc.id); got != tc.title {
			t.Errorf("titleID(%q) = %q, want %q", tc.id, got, tc.title)
		}
	}
}

func TestParseFrontendSystem(t *testing.T) {
	for s, want := range map[string]FrontendSystem{"new": NewFrontendSystem, "legacy": LegacyFrontendSystem} {
		got, err := ParseFrontendSystem(s)
		if err != nil || got != want || got.String() != s {
			t.Errorf("ParseFrontendSystem(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if _, err := ParseFrontendSystem("next"); err == nil || !strings.Contains(err.Error(), "want new or legacy") {
		t.Errorf("ParseFrontendSystem(next) = %v", err)
	}
	var fs FrontendSystem
	if err := fs.Set("legacy"); err != nil || fs != LegacyFrontendSystem {
		t.Errorf("Set(legacy): %v, %v", fs, err)
	}
}

// smallFrontend is a hand-made manifest for tests that need no fixture.
func smallFrontend(files ...contract.File) *contract.Manifest {
	if files == nil {
		files = []contract.File{{Path: "Page.tsx", IsRoot: true, ComponentClassName: "Page", Contents: "export const Page = () => <p>hi</p>;\n"}}
	}
	return &contract.Manifest{Kind: contract.Frontend, Guest: "g.wasm", Files: files}
}

func TestRenderRefusesEscapingPaths(t *testing.T) {
	for _, bad := range []string{"../x.tsx", "/etc/x", "a/../../x.tsx", "a/./b.tsx", "a//b.tsx", `a\..\x.tsx`, "", ".", "x.tsx" + ConflictSuffix, "a/" + ManifestName, "a/\nb.tsx"} {
		m := smallFrontend(
			contract.File{Path: "Page.tsx", IsRoot: true, ComponentClassName: "Page", Contents: "export const Page = () => null;\n"},
			contract.File{Path: bad, Contents: "x"},
		)
		p, err := Render(m, Options{ID: "hello"})
		if err == nil || p != nil {
			t.Errorf("path %q: Render gave no error", bad)
			continue
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("component file %q", bad)) {
			t.Errorf("path %q: error %q does not name the path", bad, err)
		}
	}
}

func TestRenderRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    *contract.Manifest
		o    Options
		err  string
	}{
		{"bad id", smallFrontend(), Options{ID: "Hello"}, "plugin id"},
		{"no root", smallFrontend(contract.File{Path: "a.tsx", Contents: ""}), Options{ID: "x"}, "no root component"},
		{"class not an identifier", smallFrontend(contract.File{Path: "a.tsx", IsRoot: true, ComponentClassName: "A /> <B"}), Options{ID: "x"}, "not a JavaScript identifier"},
		{"root not code", smallFrontend(contract.File{Path: "a.css", IsRoot: true, ComponentClassName: "A"}), Options{ID: "x"}, "want a .tsx"},
		{"duplicate path", smallFrontend(
			contract.File{Path: "a.tsx", IsRoot: true, ComponentClassName: "A"},
			contract.File{Path: "a.tsx"}), Options{ID: "x"}, "two files at plugins/x/src/components/a.tsx"},
		{"bad dep", &contract.Manifest{Kind: contract.Frontend, Files: smallFrontend().Files, Deps: []contract.NodeDep{{Name: "Not Valid"}}}, Options{ID: "x"}, `"Not Valid" is not a valid npm package name`},
		{"bad system", smallFrontend(), Options{ID: "x", FrontendSystem: 7}, "unknown frontend system"},
		{"bad target", &contract.Manifest{Kind: contract.Backend}, Options{ID: "x", Target: "ftp://h"}, "want an http or https URL"},
		{"bad kind", &contract.Manifest{Kind: 9}, Options{ID: "x"}, "unknown kind"},
	} {
		p, err := Render(tc.m, tc.o)
		if err == nil || p != nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: Render = %v, %v; want an error with %q", tc.name, p, err, tc.err)
		}
	}
}

// packageJSONOf decodes a rendered package.json.
func packageJSONOf(t *testing.T, p *Package) map[string]map[string]string {
	t.Helper()
	var pj struct {
		Deps map[string]string `json:"dependencies"`
		Dev  map[string]string `json:"devDependencies"`
		Peer map[string]string `json:"peerDependencies"`
	}
	if err := json.Unmarshal(p.File("package.json").Data, &pj); err != nil {
		t.Fatal(err)
	}
	return map[string]map[string]string{"dependencies": pj.Deps, "devDependencies": pj.Dev, "peerDependencies": pj.Peer}
}

func TestDependencies(t *testing.T) {
	for _, tc := range []struct {
		name string
		sys  FrontendSystem
		deps []contract.NodeDep
		want map[string]string // name -> "section version"
	}{
		{"defaults new", NewFrontendSystem, nil, map[string]string{
			"@backstage/frontend-plugin-api": "dependencies ^0.18.1",
			"@backstage/cli":                 "devDependencies ^0.36.6",
			"@backstage/frontend-dev-utils":  "devDependencies ^0.1.6",
			"@backstage/frontend-defaults":   "devDependencies ^0.5.6",
			"react":                          "peerDependencies " + reactRange,
		}},
		{"defaults legacy", LegacyFrontendSystem, nil, map[string]string{
			"@backstage/core-plugin-api": "dependencies ^1.12.10",
			"@backstage/cli":             "devDependencies ^0.36.6",
			"@backstage/dev-utils":       "devDependencies ^1.1.27",
			"react":                      "peerDependencies " + reactRange,
		}},
		{"guest wins and no duplicates", NewFrontendSystem, []contract.NodeDep{
			{Name: "react", Version: "^18.2.0"},
			{Name: "@backstage/frontend-plugin-api", Version: "^0.17.0", Dev: true},
			{Name: "@backstage/ui"},
			{Name: "left-pad"},
			{Name: "@backstage/cli", Version: "0.36.0", Dev: true},
		}, map[string]string{
			"react":                          "dependencies ^18.2.0",
			"@backstage/frontend-plugin-api": "devDependencies ^0.17.0",
			"@backstage/ui":                  "dependencies ^0.18.0",
			"left-pad":                       "dependencies *",
			"@backstage/cli":                 "devDependencies 0.36.0",
			"@backstage/frontend-dev-utils":  "devDependencies ^0.1.6",
			"@backstage/frontend-defaults":   "devDependencies ^0.5.6",
		}},
		{"dev react", NewFrontendSystem, []contract.NodeDep{{Name: "react", Dev: true}}, map[string]string{
			"react":                          "devDependencies " + reactRange,
			"@backstage/frontend-plugin-api": "dependencies ^0.18.1",
			"@backstage/cli":                 "devDependencies ^0.36.6",
			"@backstage/frontend-dev-utils":  "devDependencies ^0.1.6",
			"@backstage/frontend-defaults":   "devDependencies ^0.5.6",
		}},
	} {
		m := smallFrontend()
		m.Deps = tc.deps
		p, err := Render(m, Options{ID: "x", FrontendSystem: tc.sys})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for sec, deps := range packageJSONOf(t, p) {
			for name, v := range deps {
				if prev, dup := got[name]; dup {
					t.Errorf("%s: %s in two sections: %s and %s", tc.name, name, prev, sec)
				}
				got[name] = sec + " " + v
			}
		}
		for name, w := range tc.want {
			if got[name] != w {
				t.Errorf("%s: %s = %q, want %q", tc.name, name, got[name], w)
			}
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	m := frontendManifest(t)
	a, err := Render(m, Options{ID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	// The same manifest with its files and deps in another order.
	for i, j := 0, len(m.Files)-1; i < j; i, j = i+1, j-1 {
		m.Files[i], m.Files[j] = m.Files[j], m.Files[i]
	}
	b, err := Render(m, Options{ID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(archive(a), archive(b)) {
		t.Error("rendering twice gave different packages")
	}
	for i := 1; i < len(a.Files); i++ {
		if a.Files[i-1].Path >= a.Files[i].Path {
			t.Errorf("files not sorted: %s before %s", a.Files[i-1].Path, a.Files[i].Path)
		}
	}
}

func TestMarkers(t *testing.T) {
	m := frontendManifest(t)
	p, err := Render(m, Options{ID: "x", Guest: "guest\nname.wasm"})
	if err != nil {
		t.Fatal(err)
	}
	guest := map[string]string{}
	for _, f := range m.Files {
		guest[componentsDir+f.Path] = f.Contents
	}
	for _, f := range p.Files {
		first, _, _ := strings.Cut(string(f.Data), "\n")
		marked := strings.HasPrefix(first, "// Generated by bigband-dev from guest?name.wasm.")
		switch ext := path.Ext(f.Path); {
		case guest[f.Path] != "":
			if string(f.Data) != guest[f.Path] {
				t.Errorf("%s: guest bytes changed", f.Path)
			}
		case ext == ".ts" || ext == ".tsx" || ext == ".js":
			if !marked {
				t.Errorf("%s: no marker line, first line %q", f.Path, first)
			}
		case marked:
			t.Errorf("%s: marker in a file that cannot carry it", f.Path)
		}
	}
}

// goldenPackages renders every golden case with both frontend systems.
func goldenPackages(t *testing.T) []*Package {
	var ps []*Package
	for _, o := range []Options{{ID: "a"}, {ID: "a-b", FrontendSystem: LegacyFrontendSystem}} {
		p, err := Render(frontendManifest(t), o)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	p, err := Render(backendManifest(t), Options{ID: "a"})
	if err != nil {
		t.Fatal(err)
	}
	return append(ps, p)
}

func TestRenderedSourcesParse(t *testing.T) {
	for _, p := range goldenPackages(t) {
		n := 0
		for _, f := range p.Files {
			if _, ok := loaders[path.Ext(f.Path)]; ok {
				n++
			}
		}
		if n < 3 {
			t.Errorf("%s: only %d files checked", p.Dir, n)
		}
		if err := CheckSources(p); err != nil {
			t.Errorf("%s: %v", p.Dir, err)
		}
	}
}

func TestCheckSourcesReportsGuestErrors(t *testing.T) {
	m := smallFrontend(
		contract.File{Path: "Page.tsx", IsRoot: true, ComponentClassName: "Page", Contents: "export const Page = () => (\n  <div>\n    <p>Grüße 🚀</p></dvi>\n  </div>\n);\n"},
		contract.File{Path: "util/helper.ts", Contents: "export const x: number = 1;\nexport const y = <b>no jsx in .ts</b>;\n"},
		contract.File{Path: "ok.ts", Contents: "export const ok = 1;\n"},
	)
	p, err := Render(m, Options{ID: "hello"})
	if p == nil {
		t.Fatalf("Render returned no package with the source errors: %v", err)
	}
	var se SourceErrors
	if !errors.As(err, &se) {
		t.Fatalf("Render error = %v, want SourceErrors", err)
	}
	// esbuild points at "dvi", after "    <p>Grüße 🚀</p></": column 21 in
	// characters, 26 in bytes.
	if w := `plugins/hello/src/components/Page.tsx:3:21: Unexpected closing "dvi" tag does not match opening "div" tag`; se[0].Error() != w {
		t.Errorf("first error = %q, want %q", se[0].Error(), w)
	}
	found := false
	for _, e := range se {
		if e.Path == "plugins/hello/src/components/util/helper.ts" && e.Line == 2 && e.Column > 1 {
			found = true
		}
	}
	if !found {
		t.Errorf("no error for util/helper.ts line 2 in\n%v", err)
	}
	for _, e := range se {
		if strings.Contains(e.Path, "ok.ts") || !strings.HasPrefix(e.Path, "plugins/hello/src/components/") {
			t.Errorf("unexpected error %v", e)
		}
	}
	if !strings.Contains(err.Error(), "\n") {
		t.Errorf("errors not one per line: %q", err)
	}
}

func TestCheckSourcesGeneratedFiles(t *testing.T) {
	p, err := Render(smallFrontend(), Options{ID: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	// A broken generated file is reported like a guest's.
	f := p.File("src/plugin.tsx")
	f.Data = append(f.Data, "export const = 1;\n"...)
	lines := bytes.Count(f.Data, []byte("\n"))
	err = CheckSources(p)
	var se SourceErrors
	if !errors.As(err, &se) || len(se) != 1 || se[0].Path != "plugins/hello/src/plugin.tsx" || se[0].Line != lines || se[0].Column != 14 {
		t.Errorf("CheckSources = %#v, want one error at plugins/hello/src/plugin.tsx:%d:14", err, lines)
	}
}
