// The example frontend plugin in C: the npm packages its page needs and the
// page itself, ExamplePage.tsx, which the build turns into a C string
// (ExamplePage.tsx.h; see the Makefile).
#include "bigband.h"

static const char page[] =
#include "ExamplePage.tsx.h"
    ;

static const char *deps(bb_deps *d) {
  // No versions: the generator uses the ranges of the Backstage release it targets.
  bb_dep(d, "@backstage/core-components", NULL, 0);
  bb_dep(d, "@backstage/core-plugin-api", NULL, 0);
  bb_dep(d, "@material-ui/core", NULL, 0);
  return NULL;
}

static const char *files(bb_files *f) {
  bb_root_file(f, "ExamplePage.tsx", "ExamplePage", page);
  return NULL;
}

BIGBAND_FRONTEND(deps, files)
