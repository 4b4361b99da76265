// A Backstage frontend plugin in JavaScript, componentized with
// componentize-js. The export object's name is the WIT interface name in
// camelCase; result<T, E> exports return T or throw E.

const rootComponent = `import { InfoCard } from '@backstage/core-components';

// Grüße — 你好 — 🚀
export const ExampleComponent = () => (
  <InfoCard title="Grüße — 你好 — 🚀">
    <p>Hello from a WebAssembly guest.</p>
  </InfoCard>
);
`;

// The >1 MiB file: "// filler line NNNNNN\n" for 000000..049999
// (1,100,000 bytes), so hosts see strings far larger than a page. Built on
// first use: building it at top level would bake it into the Wizer snapshot
// and grow the component by 5 MB for no gain (returning the string, not
// building it, dominates the call: ~1 s in node either way).
let bigData;
function dataFile() {
  if (bigData === undefined) {
    const lines = [];
    for (let i = 0; i < 50000; i++) lines.push(`// filler line ${String(i).padStart(6, '0')}\n`);
    bigData = lines.join('');
  }
  return bigData;
}

export const backstageFrontendPlugin = {
  getNodeDeps() {
    return [
      { name: '@backstage/core-components', version: '^0.18.0', dev: false },
      { name: '@backstage/core-plugin-api', version: undefined, dev: false },
      { name: '@types/react', version: '^18.0.0', dev: true },
    ];
  },

  getComponentFiles() {
    return [
      {
        path: 'ExampleComponent/ExampleComponent.tsx',
        isRoot: true,
        componentClassName: 'ExampleComponent',
        contents: rootComponent,
      },
      {
        path: 'ExampleComponent/index.ts',
        isRoot: false,
        componentClassName: undefined,
        contents: "export { ExampleComponent } from './ExampleComponent';\n",
      },
      { path: 'ExampleComponent/data.ts', isRoot: false, componentClassName: undefined, contents: dataFile() },
    ];
  },
};
