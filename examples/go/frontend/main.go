// A Backstage frontend plugin in Go: the npm packages it needs and its
// React component, embedded from components/. Build:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o frontend.wasm ./examples/go/frontend
package main

import (
	"embed"

	"github.com/bigband-dev/bigband/guest/frontend"
)

//go:embed components
var components embed.FS

func init() {
	frontend.Serve(frontend.Plugin{
		Deps: frontend.Static(
			frontend.Dep{Name: "@backstage/core-components"},
			frontend.Dep{Name: "@backstage/core-plugin-api"},
			frontend.Dep{Name: "@material-ui/core"},
		),
		Files: frontend.FilesFrom(components, "components", "ExamplePage.tsx", "ExamplePage"),
	})
}

func main() {} // a c-shared build never runs it
