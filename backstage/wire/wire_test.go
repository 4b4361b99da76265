//go:build cgo

// These tests need cgo: the first build compiles the tree-sitter runtime and
// the TypeScript and TSX grammars from C, which takes about half a minute
// (gcc 12, 2 cores; about two minutes with an empty build cache, the
// standard library and esbuild included); later builds come from the cache.

package wire

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/evanw/esbuild/pkg/api"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

var (
	backendPlugin  = Plugin{ID: "hello", Package: helloBackend}
	frontendPlugin = Plugin{ID: "hello", Package: helloFrontend}
)

const (
	discoveryLine = "  packages: all\n"
	legacyRoute   = `<Route path="/hello" element={<HelloPage />} />`
)

func TestGolden(t *testing.T) {
	tests := []struct {
		name  string
		app   string
		setup func(t *testing.T, dir string)
		run   func(dir string) (*Result, error)
	}{
		{name: "backend", app: "app", run: func(dir string) (*Result, error) { return Backend(dir, backendPlugin) }},
		{name: "frontend-discovery", app: "app", run: func(dir string) (*Result, error) { return Frontend(dir, frontendPlugin, false) }},
		{
			name: "frontend-discovery-off", app: "app",
			setup: func(t *testing.T, dir string) { replaceApp(t, dir, appConfig, discoveryLine, "") },
			run:   func(dir string) (*Result, error) { return Frontend(dir, frontendPlugin, false) },
		},
		{
			// An include list without the package: wired in App.tsx, and
			// app-config.yaml is left alone.
			name: "frontend-include", app: "app",
			setup: func(t *testing.T, dir string) {
				replaceApp(t, dir, appConfig, discoveryLine, "  packages:\n    include:\n      - '@backstage/plugin-catalog'\n")
			},
			run: func(dir string) (*Result, error) { return Frontend(dir, frontendPlugin, false) },
		},
		{name: "legacy", app: "legacy-app", run: func(dir string) (*Result, error) { return Frontend(dir, frontendPlugin, true) }},
		{name: "devclient", app: "app", run: func(dir string) (*Result, error) { return DevClient(dir, testClientURL) }},
		{name: "devclient-legacy", app: "legacy-app", run: func(dir string) (*Result, error) { return DevClient(dir, testClientURL) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newApp(t, tt.app)
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			res, err := tt.run(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Notes) == 0 {
				t.Error("no notes (yarn install is always needed after a change)")
			}
			golden := filepath.Join("testdata", "golden", tt.name)
			if *update {
				if err := os.RemoveAll(golden); err != nil {
					t.Fatal(err)
				}
				for _, rel := range res.Changed {
					writeApp(t, golden, rel, readApp(t, dir, rel))
				}
			}
			var want []string
			err = filepath.WalkDir(golden, func(path string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(golden, path)
					want = append(want, filepath.ToSlash(rel))
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := sorted(res.Changed); !slices.Equal(got, want) {
				t.Errorf("Changed = %q, golden files %q", got, want)
			}
			for _, rel := range want {
				got, exp := readApp(t, dir, rel), readApp(t, golden, rel)
				if got != exp {
					t.Errorf("%s differs from %s:\n%s", rel, filepath.Join(golden, rel), got)
				}
				if strings.HasSuffix(rel, ".ts") || strings.HasSuffix(rel, ".tsx") {
					assertParses(t, rel, got)
				}
			}

			// A second run finds everything wired and touches nothing.
			before := snapshot(t, dir)
			res, err = tt.run(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Changed) != 0 || len(res.Notes) != 0 {
				t.Errorf("second run: %+v, want nothing", res)
			}
			sameSnapshot(t, before, snapshot(t, dir))
		})
	}
}

// assertParses checks an edited file with both parsers from scratch.
func assertParses(t *testing.T, name, src string) {
	t.Helper()
	f, err := parseTS(name, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	defer f.close()
	if f.root.HasError() {
		t.Errorf("%s: tree-sitter finds syntax errors: %s", name, f.root.String())
	}
	loader := api.LoaderTS
	if strings.HasSuffix(name, ".tsx") {
		loader = api.LoaderTSX
	}
	if res := api.Transform(src, api.TransformOptions{Loader: loader}); len(res.Errors) > 0 {
		t.Errorf("%s: esbuild: %v", name, res.Errors[0].Text)
	}
}

// TestRefusals: every unrecognised shape is a ShapeError naming the file and
// the lines to add, and no file of the app is written.
func TestRefusals(t *testing.T) {
	backend := func(dir string) error { _, err := Backend(dir, backendPlugin); return err }
	frontend := func(dir string) error { _, err := Frontend(dir, frontendPlugin, false); return err }
	legacy := func(dir string) error { _, err := Frontend(dir, frontendPlugin, true); return err }
	discoveryOff := func(t *testing.T, dir string) { replaceApp(t, dir, appConfig, discoveryLine, "") }
	newAppTSX := "import { createApp } from '@backstage/frontend-defaults';\nexport default createApp({ features: [] });\n"

	tests := []struct {
		name    string
		app     string
		setup   func(t *testing.T, dir string)
		run     func(dir string) error
		file    string
		problem string
		manual  string // one of the Manual lines
		line    int
	}{
		{
			name: "no backend.start", app: "app", run: backend, file: backendIndex, problem: "no backend.start()",
			setup:  func(t *testing.T, dir string) { replaceApp(t, dir, backendIndex, "backend.start();", "") },
			manual: "backend.add(import('@internal/plugin-hello-backend'));",
		},
		{
			name: "two backend.start", app: "app", run: backend, file: backendIndex, problem: "more than once", line: 33,
			setup: func(t *testing.T, dir string) {
				replaceApp(t, dir, backendIndex, "backend.start();", "backend.start();\nbackend.start();")
			},
		},
		{
			name: "two createBackend", app: "app", run: backend, file: backendIndex, problem: "createBackend() is called more than once", line: 9,
			setup: func(t *testing.T, dir string) {
				replaceApp(t, dir, backendIndex, "const backend = createBackend();", "const backend = createBackend();\nconst other = createBackend();")
			},
		},
		{
			name: "no createBackend", app: "app", run: backend, file: backendIndex, problem: "no createBackend()",
			setup: func(t *testing.T, dir string) {
				replaceApp(t, dir, backendIndex, "const backend = createBackend();", "const backend = makeBackend();")
			},
		},
		{
			name: "createBackend not assigned", app: "app", run: backend, file: backendIndex, problem: "not assigned",
			setup: func(t *testing.T, dir string) {
				writeApp(t, dir, backendIndex, "import { createBackend } from '@backstage/backend-defaults';\ncreateBackend().start();\n")
			},
		},
		{
			name: "backend package.json is an array", app: "app", run: backend, file: backendPackageJSON, problem: "expected a JSON object", line: 1,
			setup:  func(t *testing.T, dir string) { writeApp(t, dir, backendPackageJSON, "[]\n") },
			manual: `"@internal/plugin-hello-backend": "workspace:^"`,
		},
		{
			name: "dependencies not an object", app: "app", run: backend, file: backendPackageJSON, problem: `"dependencies" is not an object`, line: 2,
			setup: func(t *testing.T, dir string) {
				writeApp(t, dir, backendPackageJSON, "{\n  \"dependencies\": \"none\"\n}\n")
			},
		},
		{
			name: "package.json syntax error", app: "app", run: backend, file: backendPackageJSON, problem: "not valid JSON", line: 3,
			setup: func(t *testing.T, dir string) {
				writeApp(t, dir, backendPackageJSON, "{\n  \"name\": \"backend\",\n}\n")
			},
		},
		{
			name: "missing index.ts", app: "app", run: backend, file: backendIndex, problem: "file not found",
			setup:  func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, filepath.FromSlash(backendIndex))) },
			manual: "backend.add(import('@internal/plugin-hello-backend'));",
		},
		{
			name: "missing app package.json", app: "app", run: frontend, file: appPackageJSON, problem: "file not found",
			setup: func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, filepath.FromSlash(appPackageJSON))) },
		},
		{
			name: "legacy: new-system App.tsx", app: "app", run: legacy, file: appTSX, problem: "new frontend system",
		},
		{
			name: "legacy: neither shape", app: "legacy-app", run: legacy, file: appTSX, problem: "no <FlatRoutes>",
			setup: func(t *testing.T, dir string) {
				writeApp(t, dir, appTSX, "export default function App() {\n  return <div />;\n}\n")
			},
			manual: legacyRoute,
		},
		{
			name: "legacy: route path taken", app: "legacy-app", run: legacy, file: appTSX, problem: "already shows <SearchPage />",
			setup: func(t *testing.T, dir string) {
				replaceApp(t, dir, appTSX, `path="/search"`, `path="/hello"`)
			},
		},
		{
			name: "legacy: export name taken", app: "legacy-app", run: legacy, file: appTSX, problem: "HelloPage is already imported from './pages'",
			setup: func(t *testing.T, dir string) {
				replaceApp(t, dir, appTSX, "import { Root } from './components/Root';", "import { Root } from './components/Root';\nimport { HelloPage } from './pages';")
			},
		},
		{
			name: "legacy: Route not imported", app: "legacy-app", run: legacy, file: appTSX, problem: "Route is not imported",
			setup: func(t *testing.T, dir string) {
				replaceApp(t, dir, appTSX, "import { Navigate, Route } from 'react-router-dom';", "import { Navigate } from 'react-router-dom';")
			},
		},
		{
			name: "new system: legacy App.tsx", app: "legacy-app", run: frontend, file: appTSX, problem: "wire it with legacy",
			setup: func(t *testing.T, dir string) {
				copyFile(t, "testdata/app/app-config.yaml", filepath.Join(dir, appConfig))
			},
		},
		{
			name: "discovery off: legacy App.tsx", app: "legacy-app", run: frontend, file: appTSX, problem: "wire it with legacy",
		},
		{
			name: "discovery off: createApp without features", app: "app", run: frontend, file: appTSX, problem: "no `features: [...]`",
			setup: func(t *testing.T, dir string) {
				discoveryOff(t, dir)
				writeApp(t, dir, appTSX, "import { createApp } from '@backstage/frontend-defaults';\nexport default createApp();\n")
			},
			manual: "import helloPlugin from '@internal/plugin-hello';",
		},
		{
			name: "discovery off: two createApp", app: "app", run: frontend, file: appTSX, problem: "more than once",
			setup: func(t *testing.T, dir string) {
				discoveryOff(t, dir)
				writeApp(t, dir, appTSX, newAppTSX+"const other = createApp({ features: [] });\n")
			},
		},
		{
			name: "app-config unsure", app: "app", run: frontend, file: appConfig, problem: "flow collections over several lines", line: 7,
			setup: func(t *testing.T, dir string) {
				replaceApp(t, dir, appConfig, discoveryLine, "  packages: { include: [\n    '@backstage/plugin-catalog'] }\n")
			},
			manual: "import helloPlugin from '@internal/plugin-hello';",
		},
		{
			name: "app-config excludes the package", app: "app", run: frontend, file: appConfig, problem: "exclude lists @internal/plugin-hello", line: 7,
			setup: func(t *testing.T, dir string) {
				replaceApp(t, dir, appConfig, discoveryLine, "  packages: {exclude: ['@internal/plugin-hello']}\n")
			},
		},
		{
			name: "app-config missing", app: "app", run: frontend, file: appConfig, problem: "file not found",
			setup: func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, appConfig)) },
		},
		{
			name: "app-config.local narrows discovery, App.tsx unrecognised", app: "app", run: frontend, file: appTSX, problem: "no createApp",
			setup: func(t *testing.T, dir string) {
				writeApp(t, dir, appConfigLocal, "app:\n  packages:\n    include: ['@backstage/plugin-catalog']\n")
				writeApp(t, dir, appTSX, "export {};\n")
			},
		},
		{
			name: "app-config.local sets null", app: "app", run: frontend, file: appConfigLocal, problem: "null", line: 2,
			setup: func(t *testing.T, dir string) { writeApp(t, dir, appConfigLocal, "app:\n  packages: ~\n") },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newApp(t, tt.app)
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			before := snapshot(t, dir)
			err := tt.run(dir)
			var se *ShapeError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *ShapeError", err)
			}
			if se.File != tt.file || !strings.Contains(se.Problem, tt.problem) {
				t.Errorf("got %s: %q, want %s: ...%q...", se.File, se.Problem, tt.file, tt.problem)
			}
			if tt.line != 0 && se.Line != tt.line {
				t.Errorf("line %d, want %d", se.Line, tt.line)
			}
			if tt.manual != "" && !slices.Contains(se.Manual, tt.manual) {
				t.Errorf("Manual = %q, want it to hold %q", se.Manual, tt.manual)
			}
			if msg := se.Error(); !strings.Contains(msg, "nothing was written") || !strings.HasPrefix(msg, tt.file) {
				t.Errorf("Error() = %q", msg)
			}
			sameSnapshot(t, before, snapshot(t, dir))
		})
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestExistingWiring: wiring written by hand, in other quotes and layouts,
// is found, and the file is left byte for byte as it was.
func TestExistingWiring(t *testing.T) {
	const backendHead = "import { createBackend } from '@backstage/backend-defaults';\nconst backend = createBackend();\n"
	tests := []struct {
		name   string
		app    string
		file   string
		source string
		setup  func(t *testing.T, dir string)
		legacy bool
	}{
		{name: "backend double quotes", app: "app", file: backendIndex,
			source: backendHead + "backend.add(import(\"@internal/plugin-hello-backend\"));\nbackend.start();\n"},
		{name: "backend over three lines", app: "app", file: backendIndex,
			source: backendHead + "backend.add(\n  import('@internal/plugin-hello-backend'),\n);\nbackend.start();\n"},
		{name: "backend template literal", app: "app", file: backendIndex,
			source: backendHead + "backend.add(import(`@internal/plugin-hello-backend`));\nbackend.start();\n"},
		{name: "backend static import", app: "app", file: backendIndex,
			source: "import hello from '@internal/plugin-hello-backend';\n" + backendHead + "backend.add(hello);\nbackend.start();\n"},
		{name: "backend wired, no start", app: "app", file: backendIndex,
			source: backendHead + "backend.add(import('@internal/plugin-hello-backend'));\nexport default backend;\n"},
		{name: "legacy other quotes and attribute order", app: "legacy-app", file: appTSX, legacy: true,
			setup: func(t *testing.T, dir string) {
				replaceApp(t, dir, appTSX, "import { Root } from './components/Root';", `import {HelloPage} from "@internal/plugin-hello"`)
				replaceApp(t, dir, appTSX, "  </FlatRoutes>", "    <Route element={<HelloPage/>} path='/hello'/>\n  </FlatRoutes>")
			}},
		{name: "legacy aliased import at another path", app: "legacy-app", file: appTSX, legacy: true,
			setup: func(t *testing.T, dir string) {
				replaceApp(t, dir, appTSX, "import { Root } from './components/Root';", "import { HelloPage as Hello } from '@internal/plugin-hello';")
				replaceApp(t, dir, appTSX, "  </FlatRoutes>", "    <Route path=\"/hi\" element={<Hello />}>\n    </Route>\n  </FlatRoutes>")
			}},
		{name: "features default import under another name", app: "app", file: appTSX,
			setup: func(t *testing.T, dir string) {
				replaceApp(t, dir, appConfig, discoveryLine, "")
				writeApp(t, dir, appTSX, "import { createApp } from \"@backstage/frontend-defaults\"\nimport hello from \"@internal/plugin-hello\"\n\nexport default createApp({\n  features: [\n    hello,\n  ],\n})\n")
			}},
		{name: "features via include list", app: "app", file: appTSX,
			setup: func(t *testing.T, dir string) {
				replaceApp(t, dir, appConfig, discoveryLine, "  packages:\n    include: [\"@backstage/plugin-catalog\", '@internal/plugin-hello'] # both\n")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newApp(t, tt.app)
			if tt.source != "" {
				writeApp(t, dir, tt.file, tt.source)
			}
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			want := readApp(t, dir, tt.file)
			var res *Result
			var err error
			if tt.file == backendIndex {
				res, err = Backend(dir, backendPlugin)
			} else {
				res, err = Frontend(dir, frontendPlugin, tt.legacy)
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := readApp(t, dir, tt.file); got != want {
				t.Errorf("%s was edited:\n%s", tt.file, got)
			}
			if len(res.Changed) != 1 || !strings.HasSuffix(res.Changed[0], "package.json") {
				t.Errorf("Changed = %q, want only the package.json", res.Changed)
			}
		})
	}
}

func TestExistingDependencyKeepsItsRange(t *testing.T) {
	dir := newApp(t, "app")
	replaceApp(t, dir, backendPackageJSON, `"app": "link:../app",`, `"@internal/plugin-hello-backend": "^1.0.0",`+"\n    \"app\": \"link:../app\",")
	res, err := Backend(dir, backendPlugin)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Changed, []string{backendIndex}) {
		t.Errorf("Changed = %q, want only %s", res.Changed, backendIndex)
	}
}

// TestCommentedOut: wiring in comments does not count.
func TestCommentedOut(t *testing.T) {
	t.Run("backend", func(t *testing.T) {
		dir := newApp(t, "app")
		line := "backend.add(import('@internal/plugin-hello-backend'));"
		replaceApp(t, dir, backendIndex, "backend.start();", "// "+line+"\n/* "+line+" */\nbackend.start();")
		if _, err := Backend(dir, backendPlugin); err != nil {
			t.Fatal(err)
		}
		got := readApp(t, dir, backendIndex)
		if !strings.Contains(got, "*/\n"+line+"\nbackend.start();") || strings.Count(got, line) != 3 {
			t.Errorf("line not added below the comments:\n%s", got)
		}
	})
	t.Run("legacy", func(t *testing.T) {
		dir := newApp(t, "legacy-app")
		imp := "import { HelloPage } from '@internal/plugin-hello';"
		replaceApp(t, dir, appTSX, "const app", "// "+imp+"\n\nconst app")
		replaceApp(t, dir, appTSX, "  </FlatRoutes>", "    {/* "+legacyRoute+" */}\n  </FlatRoutes>")
		if _, err := Frontend(dir, frontendPlugin, true); err != nil {
			t.Fatal(err)
		}
		got := readApp(t, dir, appTSX)
		if strings.Count(got, imp) != 2 || strings.Count(got, legacyRoute) != 2 || !strings.Contains(got, " */}\n    "+legacyRoute+"\n  </FlatRoutes>") {
			t.Errorf("import or route not added:\n%s", got)
		}
		assertParses(t, appTSX, got)
	})
	t.Run("features", func(t *testing.T) {
		dir := newApp(t, "app")
		replaceApp(t, dir, appConfig, discoveryLine, "  # packages: all\n")
		replaceApp(t, dir, appTSX, "homeModule],", "homeModule /* helloPlugin */],\n  // import helloPlugin from '@internal/plugin-hello';")
		if _, err := Frontend(dir, frontendPlugin, false); err != nil {
			t.Fatal(err)
		}
		got := readApp(t, dir, appTSX)
		if !strings.Contains(got, "homeModule, helloPlugin /* helloPlugin */]") || !strings.Contains(got, "\nimport helloPlugin from '@internal/plugin-hello';\n") {
			t.Errorf("feature not added:\n%s", got)
		}
		assertParses(t, appTSX, got)
	})
}

// TestStyleFollowsTheFile: receiver name, quotes, semicolons, indentation
// and line endings come from the file being edited.
func TestStyleFollowsTheFile(t *testing.T) {
	tests := []struct {
		name, file, in, want string
		edit                 func(string, []byte, Plugin) ([]byte, error)
	}{
		{
			name: "backend in a function, double quotes, no semicolons", file: backendIndex, edit: editBackendIndex,
			in:   "import { createBackend } from \"@backstage/backend-defaults\"\n\nasync function main() {\n\tconst server = createBackend()\n\tserver.add(import(\"@backstage/plugin-app-backend\"))\n\tawait server.start()\n}\n\nmain()\n",
			want: "import { createBackend } from \"@backstage/backend-defaults\"\n\nasync function main() {\n\tconst server = createBackend()\n\tserver.add(import(\"@backstage/plugin-app-backend\"))\n\tserver.add(import(\"@internal/plugin-hello-backend\"))\n\tawait server.start()\n}\n\nmain()\n",
		},
		{
			name: "backend with CRLF", file: backendIndex, edit: editBackendIndex,
			in:   "import { createBackend } from '@backstage/backend-defaults';\r\nconst backend = createBackend();\r\n\r\nbackend.start();\r\n",
			want: "import { createBackend } from '@backstage/backend-defaults';\r\nconst backend = createBackend();\r\n\r\nbackend.add(import('@internal/plugin-hello-backend'));\r\nbackend.start();\r\n",
		},
		{
			name: "features over several lines with a trailing comma", file: appTSX, edit: editFeaturesApp,
			in:   "import { createApp } from '@backstage/frontend-defaults';\nimport catalogPlugin from '@backstage/plugin-catalog/alpha'; // the catalog\n\nexport default createApp({\n  features: [\n    catalogPlugin,\n    // more to come\n  ],\n});\n",
			want: "import { createApp } from '@backstage/frontend-defaults';\nimport catalogPlugin from '@backstage/plugin-catalog/alpha'; // the catalog\nimport helloPlugin from '@internal/plugin-hello';\n\nexport default createApp({\n  features: [\n    catalogPlugin,\n    helloPlugin,\n    // more to come\n  ],\n});\n",
		},
		{
			name: "features over several lines without a trailing comma", file: appTSX, edit: editFeaturesApp,
			in:   "import { createApp } from '@backstage/frontend-defaults';\nconst app = createApp({\n  features: [\n    a, // first\n    b /* second,\n    still a comment */\n  ],\n});\nexport default app;\n",
			want: "import { createApp } from '@backstage/frontend-defaults';\nimport helloPlugin from '@internal/plugin-hello';\nconst app = createApp({\n  features: [\n    a, // first\n    b, /* second,\n    still a comment */\n    helloPlugin\n  ],\n});\nexport default app;\n",
		},
		{
			name: "empty features, no semicolons", file: appTSX, edit: editFeaturesApp,
			in:   "import { createApp } from '@backstage/frontend-defaults'\nexport default createApp({ features: [] })\n",
			want: "import { createApp } from '@backstage/frontend-defaults'\nimport helloPlugin from '@internal/plugin-hello'\nexport default createApp({ features: [helloPlugin] })\n",
		},
		{
			name: "legacy, empty FlatRoutes indented with tabs", file: appTSX, edit: editLegacyApp,
			in:   "import { Route } from 'react-router-dom';\nimport { FlatRoutes } from '@backstage/core-app-api';\n\nconst routes = (\n\t<FlatRoutes>\n\t</FlatRoutes>\n);\n",
			want: "import { Route } from 'react-router-dom';\nimport { FlatRoutes } from '@backstage/core-app-api';\nimport { HelloPage } from '@internal/plugin-hello';\n\nconst routes = (\n\t<FlatRoutes>\n\t\t" + legacyRoute + "\n\t</FlatRoutes>\n);\n",
		},
		{
			name: "legacy, FlatRoutes on one line", file: appTSX, edit: editLegacyApp,
			in:   "import { Route } from 'react-router-dom';\nimport { FlatRoutes } from '@backstage/core-app-api';\nconst routes = <FlatRoutes><Route path=\"/\" element={<div />} /></FlatRoutes>;\n",
			want: "import { Route } from 'react-router-dom';\nimport { FlatRoutes } from '@backstage/core-app-api';\nimport { HelloPage } from '@internal/plugin-hello';\nconst routes = <FlatRoutes><Route path=\"/\" element={<div />} />" + legacyRoute + "</FlatRoutes>;\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Plugin{ID: "hello", Package: helloBackend}
			if tt.file == appTSX {
				p.Package = helloFrontend
				if err := p.validate(strings.Contains(tt.name, "legacy")); err != nil {
					t.Fatal(err)
				}
			}
			got, err := tt.edit(tt.file, []byte(tt.in), p)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			again, err := tt.edit(tt.file, got, p)
			if err != nil || string(again) != string(got) {
				t.Errorf("second edit: err %v, changed: %v", err, string(again) != string(got))
			}
		})
	}
}

// TestVerifyRejects: an edit that would break the file is an error, not a
// write; tree-sitter errors the original already had are tolerated.
func TestVerifyRejects(t *testing.T) {
	good := "const a = <div>{1}</div>;\n"
	f, err := parseTS("x.tsx", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	defer f.close()
	for _, bad := range []string{"const a = <div>{1}</div;\n", "const a = <div>{1}</div>;\nimport x from 'y'\n;;)\n"} {
		if _, err := f.verify([]byte(bad)); err == nil || !strings.Contains(err.Error(), "nothing was written") {
			t.Errorf("verify(%q) = %v, want an error", bad, err)
		}
	}
	if _, err := f.verify([]byte(good + "const b = 2;\n")); err != nil {
		t.Errorf("verify of a good edit: %v", err)
	}
}

func ExampleBackend() {
	dir, err := os.MkdirTemp("", "wire-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	if err := copyTree("app", dir); err != nil {
		panic(err)
	}
	res, err := Backend(dir, Plugin{ID: "hello", Package: "@internal/plugin-hello-backend"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Changed)
	res, _ = Backend(dir, Plugin{ID: "hello", Package: "@internal/plugin-hello-backend"})
	fmt.Println(res.Changed)
	// Output:
	// [packages/backend/package.json packages/backend/src/index.ts]
	// []
}

// FuzzEditBackendIndex: on any input the edit refuses, leaves the file, or
// produces a file a second edit leaves alone (verification already
// guarantees the output parses).
func FuzzEditBackendIndex(f *testing.F) {
	for _, s := range []string{
		"const backend = createBackend();\nbackend.start();\n",
		"const b = createBackend()\nb.add(import('x'))\nif (1) b.start()\n",
		"const backend = createBackend();\n// backend.add(import('@a/b'));\nbackend.start();\n",
	} {
		f.Add(s)
	}
	p := Plugin{ID: "b", Package: "@a/b"}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := editBackendIndex(backendIndex, []byte(in), p)
		if err != nil {
			return
		}
		again, err := editBackendIndex(backendIndex, out, p)
		if err != nil || string(again) != string(out) {
			t.Fatalf("%q: second edit: %v, %q", in, err, again)
		}
	})
}

func readApp(t *testing.T, dir, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// replaceApp edits a skeleton file in place and fails if old is not there,
// so a skeleton change cannot silently turn a test into a no-op.
func replaceApp(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	s := readApp(t, dir, rel)
	if !strings.Contains(s, old) {
		t.Fatalf("%s does not contain %q", rel, old)
	}
	writeApp(t, dir, rel, strings.Replace(s, old, new, 1))
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

func TestIsLegacyApp(t *testing.T) {
	for dir, want := range map[string]bool{"app": false, "legacy-app": true} {
		got, err := IsLegacyApp(filepath.Join("testdata", dir))
		if err != nil || got != want {
			t.Errorf("%s: IsLegacyApp = %v, %v; want %v", dir, got, err, want)
		}
	}
	if got, err := IsLegacyApp(t.TempDir()); err != nil || got {
		t.Errorf("empty dir: %v, %v", got, err)
	}
}
