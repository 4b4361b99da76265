// A core module whose strings are UTF-16 (or, built with -DCOMPACT,
// Latin-1+UTF-16), for host tests of the canonical ABI's other string
// encodings. The encoding is chosen when the component-type section is
// embedded (wasm-tools.mjs embed --encoding); this code must agree with it.
//
// String memory the host passes in is the guest's (allocated through
// cabi_realloc); echoes hand it straight back and free it in post-return.
#include <stdint.h>
#include <stdlib.h>
#include <uchar.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define IFACE "bigband:torture/strings@0.1.0"

// In latin1+utf16, bit 31 of a string's length says "UTF-16 code units";
// without it the string is Latin-1 bytes.
#define UTF16_TAG 0x80000000u

#ifdef COMPACT
#define ENCODING "latin1+utf16"
#define UNITS(len) ((len) & ~UTF16_TAG)
#define TAGGED(len) ((len) | UTF16_TAG)
#else
#define ENCODING "utf16"
#define UNITS(len) (len)
#define TAGGED(len) (len)
#endif

typedef struct {
  const void *ptr;
  uint32_t len; // code units, plus the tag bit in latin1+utf16
} str_t;

typedef struct {
  str_t *ptr;
  uint32_t len;
} list_t;

static str_t ret_str;
static list_t ret_list;

static void free_str(str_t s) {
  if (UNITS(s.len) != 0) free((void *)s.ptr); // empty strings may point anywhere
}

#define U16(lit) ((str_t){lit, TAGGED(sizeof(lit) / 2 - 1)})

// "utf16" and "latin1+utf16" are ASCII: Latin-1 bytes in the compact build.
EXPORT(IFACE "#encoding")
str_t *encoding(void) {
#ifdef COMPACT
  ret_str = (str_t){ENCODING, sizeof(ENCODING) - 1};
#else
  ret_str = U16(u"" ENCODING);
#endif
  return &ret_str;
}

EXPORT(IFACE "#echo-string")
str_t *echo_string(const void *ptr, uint32_t len) {
  ret_str = (str_t){ptr, len};
  return &ret_str;
}

EXPORT("cabi_post_" IFACE "#echo-string")
void post_echo_string(str_t *r) { free_str(*r); }

EXPORT(IFACE "#echo-strings")
list_t *echo_strings(str_t *ptr, uint32_t len) {
  ret_list = (list_t){ptr, len};
  return &ret_list;
}

EXPORT("cabi_post_" IFACE "#echo-strings")
void post_echo_strings(list_t *r) {
  for (uint32_t i = 0; i < r->len; i++) free_str(r->ptr[i]);
  if (r->len) free(r->ptr);
}

EXPORT(IFACE "#greeting")
str_t *greeting(void) {
  ret_str = U16(u"Grüße — 你好 — 🚀");
  return &ret_str;
}

EXPORT(IFACE "#latin1-text")
str_t *latin1_text(void) {
#ifdef COMPACT
  static const unsigned char text[] = {'G', 'r', 0xfc, 0xdf, 'e'}; // "Grüße" in Latin-1
  ret_str = (str_t){text, sizeof text};
#else
  ret_str = U16(u"Grüße");
#endif
  return &ret_str;
}

EXPORT(IFACE "#code-units")
uint32_t code_units(const void *ptr, uint32_t len) {
  free_str((str_t){ptr, len});
  return UNITS(len);
}

EXPORT(IFACE "#echo-u32") uint32_t echo_u32(uint32_t x) { return x; }
EXPORT(IFACE "#echo-s32") int32_t echo_s32(int32_t x) { return x; }
EXPORT(IFACE "#echo-u64") uint64_t echo_u64(uint64_t x) { return x; }
EXPORT(IFACE "#echo-s64") int64_t echo_s64(int64_t x) { return x; }

EXPORT("cabi_realloc")
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
  if (new_size == 0) return (void *)align; // any aligned non-null address
  void *p = realloc(old_size ? old : NULL, new_size);
  if (!p) abort();
  return p;
}
