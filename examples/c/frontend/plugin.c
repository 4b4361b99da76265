// A Backstage frontend plugin in C (clang + wasi-libc), with the canonical-ABI
// glue written by hand.
//
// Both exports return result<list<T>, string>: three flat values, more than
// the one flat result the ABI allows, so each returns a pointer to a static
// return area. Lists are malloc'd per call and freed by the matching
// cabi_post_* export once the host has copied them out.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frontend_abi.h"

#define IFACE "backstage:plugins/backstage-frontend-plugin@0.1.0"

static ret_t ret;


static const char root_component[] =
    "import { InfoCard } from '@backstage/core-components';\n"
    "\n"
    "// Grüße — 你好 — 🚀\n"
    "export const ExampleComponent = () => (\n"
    "  <InfoCard title=\"Grüße — 你好 — 🚀\">\n"
    "    <p>Hello from a WebAssembly guest.</p>\n"
    "  </InfoCard>\n"
    ");\n";

// The >1 MiB file: 50,000 lines of "// filler line NNNNNN\n" (22 bytes each),
// generated on first use so the source stays small.
#define DATA_LINES 50000
#define LINE_LEN 22
static char big_data[DATA_LINES * LINE_LEN];

static str_t data_file(void) {
  if (big_data[0] == 0) {
    for (int i = 0; i < DATA_LINES; i++) {
      char *line = big_data + i * LINE_LEN;
      memcpy(line, "// filler line 000000\n", LINE_LEN);
      for (int j = 20, n = i; j >= 15; j--, n /= 10) line[j] = (char)('0' + n % 10);
    }
  }
  return (str_t){big_data, sizeof big_data};
}

EXPORT(IFACE "#get-node-deps")
ret_t *get_node_deps(void) {
  node_dep_t *deps = malloc(3 * sizeof *deps);
  deps[0] = (node_dep_t){S("@backstage/core-components"), SOME("^0.18.0"), 0};
  deps[1] = (node_dep_t){S("@backstage/core-plugin-api"), NONE, 0};
  deps[2] = (node_dep_t){S("@types/react"), SOME("^18.0.0"), 1};
  ret = (ret_t){0, deps, 3};
  return &ret;
}

// The post-return functions get the export's flat results: the return area.
EXPORT("cabi_post_" IFACE "#get-node-deps")
void post_get_node_deps(ret_t *r) { free((void *)r->ptr); }

EXPORT(IFACE "#get-component-files")
ret_t *get_component_files(void) {
  component_file_t *files = malloc(3 * sizeof *files);
  files[0] = (component_file_t){S("ExampleComponent/ExampleComponent.tsx"), 1, SOME("ExampleComponent"), S(root_component)};
  files[1] = (component_file_t){S("ExampleComponent/index.ts"), 0, NONE,
                                S("export { ExampleComponent } from './ExampleComponent';\n")};
  files[2] = (component_file_t){S("ExampleComponent/data.ts"), 0, NONE, data_file()};
  ret = (ret_t){0, files, 3};
  return &ret;
}

EXPORT("cabi_post_" IFACE "#get-component-files")
void post_get_component_files(ret_t *r) { free((void *)r->ptr); }

// The host allocates argument memory through this; malloc's 16-byte
// alignment covers every canonical-ABI alignment.
EXPORT("cabi_realloc")
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
  if (new_size == 0) return (void *)align; // any aligned non-null address
  // A zero-sized old block came from the line above, not from malloc.
  void *p = realloc(old_size ? old : NULL, new_size);
  if (!p) abort();
  return p;
}
