// Command frontend is a Backstage frontend plugin written in plain Go.
//
// It is the data half of the guest: what the plugin returns. abi.go turns
// these Go values into the canonical ABI by hand, because big Go's
// //go:wasmexport only accepts scalars and pointers.
package main

import "strings"

// nodeDep mirrors the WIT record node-dependency; version "" means none.
type nodeDep struct {
	name, version string
	dev           bool
}

// componentFile mirrors the WIT record component-file; className "" means none.
type componentFile struct {
	path      string
	isRoot    bool
	className string
	contents  string
}

func nodeDeps() []nodeDep {
	return []nodeDep{
		{name: "@backstage/core-components", version: "^0.18.0"},
		{name: "@backstage/core-plugin-api"},
		{name: "@types/react", version: "^18.0.0", dev: true},
	}
}

const rootComponent = `import { InfoCard } from '@backstage/core-components';

// Grüße — 你好 — 🚀
export const ExampleComponent = () => (
  <InfoCard title="Grüße — 你好 — 🚀">
    <p>Hello from a WebAssembly guest.</p>
  </InfoCard>
);
`

// bigData is the >1 MiB file, built once: hosts must cope with strings far
// larger than one wasm page. Lines are "// filler line NNNNNN\n" (22 bytes);
// digits are formatted by hand because fmt alone adds ~0.8 MB to the module.
var bigData = func() string {
	var b strings.Builder
	b.Grow(50000 * 22)
	line := []byte("// filler line 000000\n")
	for i := range 50000 {
		for j, n := 20, i; j >= 15; j, n = j-1, n/10 {
			line[j] = byte('0' + n%10)
		}
		b.Write(line)
	}
	return b.String()
}()

func componentFiles() []componentFile {
	return []componentFile{
		{path: "ExampleComponent/ExampleComponent.tsx", isRoot: true, className: "ExampleComponent", contents: rootComponent},
		{path: "ExampleComponent/index.ts", contents: "export { ExampleComponent } from './ExampleComponent';\n"},
		{path: "ExampleComponent/data.ts", contents: bigData},
	}
}

// main is never called: -buildmode=c-shared makes a reactor whose
// _initialize sets up the runtime; the exports in abi.go do the work.
func main() {}
