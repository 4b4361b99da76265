package backstage_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/bigband-dev/bigband/backstage"
	"github.com/bigband-dev/bigband/contract"
)

// A frontend guest's manifest becomes a plugin package for the new
// frontend system.
func ExampleRender() {
	m := &contract.Manifest{
		Kind:  contract.Frontend,
		Guest: "hello.wasm",
		Deps:  []contract.NodeDep{{Name: "@backstage/core-components"}},
		Files: []contract.File{{
			Path:               "HelloPage.tsx",
			IsRoot:             true,
			ComponentClassName: "HelloPage",
			Contents:           "export const HelloPage = () => <h1>Hello</h1>;\n",
		}},
	}
	p, err := backstage.Render(m, backstage.Options{ID: "hello"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Name, "in", p.Dir, "exports", p.PluginExport)
	for _, f := range p.Files {
		fmt.Println(" ", f.Path)
	}
	// Output:
	// @internal/plugin-hello in plugins/hello exports helloPlugin
	//   .eslintrc.js
	//   README.md
	//   dev/index.tsx
	//   package.json
	//   src/components/HelloPage.tsx
	//   src/index.ts
	//   src/plugin.tsx
	//   src/routes.ts
}

// Writing keeps a hand edit and puts the new version beside it.
func ExampleWrite() {
	root, err := os.MkdirTemp("", "app")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(root)
	m := &contract.Manifest{Kind: contract.Backend, Guest: "api.wasm", Routes: []contract.Route{{Method: "GET", Path: "/ping"}}}
	p, err := backstage.Render(m, backstage.Options{ID: "api"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := backstage.Write(root, p, backstage.WriteOptions{}); err != nil {
		log.Fatal(err)
	}
	// The user opens a route to anonymous callers...
	plugin := filepath.Join(root, "plugins", "api-backend", "src", "plugin.ts")
	if err := os.WriteFile(plugin, []byte("// my version\n"), 0o644); err != nil {
		log.Fatal(err)
	}
	// ...and the guest, rebuilt as api-v2.wasm, is rendered again.
	p, err = backstage.Render(m, backstage.Options{ID: "api", Guest: "api-v2.wasm"})
	if err != nil {
		log.Fatal(err)
	}
	r, err := backstage.Write(root, p, backstage.WriteOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(r)
	// Output:
	// plugins/api-backend: 6 written, 0 unchanged, 0 removed, 1 conflicts, 0 kept
	//   wrote    plugins/api-backend/.eslintrc.js
	//   wrote    plugins/api-backend/README.md
	//   wrote    plugins/api-backend/config.d.ts
	//   wrote    plugins/api-backend/package.json
	//   wrote    plugins/api-backend/src/index.ts
	//   wrote    plugins/api-backend/src/router.ts
	//   conflict plugins/api-backend/src/plugin.ts: not written by bigband-dev or edited since; new version in plugins/api-backend/src/plugin.ts.bigband-new (merge it, or use --force)
}
