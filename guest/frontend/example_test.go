package frontend_test

import (
	"fmt"
	"testing/fstest"

	"github.com/bigband-dev/bigband/guest/frontend"
)

// A frontend plugin is its npm dependencies and its component files, here
// from an in-memory FS standing in for an embed.FS.
func ExampleFilesFrom() {
	components := fstest.MapFS{
		"components/MyPage.tsx": {Data: []byte("export const MyPage = () => null;\n")},
		"components/index.ts":   {Data: []byte("export { MyPage } from './MyPage';\n")},
	}
	files := frontend.FilesFrom(components, "components", "MyPage.tsx", "MyPage")
	frontend.Serve(frontend.Plugin{ // in a plugin: inside func init()
		Deps:  frontend.Static(frontend.Dep{Name: "@backstage/core-components"}),
		Files: files,
	})

	list, _ := files()
	for _, f := range list {
		fmt.Println(f.Path, f.Root, f.ClassName)
	}
	// Output:
	// MyPage.tsx true MyPage
	// index.ts false
}
