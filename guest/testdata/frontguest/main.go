// Command frontguest returns what fixtures/guests/frontend-expected.json
// says, through the guest library.
package main

import (
	"embed"
	"strings"

	"github.com/bigband-dev/bigband/guest/frontend"
)

//go:embed files
var files embed.FS

// bigData is the 1.1 MB file: lines "// filler line NNNNNN\n".
func bigData() string {
	var b strings.Builder
	line := []byte("// filler line 000000\n")
	for i := range 50000 {
		for j, n := 20, i; j >= 15; j, n = j-1, n/10 {
			line[j] = byte('0' + n%10)
		}
		b.Write(line)
	}
	return b.String()
}

func init() {
	embedded := frontend.FilesFrom(files, "files", "ExampleComponent/ExampleComponent.tsx", "ExampleComponent")
	frontend.Serve(frontend.Plugin{
		Deps: frontend.Static(
			frontend.Dep{Name: "@backstage/core-components", Version: "^0.18.0"},
			frontend.Dep{Name: "@backstage/core-plugin-api"},
			frontend.Dep{Name: "@types/react", Version: "^18.0.0", Dev: true},
		),
		Files: func() ([]frontend.File, error) {
			fs, err := embedded()
			if err != nil {
				return nil, err
			}
			return append(fs, frontend.File{Path: "ExampleComponent/data.ts", Contents: bigData()}), nil
		},
	})
}

func main() {}
