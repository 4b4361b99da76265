// bigband.h: write a Backstage plugin in C (clang + wasi-libc, wasm32) without
// writing canonical-ABI layouts by hand. Build bigband.c beside your code.
//
// A frontend plugin:
//
//   #include "bigband.h"
//   static const char *deps(bb_deps *d) {
//     bb_dep(d, "@backstage/core-components", NULL, 0);   // NULL: newest
//     return NULL;                                          // or an error message
//   }
//   static const char *files(bb_files *f) {
//     bb_root_file(f, "Page.tsx", "Page", "export const Page = () => <p>hi</p>;\n");
//     return NULL;
//   }
//   BIGBAND_FRONTEND(deps, files)
//
// A backend plugin (routes under /api/<plugin-id>/, served through
// wasi:http/incoming-handler@0.2.0):
//
//   static const bb_route routes[] = {{"GET", "/hello"}, {"POST", "/echo"}};
//   static void handle(bb_request *req, bb_response *res) {
//     if (bb_path_is(req, "/hello")) bb_respond(res, 200, "text/plain", "hi", 2);
//     else ...
//   }
//   BIGBAND_BACKEND(routes, handle)
//
// Build (clang 14+ with wasi-libc):
//   clang --target=wasm32-wasi -mexec-model=reactor -O2 -o plugin.wasm plugin.c bigband.c
// A frontend module runs as it is (the host types it by the contract). A
// backend imports wasi:http@0.2.0 by its core names: a host that links WASI
// 0.2 imports of core modules serves it as it is; for any other, make it a
// component (wasm-tools component embed WIT --world backend-c, then
// component new; examples/c/backend's Makefile does both).
// printf and friends import wasi_snapshot_preview1 (a component then needs
// the preview1 reactor adapter).
//
// Below the high-level API is the raw layer it is built on: the contract's
// records and the wasi:http@0.2.0 / wasi:io@0.2.0 imports with their flat
// canonical-ABI signatures, for code that needs exact control (the project's
// hostile-guest fixtures use it).
#ifndef BIGBAND_H
#define BIGBAND_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BB_EXPORT(name) __attribute__((export_name(name)))
#define BB_IMPORT(module, name) __attribute__((import_module(module), import_name(name)))

// Core export names. The host matches interfaces by name, whatever the
// package, so a guest may define these before including the header.
#ifndef BB_FRONTEND_IFACE
#define BB_FRONTEND_IFACE "backstage:plugins/backstage-frontend-plugin@0.1.0"
#endif
#ifndef BB_BACKEND_IFACE
#define BB_BACKEND_IFACE "backstage:plugins/backstage-backend-plugin@0.1.0"
#endif
#define BB_HANDLER "wasi:http/incoming-handler@0.2.0#handle"

// ===========================================================================
// High-level API (implemented in bigband.c)
// ===========================================================================

// A view of bytes that are not NUL-terminated: a string or list<u8>.
typedef struct {
  const char *ptr;
  uint32_t len;
} bb_str_t;

#define BB_S(lit) ((bb_str_t){(lit), sizeof(lit) - 1})
bb_str_t bb_cstr(const char *s); // a view of a NUL-terminated string
int bb_str_eq(bb_str_t a, const char *b);

// ---- frontend --------------------------------------------------------------

typedef struct bb_deps bb_deps;
typedef struct bb_files bb_files;

// bb_dep adds an npm dependency; version NULL means the newest, dev puts it
// in devDependencies. Strings are copied.
void bb_dep(bb_deps *d, const char *name, const char *version, int dev);
// bb_file adds a file under src/components; bb_root_file adds the root
// component, exporting class_name. bb_file_n takes contents with a length.
void bb_file(bb_files *f, const char *path, const char *contents);
void bb_file_n(bb_files *f, const char *path, const char *contents, size_t len);
void bb_root_file(bb_files *f, const char *path, const char *class_name, const char *contents);

// The callbacks return NULL on success, or an error message (copied) that
// becomes the export's err result.
typedef const char *(*bb_deps_fn)(bb_deps *d);
typedef const char *(*bb_files_fn)(bb_files *f);

// BIGBAND_FRONTEND(deps, files) defines the frontend contract's exports.
#define BIGBAND_FRONTEND(deps_fn, files_fn)                                        \
  BB_EXPORT(BB_FRONTEND_IFACE "#get-node-deps")                                    \
  bb_list_result_t *bb_export_get_node_deps(void) { return bb_run_deps(deps_fn); } \
  BB_EXPORT("cabi_post_" BB_FRONTEND_IFACE "#get-node-deps")                       \
  void bb_post_get_node_deps(bb_list_result_t *r) { bb_post_deps(r); }             \
  BB_EXPORT(BB_FRONTEND_IFACE "#get-component-files")                              \
  bb_list_result_t *bb_export_get_component_files(void) {                          \
    return bb_run_files(files_fn);                                                 \
  }                                                                                \
  BB_EXPORT("cabi_post_" BB_FRONTEND_IFACE "#get-component-files")                 \
  void bb_post_get_component_files(bb_list_result_t *r) { bb_post_files(r); }

// ---- backend ---------------------------------------------------------------

// A route the plugin reports (path patterns like "/items/{id}").
typedef struct {
  const char *method, *path;
} bb_route;

typedef struct bb_request bb_request;
typedef struct bb_response bb_response;
typedef void (*bb_handler)(bb_request *req, bb_response *res);

// BIGBAND_BACKEND(routes, handler) defines get-routes (from a static array
// of bb_route) and the wasi:http incoming handler, which calls handler once
// per request. When handler returns, the response is started if it was not
// (status 200 by default), its body finished with any trailers, and the
// request released.
#define BIGBAND_BACKEND(routes_array, handler)                                       \
  BB_EXPORT(BB_BACKEND_IFACE "#get-routes")                                          \
  bb_list_result_t *bb_export_get_routes(void) {                                     \
    return bb_run_routes(routes_array, sizeof(routes_array) / sizeof(routes_array[0])); \
  }                                                                                  \
  BB_EXPORT("cabi_post_" BB_BACKEND_IFACE "#get-routes")                             \
  void bb_post_get_routes(bb_list_result_t *r) { bb_post_routes(r); }                \
  BB_EXPORT(BB_HANDLER)                                                              \
  void bb_export_handle(int32_t req, int32_t out) { bb_serve(req, out, handler); }

// Request: method ("GET", "POST", ... or the extension method's name), the
// path without the query, the query without '?' (empty when none).
const char *bb_method(const bb_request *r);
int bb_method_is(const bb_request *r, const char *method);
bb_str_t bb_path(const bb_request *r);
bb_str_t bb_query(const bb_request *r);
int bb_path_is(const bb_request *r, const char *path);
// bb_match matches the path against a pattern whose {name} segments match
// one non-empty segment each; it stores up to max of them in params, in
// order, and returns 1 on a match.
int bb_match(const bb_request *r, const char *pattern, bb_str_t *params, int max);

// Headers as the host gives them (names lower-case, repeats kept in order).
typedef struct {
  bb_str_t name, value;
} bb_header;
size_t bb_headers(bb_request *r, const bb_header **out);
// bb_header_get finds the first value of a header (name compared without
// case); 1 when found.
int bb_header_get(bb_request *r, const char *name, bb_str_t *value);

// bb_read streams the request body: up to cap bytes into buf; it returns
// how many (0 at the end of the body) or -1 when the body broke off.
long bb_read(bb_request *r, void *buf, size_t cap);

// Response: set the status and headers, then write. The first write sends
// them; headers set after it are refused (-1). Writes block while the
// client is slow and return -1 once the connection is gone.
void bb_status(bb_response *w, int code);
int bb_set_header(bb_response *w, const char *name, const char *value);
int bb_write(bb_response *w, const void *data, size_t n);
// bb_trailer adds a trailer, sent after the body when the handler returns.
void bb_trailer(bb_response *w, const char *name, const char *value);
// bb_respond sends a whole response (content_type may be NULL).
void bb_respond(bb_response *w, int status, const char *content_type, const void *body, size_t n);

// A growable byte buffer, for building response bodies.
typedef struct {
  char *ptr;
  size_t len, cap;
} bb_buf_t;
void bb_buf_put(bb_buf_t *b, const void *data, size_t n);
void bb_buf_str(bb_buf_t *b, const char *s);
// bb_buf_json appends s as a quoted JSON string (bytes >= 0x80 as they are).
void bb_buf_json(bb_buf_t *b, const void *s, size_t n);
void bb_buf_free(bb_buf_t *b);

// ===========================================================================
// Raw layer: canonical-ABI layouts (wasm32) and wasi:http@0.2.0 imports
// ===========================================================================

// ---- the contracts' records ------------------------------------------------

// option<string>: tag byte, payload aligned to 4.
typedef struct {
  uint8_t is_some;
  bb_str_t val;
} bb_opt_str_t;

#define BB_SOME(lit) ((bb_opt_str_t){1, BB_S(lit)})
#define BB_NONE ((bb_opt_str_t){0, {0, 0}})

typedef struct { // record node-dependency: 24 bytes
  bb_str_t name;
  bb_opt_str_t version;
  uint8_t dev;
} bb_node_dep_t;

typedef struct { // record component-file: 32 bytes
  bb_str_t path;
  uint8_t is_root;
  bb_opt_str_t class_name;
  bb_str_t contents;
} bb_component_file_t;

typedef struct { // record route: 16 bytes
  bb_str_t method;
  bb_str_t path;
} bb_route_t;

// result<list<T>, string>: tag byte (0 ok, 1 err), then (ptr, len) at 4:
// the list when ok, the message when err. Every contract export returns a
// pointer to one; its cabi_post_ function gets the same pointer back.
typedef struct {
  uint8_t is_err;
  const void *ptr;
  uint32_t len;
} bb_list_result_t;

_Static_assert(sizeof(bb_node_dep_t) == 24, "node-dependency layout");
_Static_assert(sizeof(bb_component_file_t) == 32, "component-file layout");
_Static_assert(sizeof(bb_route_t) == 16, "route layout");
_Static_assert(sizeof(bb_list_result_t) == 12, "result<list<T>, string> layout");

// Used by the BIGBAND_* macros.
bb_list_result_t *bb_run_deps(bb_deps_fn fn);
bb_list_result_t *bb_run_files(bb_files_fn fn);
bb_list_result_t *bb_run_routes(const bb_route *routes, size_t n);
void bb_post_deps(bb_list_result_t *r);
void bb_post_files(bb_list_result_t *r);
void bb_post_routes(bb_list_result_t *r);
void bb_serve(int32_t req, int32_t out, bb_handler handler);

// bb_release frees a string or list the host allocated in our memory
// through cabi_realloc (which bigband.c exports). Empty ones were never
// allocated: cabi_realloc hands out no memory for size 0.
void bb_release(void *ptr, uint32_t len);

// ---- wasi:http@0.2.0 and wasi:io@0.2.0 ---------------------------------
// Flattening rules (CanonicalABI.md): a handle is one i32, self first; a
// string or list is (ptr, len); u64 is i64; a result/option/variant that
// flattens to more than one value comes back through a return area whose
// address is the last parameter. Lists the host returns are allocated with
// our cabi_realloc: bb_release them.

#define BB_HTTP_TYPES "wasi:http/types@0.2.0"
#define BB_IO_STREAMS "wasi:io/streams@0.2.0"
#define BB_IO_POLL "wasi:io/poll@0.2.0"
#define BB_IO_ERROR "wasi:io/error@0.2.0"

typedef int32_t bb_fields_t;
typedef int32_t bb_incoming_request_t;
typedef int32_t bb_incoming_body_t;
typedef int32_t bb_outgoing_response_t;
typedef int32_t bb_outgoing_body_t;
typedef int32_t bb_response_outparam_t;
typedef int32_t bb_input_stream_t;
typedef int32_t bb_output_stream_t;
typedef int32_t bb_pollable_t;
typedef int32_t bb_io_error_t;

// Bytes the host allocated for us (list<u8>, or a string we own).
typedef struct {
  uint8_t *ptr;
  uint32_t len;
} bb_bytes_t;

// variant method: tag u8 at 0, other(string) at 4.
enum {
  BB_METHOD_GET,
  BB_METHOD_HEAD,
  BB_METHOD_POST,
  BB_METHOD_PUT,
  BB_METHOD_DELETE,
  BB_METHOD_CONNECT,
  BB_METHOD_OPTIONS,
  BB_METHOD_TRACE,
  BB_METHOD_PATCH,
  BB_METHOD_OTHER,
};
typedef struct {
  uint8_t tag;
  bb_bytes_t other;
} bb_method_t;

typedef struct { // option<string>
  uint8_t is_some;
  bb_bytes_t val;
} bb_opt_bytes_t;

// result<own<T>> and result<own<T>, header-error>: the handle when ok, the
// header-error enum when not.
typedef struct {
  uint8_t is_err;
  int32_t val;
} bb_result_handle_t;

typedef struct { // result<_, header-error>: tag at 0, error at 1
  uint8_t is_err;
  uint8_t err;
} bb_result_header_t;

typedef struct { // tuple<field-key, field-value>: 16 bytes
  bb_bytes_t name;
  bb_bytes_t value;
} bb_field_t;

typedef struct { // list<tuple<field-key, field-value>>
  bb_field_t *ptr;
  uint32_t len;
} bb_field_list_t;

typedef struct { // list<list<u8>>
  bb_bytes_t *ptr;
  uint32_t len;
} bb_bytes_list_t;

// variant stream-error { last-operation-failed(own<error>), closed }
enum { BB_STREAM_FAILED, BB_STREAM_CLOSED };
typedef struct {
  uint8_t tag;
  bb_io_error_t error; // when BB_STREAM_FAILED: drop it
} bb_stream_error_t;

typedef struct { // result<list<u8>, stream-error>: payload at 4
  uint8_t is_err;
  union {
    bb_bytes_t ok;
    bb_stream_error_t err;
  };
} bb_result_bytes_t;

typedef struct { // result<u64, stream-error>: payload at 8
  uint8_t is_err;
  union {
    uint64_t ok;
    bb_stream_error_t err;
  };
} bb_result_u64_t;

typedef struct { // result<_, stream-error>
  uint8_t is_err;
  bb_stream_error_t err;
} bb_result_stream_t;

// result<_, error-code>: tag at 0, error-code (a 39-case variant, largest
// case 32 bytes) at 8; only the tag is read here.
typedef struct {
  uint8_t is_err;
  uint8_t error_code[39];
} __attribute__((aligned(8))) bb_result_error_code_t;

_Static_assert(sizeof(bb_method_t) == 12, "method layout");
_Static_assert(sizeof(bb_opt_bytes_t) == 12, "option<string> layout");
_Static_assert(sizeof(bb_result_handle_t) == 8, "result<own> layout");
_Static_assert(sizeof(bb_result_header_t) == 2, "result<_, header-error> layout");
_Static_assert(sizeof(bb_field_t) == 16, "tuple<string, list<u8>> layout");
_Static_assert(sizeof(bb_result_bytes_t) == 12, "result<list<u8>, stream-error> layout");
_Static_assert(sizeof(bb_result_u64_t) == 16 && __builtin_offsetof(bb_result_u64_t, ok) == 8,
               "result<u64, stream-error> layout");
_Static_assert(sizeof(bb_result_stream_t) == 12, "result<_, stream-error> layout");
_Static_assert(sizeof(bb_result_error_code_t) >= 40, "result<_, error-code> size");

// fields
BB_IMPORT(BB_HTTP_TYPES, "[constructor]fields")
bb_fields_t bb_fields_new(void);
BB_IMPORT(BB_HTTP_TYPES, "[static]fields.from-list")
void bb_fields_from_list(const bb_field_t *entries, uint32_t len, bb_result_handle_t *ret);
BB_IMPORT(BB_HTTP_TYPES, "[method]fields.get")
void bb_fields_get(bb_fields_t self, const char *name, uint32_t name_len, bb_bytes_list_t *ret);
BB_IMPORT(BB_HTTP_TYPES, "[method]fields.append")
void bb_fields_append(bb_fields_t self, const char *name, uint32_t name_len, const uint8_t *value,
                      uint32_t value_len, bb_result_header_t *ret);
BB_IMPORT(BB_HTTP_TYPES, "[method]fields.entries")
void bb_fields_entries(bb_fields_t self, bb_field_list_t *ret);
BB_IMPORT(BB_HTTP_TYPES, "[resource-drop]fields")
void bb_fields_drop(bb_fields_t self);

// incoming-request
BB_IMPORT(BB_HTTP_TYPES, "[method]incoming-request.method")
void bb_incoming_request_method(bb_incoming_request_t self, bb_method_t *ret);
BB_IMPORT(BB_HTTP_TYPES, "[method]incoming-request.path-with-query")
void bb_incoming_request_path_with_query(bb_incoming_request_t self, bb_opt_bytes_t *ret);
// headers: a child of the request (drop it first).
BB_IMPORT(BB_HTTP_TYPES, "[method]incoming-request.headers")
bb_fields_t bb_incoming_request_headers(bb_incoming_request_t self);
BB_IMPORT(BB_HTTP_TYPES, "[method]incoming-request.consume")
void bb_incoming_request_consume(bb_incoming_request_t self, bb_result_handle_t *ret);
BB_IMPORT(BB_HTTP_TYPES, "[resource-drop]incoming-request")
void bb_incoming_request_drop(bb_incoming_request_t self);

// incoming-body
BB_IMPORT(BB_HTTP_TYPES, "[method]incoming-body.stream")
void bb_incoming_body_stream(bb_incoming_body_t self, bb_result_handle_t *ret);
BB_IMPORT(BB_HTTP_TYPES, "[resource-drop]incoming-body")
void bb_incoming_body_drop(bb_incoming_body_t self);

// outgoing-response (the constructor takes ownership of the headers)
BB_IMPORT(BB_HTTP_TYPES, "[constructor]outgoing-response")
bb_outgoing_response_t bb_outgoing_response_new(bb_fields_t headers);
// set-status-code -> result: one flat value, returned directly (0 ok).
BB_IMPORT(BB_HTTP_TYPES, "[method]outgoing-response.set-status-code")
int32_t bb_outgoing_response_set_status_code(bb_outgoing_response_t self, int32_t status);
BB_IMPORT(BB_HTTP_TYPES, "[method]outgoing-response.body")
void bb_outgoing_response_body(bb_outgoing_response_t self, bb_result_handle_t *ret);

// outgoing-body
BB_IMPORT(BB_HTTP_TYPES, "[method]outgoing-body.write")
void bb_outgoing_body_write(bb_outgoing_body_t self, bb_result_handle_t *ret);
// finish(this, option<trailers>) -> result<_, error-code>: this, the
// option's tag, the trailers handle, the return area.
BB_IMPORT(BB_HTTP_TYPES, "[static]outgoing-body.finish")
void bb_outgoing_body_finish(bb_outgoing_body_t self, int32_t has_trailers, bb_fields_t trailers,
                             bb_result_error_code_t *ret);

// response-outparam.set(param, result<outgoing-response, error-code>): the
// result flattens to a tag and the join of ok's [i32] with error-code's
// [i32, i32, i64, i32, i32, i32, i32]. For ok: (param, 0, response, 0...).
BB_IMPORT(BB_HTTP_TYPES, "[static]response-outparam.set")
void bb_response_outparam_set(bb_response_outparam_t param, int32_t is_err, int32_t p0, int32_t p1,
                              int64_t p2, int32_t p3, int32_t p4, int32_t p5, int32_t p6);

// wasi:io/streams
BB_IMPORT(BB_IO_STREAMS, "[method]input-stream.blocking-read")
void bb_input_stream_blocking_read(bb_input_stream_t self, uint64_t len, bb_result_bytes_t *ret);
BB_IMPORT(BB_IO_STREAMS, "[resource-drop]input-stream")
void bb_input_stream_drop(bb_input_stream_t self);
BB_IMPORT(BB_IO_STREAMS, "[method]output-stream.check-write")
void bb_output_stream_check_write(bb_output_stream_t self, bb_result_u64_t *ret);
BB_IMPORT(BB_IO_STREAMS, "[method]output-stream.write")
void bb_output_stream_write(bb_output_stream_t self, const uint8_t *ptr, uint32_t len,
                            bb_result_stream_t *ret);
BB_IMPORT(BB_IO_STREAMS, "[method]output-stream.blocking-flush")
void bb_output_stream_blocking_flush(bb_output_stream_t self, bb_result_stream_t *ret);
BB_IMPORT(BB_IO_STREAMS, "[method]output-stream.subscribe")
bb_pollable_t bb_output_stream_subscribe(bb_output_stream_t self);
BB_IMPORT(BB_IO_STREAMS, "[resource-drop]output-stream")
void bb_output_stream_drop(bb_output_stream_t self);

// wasi:io/poll and wasi:io/error
BB_IMPORT(BB_IO_POLL, "[method]pollable.block")
void bb_pollable_block(bb_pollable_t self);
BB_IMPORT(BB_IO_POLL, "[resource-drop]pollable")
void bb_pollable_drop(bb_pollable_t self);
BB_IMPORT(BB_IO_ERROR, "[resource-drop]error")
void bb_io_error_drop(bb_io_error_t self);

// ---- helpers over the raw layer (bigband.c) --------------------------------

// bb_must traps when a call that cannot fail here failed anyway.
#define bb_must(is_err)             \
  do {                              \
    if (is_err) __builtin_trap();   \
  } while (0)

// bb_write_all writes n bytes, never more than check-write allows, blocking
// on the stream's pollable while the host's buffer is full; -1 when the
// stream failed (the client went away).
int bb_write_all(bb_output_stream_t out, const void *p, size_t n);
// bb_flush blocks until everything written went out; -1 on failure.
int bb_flush(bb_output_stream_t out);
// bb_start_response puts a response with this status and these headers
// (moved) on the outparam and returns its body, ready to write.
bb_outgoing_body_t bb_start_response(bb_response_outparam_t out, int status, bb_fields_t headers);
// bb_finish_body ends a body (its output-stream dropped first), with
// trailers (moved) when trailers >= 0; -1 when the host refused.
int bb_finish_body(bb_outgoing_body_t body, bb_fields_t trailers);
// bb_new_fields makes a fields resource from name/value string pairs.
bb_fields_t bb_new_fields(const char *const *pairs, size_t npairs);

#ifdef __cplusplus
}
#endif

#endif
