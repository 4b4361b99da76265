package wit

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/wit/syntax"
)

// testdata/wasi03 uses what WIT gained for WASI 0.3: async functions and
// methods, stream and future (with and without payloads), error-context,
// map, fixed-length lists, plain-named imports that implement an interface
// (with @external-id, and renamed through `include ... with`), gates.

func TestWASI03Resolves(t *testing.T) {
	root, _ := filepath.Abs(filepath.Join("testdata", "wasi03"))
	for _, features := range []map[string]bool{nil, {"fancy": true}} {
		res := Check(context.Background(), root, LoadOptions{Features: features})
		if len(res.Diagnostics) > 0 || !res.HasPackage {
			t.Fatalf("features %v: %s", features, messages(res))
		}
	}
	r, _, err := Load(root, LoadOptions{Features: map[string]bool{"fancy": true}})
	if err != nil {
		t.Fatal(err)
	}
	js := r.JSON()
	var doc struct {
		Types []struct {
			Name *string
			Kind any
		}
		Interfaces []struct {
			Name      *string
			Functions map[string]struct{ Kind any }
		}
		Worlds []struct {
			Name    string
			Imports map[string]map[string]any
			Exports map[string]map[string]any
		}
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, ty := range doc.Types {
		switch k := ty.Kind.(type) {
		case string:
			kinds[k] = true
		case map[string]any:
			for name := range k {
				kinds[name] = true
			}
		}
	}
	for _, k := range []string{"stream", "future", "map", "fixed-length-list", "resource", "handle"} {
		if !kinds[k] {
			t.Errorf("no %s type in the JSON (kinds %v)", k, kinds)
		}
	}
	fkinds := map[string]string{}
	for _, i := range doc.Interfaces {
		for name, f := range i.Functions {
			switch k := f.Kind.(type) {
			case string:
				fkinds[name] = k
			case map[string]any:
				for kk := range k {
					fkinds[name] = kk
				}
			}
		}
	}
	for name, want := range map[string]string{
		"[method]body.read": "async-method", "[static]body.finish": "async-static",
		"[method]body.trailers": "method", "get": "async-freestanding", "[method]bucket.get": "async-method",
		"cancel": "freestanding", "[constructor]body": "constructor",
	} {
		if fkinds[name] != want {
			t.Errorf("function %s: kind %q, want %q", name, fkinds[name], want)
		}
	}
	var service map[string]map[string]any
	var exports map[string]map[string]any
	for _, w := range doc.Worlds {
		if w.Name == "service" {
			service, exports = w.Imports, w.Exports
		}
	}
	for _, name := range []string{"users", "catalog", "my-cache"} {
		if _, ok := service[name]["interface"]; !ok {
			t.Errorf("world service: import %s is %v, want an interface import", name, service[name])
		}
	}
	if ext := service["users"]["interface"].(map[string]any)["external_id"]; ext != "users-db" {
		t.Errorf("import users: external_id %v, want users-db", ext)
	}
	if _, ok := exports["handle"]["function"]; !ok {
		t.Errorf("export handle: %v", exports["handle"])
	}
	if _, ok := exports["my-handler"]["interface"]; !ok {
		t.Errorf("export my-handler: %v", exports["my-handler"])
	}

	// The JSON reads back to the same Resolve.
	back, err := DecodeJSON(js)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	json.Unmarshal(js, &a)
	json.Unmarshal(back.JSON(), &b)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("JSON round trip differs:\n%s", firstDiff(string(back.JSON()), string(js)))
	}
}

// TestWASI03Format: the files are in canonical form, a mangled layout
// formats back to it, and the result still resolves.
func TestWASI03Format(t *testing.T) {
	for _, name := range []string{"main.wit", filepath.Join("deps", "kv", "store.wit")} {
		p := filepath.Join("testdata", "wasi03", name)
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out, err := syntax.FormatSource(p, src)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, src) {
			t.Errorf("%s is not in canonical form; fmt gives:\n%s", name, out)
		}
		mangled := strings.NewReplacer("->", "  ->", "  ", "\t   ", ", ", " ,", "<", " < ", ">", " >", "(", " ( ", ";\n", " ;\n").Replace(string(src))
		out, err = syntax.FormatSource(p, []byte(mangled))
		if err != nil {
			t.Fatalf("%s mangled: %v\n%s", name, err, mangled)
		}
		if !bytes.Equal(out, src) {
			t.Errorf("%s: the mangled file formats to\n%s\nwant\n%s", name, out, src)
		}
	}
}
