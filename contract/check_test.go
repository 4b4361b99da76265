package contract_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/contract"
	"github.com/bigband-dev/bigband/wit"
)

// frontendIface is the frontend interface as a guest would copy it; cases
// mutate it with strings.Replace.
const frontendIface = `interface backstage-frontend-plugin {
  record node-dependency { name: string, version: option<string>, dev: bool }
  get-node-deps: func() -> result<list<node-dependency>, string>;
  record component-file { path: string, is-root: bool, component-class-name: option<string>, contents: string }
  get-component-files: func() -> result<list<component-file>, string>;
}
`

const backendIface = `interface backstage-backend-plugin {
  record route { method: string, path: string }
  get-routes: func() -> result<list<route>, string>;
}
`

// wasiHTTP is a guest's own minimal copy of wasi:http at version v, as a
// nested package so the guest loads from one overlay file.
func wasiHTTP(v string) string {
	return `
package wasi:http@` + v + ` {
  interface types {
    resource incoming-request;
    resource response-outparam;
  }
  interface incoming-handler {
    use types.{incoming-request, response-outparam};
    handle: func(request: incoming-request, response-out: response-outparam);
  }
}
`
}

func guest(body string) string { return "package component:backstage-rust-plugin;\n\n" + body }

func replace(s, old, new string) string {
	if !strings.Contains(s, old) {
		panic("test case does not apply: " + old)
	}
	return strings.Replace(s, old, new, 1)
}

// loadPkg resolves src from a virtual file, through an overlay.
func loadPkg(t *testing.T, src string) (*wit.Resolve, wit.PackageID) {
	t.Helper()
	path, err := filepath.Abs(filepath.Join(string(filepath.Separator), "virtual", "guest.wit"))
	if err != nil {
		t.Fatal(err)
	}
	r, pkg, err := wit.Load(path, wit.LoadOptions{Overlays: map[string][]byte{path: []byte(src)}})
	if err != nil {
		t.Fatalf("load: %v\n%s", err, src)
	}
	return r, pkg
}

// load resolves src and returns the world named world.
func load(t *testing.T, src, world string) (*wit.Resolve, wit.WorldID) {
	t.Helper()
	r, pkg := loadPkg(t, src)
	id, ok := r.Packages[pkg].World(world)
	if !ok {
		t.Fatalf("no world %s", world)
	}
	return r, id
}

func messages(ps []contract.Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Kind.String()+": "+p.Message)
	}
	return out
}

func TestExamplePackageSatisfiesBoth(t *testing.T) {
	for _, tc := range []struct {
		world string
		want  contract.Kind
	}{
		{"frontend-plugin", contract.Frontend},
		{"backend-plugin", contract.Backend},
	} {
		r, pkg, err := wit.Load("../guest/wit/backstage", wit.LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		w, _ := r.Packages[pkg].World(tc.world)
		kind, ok, ps := contract.CheckWorld(r, w)
		if kind != tc.want || !ok || len(ps) > 0 {
			t.Errorf("%s: got %v %v %q, want %v true", tc.world, kind, ok, messages(ps), tc.want)
		}
	}
}

func TestContractSatisfiesItself(t *testing.T) {
	r, pkg, err := contract.Contract()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []contract.Kind{contract.Frontend, contract.Backend} {
		w, ok := r.Packages[pkg].World(k.World())
		if !ok {
			t.Fatalf("contract has no world %s", k.World())
		}
		if got, ok, ps := contract.CheckWorld(r, w); got != k || !ok {
			t.Errorf("%s: got %v %v %q", k.World(), got, ok, messages(ps))
		}
	}
}

func TestCheckWorld(t *testing.T) {
	const (
		front = contract.Frontend
		back  = contract.Backend
	)
	frontWorld := "world plugin { export backstage-frontend-plugin; }\n"
	backWorld := "world plugin {\n  export backstage-backend-plugin;\n  export wasi:http/incoming-handler@0.2.3;\n}\n"
	backend := func(iface string) string { return guest(iface + backWorld + wasiHTTP("0.2.3")) }
	for _, tc := range []struct {
		name string
		src  string
		kind contract.Kind
		want []string // nil: satisfied
	}{
		{"frontend from another package", guest(frontendIface + frontWorld), front, nil},
		{"backend with incoming-handler 0.2.3", backend(backendIface), back, nil},
		{"incoming-handler 0.2.10", guest(backendIface +
			"world plugin {\n  export backstage-backend-plugin;\n  export wasi:http/incoming-handler@0.2.10;\n}\n" + wasiHTTP("0.2.10")), back, nil},
		{"type names differ", guest(strings.ReplaceAll(frontendIface, "node-dependency", "dep") + frontWorld), front, nil},
		{"extra functions and exports", guest(replace(frontendIface, "get-node-deps:", "hello: func(n: u32) -> string;\n  get-node-deps:") +
			"interface extra { f: func(); }\nworld plugin { export backstage-frontend-plugin; export extra; import extra; }\n"), front, nil},
		{"aliases and use", guest(`interface types {
  record node-dependency { name: string, version: option<string>, dev: bool }
  type deps = list<node-dependency>;
}
` + replace(replace(frontendIface, "record node-dependency { name: string, version: option<string>, dev: bool }",
			"use types.{deps};\n  type failure = string;"), "result<list<node-dependency>, string>", "result<deps, failure>") + frontWorld), front, nil},
		{"inline interface under the plain name", guest("world plugin {\n  export backstage-frontend-plugin: interface " +
			strings.TrimPrefix(frontendIface, "interface backstage-frontend-plugin ") + "}\n"), front, nil},

		{"missing function", guest(replace(frontendIface, "  get-component-files: func() -> result<list<component-file>, string>;\n", "") + frontWorld), front, []string{
			"frontend: export backstage-frontend-plugin#get-component-files: missing (the frontend contract needs it)"}},
		{"wrong result", backend(replace(backendIface, "-> result<list<route>, string>", "-> list<route>")), back, []string{
			"backend: `get-routes` returns `list<route>`, the contract needs `result<list<route>, string>`"}},
		{"wrong error type", backend(replace(backendIface, "list<route>, string>", "list<route>, u32>")), back, []string{
			"backend: `get-routes` returns `result<list<route>, u32>`, the contract needs `result<list<route>, string>`"}},
		{"no result", backend(replace(backendIface, " -> result<list<route>, string>", "")), back, []string{
			"backend: `get-routes` returns nothing, the contract needs `result<list<route>, string>`"}},
		{"extra parameter", backend(replace(backendIface, "func()", "func(prefix: string)")), back, []string{
			"backend: `get-routes` is `func(prefix: string) -> result<list<route>, string>`, the contract needs `func() -> result<list<route>, string>`"}},
		{"wrong field type", guest(replace(frontendIface, "dev: bool", "dev: string") + frontWorld), front, []string{
			"frontend: `get-node-deps`: record `node-dependency` field `dev` is `string`, the contract needs `bool`"}},
		{"wrong type inside option", guest(replace(frontendIface, "version: option<string>", "version: option<u32>") + frontWorld), front, []string{
			"frontend: `get-node-deps`: record `node-dependency` field `version` is `option<u32>`, the contract needs `option<string>`"}},
		{"missing field", guest(replace(frontendIface, ", dev: bool", "") + frontWorld), front, []string{
			"frontend: `get-node-deps`: record `node-dependency` has no field `dev`, the contract needs `dev: bool`"}},
		{"extra field", guest(replace(frontendIface, "dev: bool", "dev: bool, peer: bool") + frontWorld), front, []string{
			"frontend: `get-node-deps`: record `node-dependency` field `peer` is not in the contract (an extra field changes the canonical ABI layout)"}},
		{"renamed field", guest(replace(frontendIface, "is-root: bool", "root: bool") + frontWorld), front, []string{
			"frontend: `get-component-files`: record `component-file` has no field `is-root`, the contract needs `is-root: bool`",
			"frontend: `get-component-files`: record `component-file` field `root` is not in the contract (an extra field changes the canonical ABI layout)"}},
		{"fields out of order", guest(replace(frontendIface, "name: string, version: option<string>", "version: option<string>, name: string") + frontWorld), front, []string{
			"frontend: `get-node-deps`: record `node-dependency` fields are in the order `version, name, dev`, the contract needs `name, version, dev` (field order is part of the canonical ABI layout)"}},
		{"record where a string belongs", guest(replace(frontendIface, "contents: string", "contents: node-dependency") + frontWorld), front, []string{
			"frontend: `get-component-files`: record `component-file` field `contents` is `node-dependency`, the contract needs `string`"}},

		{"backend without incoming-handler", guest(backendIface + "world plugin { export backstage-backend-plugin; }\n"), back, []string{
			"backend: export wasi:http/incoming-handler: missing (the backend contract needs it, at any 0.2.x version)"}},
		{"incoming-handler 0.3.0", guest(backendIface +
			"world plugin {\n  export backstage-backend-plugin;\n  export wasi:http/incoming-handler@0.3.0;\n}\n" + wasiHTTP("0.3.0")), back, []string{
			"backend: wasi:http/incoming-handler@0.3.0: version 0.3.0 is not 0.2.x"}},
		{"incoming-handler release candidate", guest(backendIface +
			"world plugin {\n  export backstage-backend-plugin;\n  export wasi:http/incoming-handler@0.2.0-rc-2023-12-05;\n}\n" + wasiHTTP("0.2.0-rc-2023-12-05")), back, []string{
			"backend: wasi:http/incoming-handler@0.2.0-rc-2023-12-05: version 0.2.0-rc-2023-12-05 is not 0.2.x"}},
		{"handle with the wrong parameter", guest(backendIface + backWorld +
			replace(wasiHTTP("0.2.3"), "response-out: response-outparam", "response-out: u32")), back, []string{
			"backend: `handle` parameter `response-out` is `u32`, the contract needs `response-outparam`"}},
		{"handle with another resource", guest(backendIface + backWorld +
			strings.ReplaceAll(wasiHTTP("0.2.3"), "incoming-request", "request")), back, []string{
			"backend: `handle` parameter `request` is `request`, the contract needs `incoming-request`"}},
		{"handle missing", guest(backendIface + backWorld +
			replace(wasiHTTP("0.2.3"), "handle: func", "handle-it: func")), back, []string{
			"backend: export wasi:http/incoming-handler@0.2.3#handle: missing (the backend contract needs it)"}},
		{"only incoming-handler", guest("world plugin { export wasi:http/incoming-handler@0.2.3; }\n" + wasiHTTP("0.2.3")), back, []string{
			"backend: export backstage-backend-plugin: missing (the backend contract needs it)"}},

		{"neither contract", guest("interface other { f: func(); }\nworld plugin { export other; }\n"), front, []string{
			"frontend: export backstage-frontend-plugin: missing (the frontend contract needs it)",
			"backend: export backstage-backend-plugin: missing (the backend contract needs it)",
			"backend: export wasi:http/incoming-handler: missing (the backend contract needs it, at any 0.2.x version)"}},
		{"imported instead of exported", guest(frontendIface + "world plugin { import backstage-frontend-plugin; }\n"), front, []string{
			"frontend: export backstage-frontend-plugin: missing (the frontend contract needs it; the world imports it, export it instead)",
			"backend: export backstage-backend-plugin: missing (the backend contract needs it)",
			"backend: export wasi:http/incoming-handler: missing (the backend contract needs it, at any 0.2.x version)"}},
		{"world-level functions", guest(`interface types { record node-dependency { name: string, version: option<string>, dev: bool } }
world plugin {
  use types.{node-dependency};
  export get-node-deps: func() -> result<list<node-dependency>, string>;
}
`), front, []string{
			"frontend: export backstage-frontend-plugin: missing (the frontend contract needs it; `get-node-deps` exported outside any interface, move them into an interface named backstage-frontend-plugin)",
			"backend: export backstage-backend-plugin: missing (the backend contract needs it)",
			"backend: export wasi:http/incoming-handler: missing (the backend contract needs it, at any 0.2.x version)"}},
		{"broken frontend beside a backend", guest(replace(frontendIface, "dev: bool", "dev: u8") + backendIface +
			"world plugin {\n  export backstage-frontend-plugin;\n  export backstage-backend-plugin;\n  export wasi:http/incoming-handler@0.2.3;\n}\n" + wasiHTTP("0.2.3")), back, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, w := load(t, tc.src, "plugin")
			kind, ok, ps := contract.CheckWorld(r, w)
			got := messages(ps)
			if kind != tc.kind || ok != (tc.want == nil) || !slices.Equal(got, tc.want) {
				t.Errorf("got %v %v\n  %s\nwant %v %v\n  %s", kind, ok, strings.Join(got, "\n  "),
					tc.kind, tc.want == nil, strings.Join(tc.want, "\n  "))
			}
		})
	}
}

// Problems point at the guest's WIT so an editor can underline them.
func TestProblemSpans(t *testing.T) {
	src := guest(replace(frontendIface, "dev: bool", "dev: string") + "world plugin { export backstage-frontend-plugin; }\n")
	r, w := load(t, src, "plugin")
	_, _, ps := contract.CheckWorld(r, w)
	if len(ps) != 1 {
		t.Fatalf("got %q", messages(ps))
	}
	p := r.Files.Position(ps[0].Span.Start)
	line := strings.Split(src, "\n")[p.Line-1]
	if p.Line != 4 || !strings.HasPrefix(line[p.Column-1:], "dev: string") {
		t.Errorf("span at %v (%q), want the field `dev` on line 4", p, line)
	}

	// A missing interface points at the world.
	r, w = load(t, guest("world plugin {}\n"), "plugin")
	_, _, ps = contract.CheckWorld(r, w)
	for _, p := range ps {
		if pos := r.Files.Position(p.Span.Start); pos.Line != 3 {
			t.Errorf("%s: at %v, want the world on line 3", p.Message, pos)
		}
	}
}

func TestKind(t *testing.T) {
	for _, tc := range []struct {
		k                 contract.Kind
		str, iface, world string
	}{
		{contract.Frontend, "frontend", "backstage-frontend-plugin", "frontend-plugin"},
		{contract.Backend, "backend", "backstage-backend-plugin", "backend-plugin"},
	} {
		if tc.k.String() != tc.str || tc.k.Interface() != tc.iface || tc.k.World() != tc.world {
			t.Errorf("%d: got %s %s %s", tc.k, tc.k, tc.k.Interface(), tc.k.World())
		}
	}
}

// Contract returns a copy callers may change without affecting the checks.
func TestContractIsACopy(t *testing.T) {
	r, pkg, err := contract.Contract()
	if err != nil {
		t.Fatal(err)
	}
	id, _ := r.Packages[pkg].Interface("backstage-frontend-plugin")
	r.Interfaces[id].Functions = nil
	r2, w := load(t, guest(frontendIface+"world plugin { export backstage-frontend-plugin; }\n"), "plugin")
	if _, ok, ps := contract.CheckWorld(r2, w); !ok {
		t.Errorf("after changing a copy: %q", messages(ps))
	}
	if !strings.Contains(string(contract.Source), "package backstage:plugins;") {
		t.Error("Source is not the contract package")
	}
}
