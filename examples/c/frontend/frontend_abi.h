// The frontend contract's canonical-ABI layouts (wasm32), shared by the C
// frontend guests. Each export returns result<list<T>, string> through a
// pointer to a static return area.
#ifndef FRONTEND_ABI_H
#define FRONTEND_ABI_H

#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(name)))

typedef struct {
  const char *ptr;
  uint32_t len;
} str_t;

// option<string>: tag byte, payload aligned to 4.
typedef struct {
  uint8_t is_some;
  str_t val;
} opt_str_t;

// record node-dependency: 24 bytes, align 4.
typedef struct {
  str_t name;
  opt_str_t version;
  uint8_t dev;
} node_dep_t;

// record component-file: 32 bytes, align 4.
typedef struct {
  str_t path;
  uint8_t is_root;
  opt_str_t class_name;
  str_t contents;
} component_file_t;

// result<list<T>, string>: tag byte (0 = ok), then (ptr, len) at offset 4.
typedef struct {
  uint8_t is_err;
  const void *ptr;
  uint32_t len;
} ret_t;

_Static_assert(sizeof(node_dep_t) == 24, "node-dependency layout");
_Static_assert(sizeof(component_file_t) == 32, "component-file layout");
_Static_assert(sizeof(ret_t) == 12, "result layout");

#define S(lit) ((str_t){lit, sizeof(lit) - 1})
#define SOME(lit) ((opt_str_t){1, S(lit)})
#define NONE ((opt_str_t){0, {0, 0}})

#endif
