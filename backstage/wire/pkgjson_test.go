package wire

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestAddDependency(t *testing.T) {
	const pkg = "@internal/plugin-b"
	tests := []struct {
		name, in, want string
	}{
		{
			name: "sorted, in the middle",
			in:   "{\n  \"name\": \"x\",\n  \"dependencies\": {\n    \"@backstage/a\": \"^1\",\n    \"react\": \"^18\"\n  }\n}\n",
			want: "{\n  \"name\": \"x\",\n  \"dependencies\": {\n    \"@backstage/a\": \"^1\",\n    \"@internal/plugin-b\": \"workspace:^\",\n    \"react\": \"^18\"\n  }\n}\n",
		},
		{
			name: "first",
			in:   "{\n  \"dependencies\": {\n    \"react\": \"^18\"\n  }\n}\n",
			want: "{\n  \"dependencies\": {\n    \"@internal/plugin-b\": \"workspace:^\",\n    \"react\": \"^18\"\n  }\n}\n",
		},
		{
			name: "last",
			in:   "{\n  \"dependencies\": {\n    \"@backstage/a\": \"^1\"\n  },\n  \"files\": [\"dist\"]\n}\n",
			want: "{\n  \"dependencies\": {\n    \"@backstage/a\": \"^1\",\n    \"@internal/plugin-b\": \"workspace:^\"\n  },\n  \"files\": [\"dist\"]\n}\n",
		},
		{
			name: "tabs, CRLF, no final newline",
			in:   "{\r\n\t\"dependencies\": {\r\n\t\t\"a\": \"1\"\r\n\t}\r\n}",
			want: "{\r\n\t\"dependencies\": {\r\n\t\t\"@internal/plugin-b\": \"workspace:^\",\r\n\t\t\"a\": \"1\"\r\n\t}\r\n}",
		},
		{
			name: "one line, compact separator",
			in:   `{"dependencies":{"@a/z":"1","zz":"2"}}`,
			want: `{"dependencies":{"@a/z":"1","@internal/plugin-b":"workspace:^","zz":"2"}}`,
		},
		{
			name: "one line, at the end",
			in:   `{"dependencies": {"@a/z": "1"}}`,
			want: `{"dependencies": {"@a/z": "1", "@internal/plugin-b": "workspace:^"}}`,
		},
		{
			name: "empty object",
			in:   "{\n  \"dependencies\": {},\n  \"x\": 1\n}\n",
			want: "{\n  \"dependencies\": {\n    \"@internal/plugin-b\": \"workspace:^\"\n  },\n  \"x\": 1\n}\n",
		},
		{
			name: "empty object over lines",
			in:   "{\n  \"dependencies\": {\n  }\n}\n",
			want: "{\n  \"dependencies\": {\n    \"@internal/plugin-b\": \"workspace:^\"\n  }\n}\n",
		},
		{
			name: "no dependencies: before devDependencies",
			in:   "{\n  \"name\": \"x\",\n  \"devDependencies\": {\n    \"a\": \"1\"\n  }\n}\n",
			want: "{\n  \"name\": \"x\",\n  \"dependencies\": {\n    \"@internal/plugin-b\": \"workspace:^\"\n  },\n  \"devDependencies\": {\n    \"a\": \"1\"\n  }\n}\n",
		},
		{
			name: "no dependencies: at the end",
			in:   "{\n  \"name\": \"x\"\n}\n",
			want: "{\n  \"name\": \"x\",\n  \"dependencies\": {\n    \"@internal/plugin-b\": \"workspace:^\"\n  }\n}\n",
		},
		{
			name: "present with another range",
			in:   "{\"dependencies\": {\"@internal/plugin-b\": \"^2.0.0\"}}",
			want: "{\"dependencies\": {\"@internal/plugin-b\": \"^2.0.0\"}}",
		},
		{
			name: "keys with escapes and nested values are skipped correctly",
			in:   "{\n  \"a\\\"}\": {\"b\": [1, {\"c\": \"}\"}]},\n  \"dependencies\": {\n    \"x\\u0041\": \"1\"\n  }\n}\n",
			want: "{\n  \"a\\\"}\": {\"b\": [1, {\"c\": \"}\"}]},\n  \"dependencies\": {\n    \"@internal/plugin-b\": \"workspace:^\",\n    \"x\\u0041\": \"1\"\n  }\n}\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := addDependency("package.json", []byte(tt.in), pkg)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestAddDependencyRefuses(t *testing.T) {
	tests := []struct {
		in, problem string
		line, col   int
	}{
		{"[1]", "expected a JSON object", 1, 1},
		{"\n\n  \"x\"", "expected a JSON object", 3, 3},
		{"{\"dependencies\": null}", "not an object", 1, 18},
		{"{\"dependencies\": [\"a\"]}", "not an object", 1, 18},
		{"{\n\"dependencies\": {},\n\"dependencies\": {}\n}", "appears twice", 3, 1},
		{"{\n  \"a\": 1,\n}", "not valid JSON", 3, 2},
		{"", "not valid JSON", 1, 1},
	}
	for _, tt := range tests {
		_, err := addDependency("p.json", []byte(tt.in), "x")
		var se *ShapeError
		if !errors.As(err, &se) || !strings.Contains(se.Problem, tt.problem) || se.Line != tt.line || se.Col != tt.col {
			t.Errorf("%q: err = %#v, want %q at %d:%d", tt.in, err, tt.problem, tt.line, tt.col)
			continue
		}
		if len(se.Manual) != 1 || se.Manual[0] != `"x": "workspace:^"` {
			t.Errorf("%q: Manual = %q", tt.in, se.Manual)
		}
	}
}

// FuzzAddDependency: any input is either refused or gets exactly the one
// dependency (addDependency checks that itself; this makes sure the offset
// scanner never panics and the check never fails on valid JSON).
func FuzzAddDependency(f *testing.F) {
	for _, s := range []string{"{}", `{"dependencies":{}}`, "{\n \"dependencies\": {\n  \"a\": \"1\"\n }\n}", `{"a":[{"b":"\"}"}]}`, `[]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := addDependency("p.json", []byte(in), "@a/b")
		var se *ShapeError
		if err != nil && !errors.As(err, &se) {
			t.Fatalf("%q: %v", in, err)
		}
		if err == nil && !json.Valid(out) {
			t.Fatalf("%q -> invalid %q", in, out)
		}
	})
}

// TestValidation: names that could break out of a string literal, a JSX
// attribute or a path are refused before any file is read or written.
func TestValidation(t *testing.T) {
	badPackages := []string{
		"",
		"@internal/plugin-x'));require('child_process').exec('id');//",
		"@internal/plugin-x\"}",
		"@internal/plugin-x\nimport y from 'z'",
		`@internal\plugin-x`,
		"../../etc/passwd",
		"@Internal/Plugin",
		"@scope/",
		"@/x",
		".hidden",
		"a b",
		strings.Repeat("a", 215),
	}
	badPlugins := []Plugin{
		{ID: "hello\" onClick=\"x", Package: "@internal/plugin-hello"},
		{ID: "hello", Package: "@internal/plugin-hello", Export: "HelloPage />} /><script"},
		{ID: "hello", Package: "@internal/plugin-hello", Export: "default"},
		{Package: "@internal/plugin-hello"},
	}
	for _, pkg := range badPackages {
		badPlugins = append(badPlugins, Plugin{ID: "x", Package: pkg, Export: "X"})
	}
	for _, p := range badPlugins {
		for _, legacy := range []bool{false, true} {
			if err := p.validate(legacy); err == nil {
				t.Errorf("%+v (legacy %v) accepted", p, legacy)
			}
			dir := newApp(t, "app")
			before := snapshot(t, dir)
			if _, err := Frontend(dir, p, legacy); err == nil {
				t.Errorf("Frontend accepted %+v", p)
			}
			sameSnapshot(t, before, snapshot(t, dir))
		}
	}
	for _, pkg := range badPackages {
		dir := newApp(t, "app")
		before := snapshot(t, dir)
		if _, err := Backend(dir, Plugin{ID: "x", Package: pkg}); err == nil {
			t.Errorf("Backend accepted %q", pkg)
		}
		sameSnapshot(t, before, snapshot(t, dir))
	}

	good := []struct {
		p          Plugin
		legacy     bool
		wantExport string
		wantOK     bool
	}{
		{Plugin{ID: "hello", Package: "@internal/plugin-hello"}, false, "helloPlugin", true},
		{Plugin{ID: "my-tool", Package: "@internal/plugin-my-tool"}, true, "MyToolPage", true},
		{Plugin{ID: "x", Package: "plain-name", Export: "X"}, true, "X", true},
		{Plugin{ID: "x", Package: "@a/b", Export: "lower"}, true, "lower", false},
	}
	for _, g := range good {
		err := g.p.validate(g.legacy)
		if (err == nil) != g.wantOK || g.p.Export != g.wantExport {
			t.Errorf("%+v: err %v, export %q", g.p, err, g.p.Export)
		}
	}
}
