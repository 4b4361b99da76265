// A frontend over bigband.h's contract API, for guest/libtest (front.rs is
// the same in Rust): a version, a dev dependency and non-ASCII text on the
// way out; get-component-files fails with -DFAIL.
#include "bigband.h"

static const char *deps(bb_deps *d) {
  bb_dep(d, "@backstage/core-components", "^0.18.0", 0);
  bb_dep(d, "@types/react", NULL, 1);
  return NULL;
}

static const char *files(bb_files *f) {
  bb_root_file(f, "Page.tsx", "Page", "export const Page = () => <p>Grüße 🚀</p>;\n");
  bb_file(f, "index.ts", "export { Page } from './Page';\n");
#ifdef FAIL
  return "no files today";
#else
  return NULL;
#endif
}

BIGBAND_FRONTEND(deps, files)
