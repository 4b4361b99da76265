package backstage

import (
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/contract"
)

// reactCases are guest files in the style of React 16/17 (and of the
// original bigband's examples): want is the file after rendering, "" when
// it must stay as it is.
var reactCases = []struct {
	name, path, src, want string
}{
	{"bigband example style", "ExampleComponent.tsx",
		"import React from \"react\";\nimport { Typography, Grid } from \"@material-ui/core\";\nimport { InfoCard } from \"@backstage/core-components\";\n\nexport const ExampleComponent = () => (\n  <InfoCard title=\"Don't panic\">\n    <Typography>Built with React. It's fine: 'quotes\" and /slashes/ and {'{'}braces.</Typography>\n    <Grid item>React</Grid>\n  </InfoCard>\n);\n",
		"import { Typography, Grid } from \"@material-ui/core\";\nimport { InfoCard } from \"@backstage/core-components\";\n\nexport const ExampleComponent = () => (\n  <InfoCard title=\"Don't panic\">\n    <Typography>Built with React. It's fine: 'quotes\" and /slashes/ and {'{'}braces.</Typography>\n    <Grid item>React</Grid>\n  </InfoCard>\n);\n"},
	{"alone, blank line after", "Page.tsx",
		"import React from 'react';\n\nexport const Page = () => <p>hi</p>;\n",
		"export const Page = () => <p>hi</p>;\n"},
	{"namespace import", "Page.tsx",
		"import * as React from 'react';\nimport { x } from './x';\n\nexport const Page = () => <p>{x}</p>;\n",
		"import { x } from './x';\n\nexport const Page = () => <p>{x}</p>;\n"},
	{"default with named imports", "Counter.tsx",
		"import React, { useState } from 'react';\n\nexport function Counter() {\n  const [n, setN] = useState(0);\n  return <button onClick={() => setN(n + 1)}>{n}</button>;\n}\n",
		"import { useState } from 'react';\n\nexport function Counter() {\n  const [n, setN] = useState(0);\n  return <button onClick={() => setN(n + 1)}>{n}</button>;\n}\n"},
	{"between other imports, CRLF", "Page.tsx",
		"import { a } from './a';\r\nimport React from 'react';\r\nimport { b } from './b';\r\n\r\nexport const Page = () => <p>{a}{b}</p>;\r\n",
		"import { a } from './a';\r\nimport { b } from './b';\r\n\r\nexport const Page = () => <p>{a}{b}</p>;\r\n"},
	{"directive first", "Page.tsx",
		"'use client';\nimport React from 'react';\nexport const Page = () => <p />;\n",
		"'use client';\nexport const Page = () => <p />;\n"},
	{"comment after it on the line", "Page.tsx",
		"import React from 'react'; // needed for JSX\nexport const Page = () => <p />;\n",
		"// needed for JSX\nexport const Page = () => <p />;\n"},
	{"only in comments, strings and templates", "Page.tsx",
		"import React from 'react';\n// React component\n/* React */\nconst s = 'React';\nconst t = `React ${s}`;\nconst r = /React/;\nconst o = { React: 1 };\nexport const Page = () => <p title=\"React\">{o.React}{s}{t}{String(r)}</p>;\n",
		"// React component\n/* React */\nconst s = 'React';\nconst t = `React ${s}`;\nconst r = /React/;\nconst o = { React: 1 };\nexport const Page = () => <p title=\"React\">{o.React}{s}{t}{String(r)}</p>;\n"},
	{".ts file", "util/hooks.ts",
		"import React from 'react';\nimport { useState } from 'react';\n\nexport const useFlag = () => useState(false);\n",
		"import { useState } from 'react';\n\nexport const useFlag = () => useState(false);\n"},
	{".jsx file", "Old.jsx",
		"import React from 'react';\nexport default function Old() { return <div>Don't</div>; }\n",
		"export default function Old() { return <div>Don't</div>; }\n"},
	{".js file, no semicolons", "old.js",
		"import React from 'react'\nimport { h } from './h'\nexport const old = () => h('div', null, 'old')\n",
		"import { h } from './h'\nexport const old = () => h('div', null, 'old')\n"},
	{"other local name", "Page.tsx",
		"import R from 'react';\nexport const Page = () => <p />;\n",
		"export const Page = () => <p />;\n"},

	// Kept: React is used, or the file can't be judged.
	{"React.useState", "Page.tsx", "import React from 'react';\nexport const Page = () => { const [a] = React.useState(1); return <p>{a}</p>; };\n", ""},
	{"React.FC in a type", "Page.tsx", "import React from 'react';\nexport const Page: React.FC = () => <p />;\n", ""},
	{"React.ReactNode in an interface", "Card.tsx", "import React from 'react';\ninterface P { children: React.ReactNode }\nexport const Card = ({ children }: P) => <div>{children}</div>;\n", ""},
	{"typeof React", "x.ts", "import * as React from 'react';\nexport type R = typeof React;\n", ""},
	{"React.Fragment in JSX", "Page.tsx", "import React from 'react';\nexport const Page = () => <React.Fragment><p /></React.Fragment>;\n", ""},
	{"template substitution", "Page.tsx", "import React from 'react';\nexport const v = `v${React.version}`;\n", ""},
	{"shorthand property", "x.ts", "import React from 'react';\nexport const deps = { React };\n", ""},
	{"re-exported", "x.ts", "import React from 'react';\nexport { React };\n", ""},
	{"class component", "Old.tsx", "import React from 'react';\nexport class Old extends React.Component { render() { return <p />; } }\n", ""},
	{"shadowed (kept: not resolved)", "x.tsx", "import React from 'react';\nexport const f = (React: number) => React + 1;\n", ""},
	{"classic runtime pragma", "Page.tsx", "/** @jsxRuntime classic */\nimport React from 'react';\nexport const Page = () => <p />;\n", ""},
	{"type-only import", "x.ts", "import type React from 'react';\nexport const a = 1;\n", ""},
	{"not react", "Page.tsx", "import Preact from 'preact';\nimport React from 'react-dom';\nexport const Page = () => <p />;\n", ""},
	{"syntax error", "Page.tsx", "import React from 'react';\nexport const Page = () => <p>;\n", ""},
	{"named only", "Page.tsx", "import { useState } from 'react';\nexport const Page = () => <p>{String(useState)}</p>;\n", ""},
	{"css file", "styles.css", "import React from 'react';\n", ""},
}

func TestDropUnusedReact(t *testing.T) {
	if !reactImportsSupported {
		t.Skip("built without cgo: no parser, files are kept as they are")
	}
	for _, tc := range reactCases {
		t.Run(tc.name, func(t *testing.T) {
			got, changed := dropUnusedReact(tc.path, []byte(tc.src))
			want := tc.want
			if want == "" {
				want = tc.src
			}
			if string(got) != want || changed != (tc.want != "") {
				t.Errorf("changed %v, got:\n%s\nwant:\n%s", changed, got, want)
			}
		})
	}
}

// Render removes the imports, says so in a note and in the README, and
// the result still passes the syntax check.
func TestRenderDropsUnusedReact(t *testing.T) {
	if !reactImportsSupported {
		t.Skip("built without cgo")
	}
	var files []contract.File
	dropped := 0
	for i, tc := range reactCases {
		if tc.name == "syntax error" || !componentExts[path.Ext(tc.path)] {
			continue
		}
		p := strings.Repeat("d/", i%3) + string(rune('a'+i)) + "-" + strings.ReplaceAll(tc.path, "/", "-")
		files = append(files, contract.File{Path: p, Contents: tc.src})
		if tc.want != "" {
			dropped++
		}
	}
	files[0].IsRoot, files[0].ComponentClassName = true, "ExampleComponent"
	p, err := Render(smallFrontend(files...), Options{ID: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"hello: removed unused `import React` from " + strconv.Itoa(dropped) + " files (the app uses the automatic JSX runtime)"}
	if !slices.Equal(p.Notes, want) {
		t.Errorf("notes %q, want %q", p.Notes, want)
	}
	readme := string(p.File("README.md").Data)
	if n := strings.Count(readme, "(without its unused `import React`)"); n != dropped || !strings.Contains(readme, "TS6133") {
		t.Errorf("README marks %d files, want %d:\n%s", n, dropped, readme)
	}

	one, err := Render(smallFrontend(contract.File{Path: "P.tsx", IsRoot: true, ComponentClassName: "P", Contents: reactCases[1].src}), Options{ID: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(one.Notes, []string{"hello: removed unused `import React` from 1 file (the app uses the automatic JSX runtime)"}) {
		t.Errorf("notes %q", one.Notes)
	}
	// Nothing to remove: no note, and the README says nothing about it.
	none := render(t, twoFiles(true), Options{})
	if len(none.Notes) != 0 || strings.Contains(string(none.File("README.md").Data), "import React") {
		t.Errorf("notes %q", none.Notes)
	}
}

// FuzzDropUnusedReact: whatever the file, no panic; a changed file is
// shorter, still parses, and a second pass changes nothing more.
func FuzzDropUnusedReact(f *testing.F) {
	if !reactImportsSupported {
		f.Skip("built without cgo")
	}
	for _, tc := range reactCases {
		f.Add(tc.path, tc.src)
	}
	f.Fuzz(func(t *testing.T, name, src string) {
		out, changed := dropUnusedReact(name, []byte(src))
		if !changed {
			if string(out) != src {
				t.Fatalf("unchanged, but the bytes differ: %q", out)
			}
			return
		}
		if len(out) >= len(src) {
			t.Fatalf("%q grew or stayed: %q", src, out)
		}
		again, changed := dropUnusedReact(name, out)
		if changed {
			t.Fatalf("second pass changed %q into %q", out, again)
		}
	})
}
