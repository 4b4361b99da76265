// The frontend guest of the HMR end-to-end (scripts/e2e-backstage.sh): a
// page with a text the script edits (FRONT_TEXT) and what the backend guest
// answers, re-fetched when bigband-dev swaps that backend. Built with
// clang + wasi-libc by `bigband-dev watch` (the C recipe it detects); the
// canonical-ABI layouts are the C fixture's (frontend_abi.h, copied beside
// this file by the script).
#include <stdlib.h>

#include "frontend_abi.h"

#define IFACE "backstage:plugins/backstage-frontend-plugin@0.1.0"

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

static ret_t ret;

EXPORT(IFACE "#get-node-deps")
ret_t *get_node_deps(void) {
  node_dep_t *deps = malloc(3 * sizeof *deps);
  deps[0] = (node_dep_t){S("@backstage/core-components"), SOME("^0.18.0"), 0};
  deps[1] = (node_dep_t){S("@backstage/frontend-plugin-api"), SOME("^0.18.1"), 0};
  deps[2] = (node_dep_t){S("@types/react"), SOME("^18.0.0"), 1};
  ret = (ret_t){0, deps, 3};
  return &ret;
}

EXPORT("cabi_post_" IFACE "#get-node-deps")
void post_get_node_deps(ret_t *r) { free((void *)r->ptr); }

EXPORT(IFACE "#get-component-files")
ret_t *get_component_files(void) {
  component_file_t *files = malloc(2 * sizeof *files);
  files[0] = (component_file_t){S("ExampleComponent/ExampleComponent.tsx"), 1, SOME("ExampleComponent"), S(root_component)};
  files[1] = (component_file_t){S("ExampleComponent/index.ts"), 0, NONE,
                                S("export { ExampleComponent } from './ExampleComponent';\n")};
  ret = (ret_t){0, files, 2};
  return &ret;
}

EXPORT("cabi_post_" IFACE "#get-component-files")
void post_get_component_files(ret_t *r) { free((void *)r->ptr); }

EXPORT("cabi_realloc")
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
  if (new_size == 0) return (void *)align;
  void *p = realloc(old_size ? old : NULL, new_size);
  if (!p) abort();
  return p;
}
