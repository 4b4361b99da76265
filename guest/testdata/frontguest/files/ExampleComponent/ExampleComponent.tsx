import { InfoCard } from '@backstage/core-components';

// Grüße — 你好 — 🚀
export const ExampleComponent = () => (
  <InfoCard title="Grüße — 你好 — 🚀">
    <p>Hello from a WebAssembly guest.</p>
  </InfoCard>
);
