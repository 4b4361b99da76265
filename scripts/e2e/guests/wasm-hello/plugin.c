// The frontend guest of the HMR end-to-end (scripts/e2e-backstage.sh): a
// page with a text the script edits (FRONT_TEXT) and what the backend guest
// answers, re-fetched when bigband-dev swaps that backend. Built with
// clang + wasi-libc by `bigband-dev watch` (bigband.toml written by the
// script) on the C guest library, guest/c/bigband.h and bigband.c.
#include "bigband.h"

// The script rewrites this line.
#define FRONT_TEXT "Hello from the e2e guest, edit 0"

static const char root_component[] =
    "import { useEffect, useState } from 'react';\n"
    "import { InfoCard } from '@backstage/core-components';\n"
    "import { discoveryApiRef, fetchApiRef, useApi } from '@backstage/frontend-plugin-api';\n"
    "\n"
    "const backend = 'wasm-echo';\n"
    "\n"
    "export const ExampleComponent = () => {\n"
    "  const discovery = useApi(discoveryApiRef);\n"
    "  const { fetch } = useApi(fetchApiRef);\n"
    "  const [said, setSaid] = useState('(asking)');\n"
    "  useEffect(() => {\n"
    "    const ask = () =>\n"
    "      discovery\n"
    "        .getBaseUrl(backend)\n"
    "        .then(base => fetch(`${base}/hello`))\n"
    "        .then(r => r.text())\n"
    "        .then(setSaid, e => setSaid(String(e)));\n"
    "    ask();\n"
    "    // bigband-dev swapped the backend: ask again instead of reloading.\n"
    "    const onSwap = (e: Event) => {\n"
    "      if ((e as CustomEvent).detail?.plugin !== backend) return;\n"
    "      e.preventDefault();\n"
    "      ask();\n"
    "    };\n"
    "    window.addEventListener('bigband:backend-update', onSwap);\n"
    "    return () => window.removeEventListener('bigband:backend-update', onSwap);\n"
    "  }, [discovery, fetch]);\n"
    "  return (\n"
    "    <InfoCard title=\"Wasm Hello\">\n"
    "      <p data-e2e=\"front\">" FRONT_TEXT "</p>\n"
    "      <p data-e2e=\"back\">Backend says: {said}</p>\n"
    "    </InfoCard>\n"
    "  );\n"
    "};\n";

static const char *deps(bb_deps *d) {
  bb_dep(d, "@backstage/core-components", "^0.18.0", 0);
  bb_dep(d, "@backstage/frontend-plugin-api", "^0.18.1", 0);
  bb_dep(d, "@types/react", "^18.0.0", 1);
  return NULL;
}

static const char *files(bb_files *f) {
  bb_root_file(f, "ExampleComponent/ExampleComponent.tsx", "ExampleComponent", root_component);
  bb_file(f, "ExampleComponent/index.ts", "export { ExampleComponent } from './ExampleComponent';\n");
  return NULL;
}

BIGBAND_FRONTEND(deps, files)
