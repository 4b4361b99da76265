// Hand-written bindings to the parts of wasi:http@0.2.0 and wasi:io@0.2.0
// that backend.c uses: the core functions a component exposes for those WIT
// functions, declared with the flat signatures the canonical ABI gives them.
//
// The rules (component model, CanonicalABI.md "flattening"):
// - a resource handle (own or borrow) is one i32; `self` comes first;
// - a string or list<T> is (i32 ptr, i32 len);
// - a u64 is one i64; a bool/u8/u16/u32/enum is one i32;
// - option/result/variant are an i32 discriminant followed by the
//   position-wise join of their cases' flat types (i32 + i64 -> i64);
// - a result that flattens to more than one value is returned through a
//   pointer: the caller passes the address of a "return area" as the last
//   parameter and the callee writes the value there in its memory layout;
// - more than 16 flat parameters would go through memory (none here do).
// Lists the host returns (path-with-query, entries, blocking-read) are
// allocated in our memory through cabi_realloc, so they belong to us: free().
//
// wit-component checks every declaration against the WIT when the module
// becomes a component, so a wrong signature fails the build, not the run.
#ifndef BIGBAND_HTTP_H
#define BIGBAND_HTTP_H

#include <stdint.h>

#define IMPORT(module, name) __attribute__((import_module(module), import_name(name)))
#define HTTP_TYPES "wasi:http/types@0.2.0"
#define IO_STREAMS "wasi:io/streams@0.2.0"
#define IO_POLL "wasi:io/poll@0.2.0"

// Resource handles.
typedef int32_t fields_t;
typedef int32_t incoming_request_t;
typedef int32_t incoming_body_t;
typedef int32_t outgoing_response_t;
typedef int32_t outgoing_body_t;
typedef int32_t response_outparam_t;
typedef int32_t input_stream_t;
typedef int32_t output_stream_t;
typedef int32_t pollable_t;

typedef struct {
  uint8_t *ptr;
  uint32_t len;
} bytes_t; // string and list<u8> share this layout

// ---- memory layouts of the return areas --------------------------------

// variant method { get, head, post, put, delete, connect, options, trace,
// patch, other(string) }: tag u8 at 0, the string at 4.
enum {
  METHOD_GET,
  METHOD_HEAD,
  METHOD_POST,
  METHOD_PUT,
  METHOD_DELETE,
  METHOD_CONNECT,
  METHOD_OPTIONS,
  METHOD_TRACE,
  METHOD_PATCH,
  METHOD_OTHER,
};
typedef struct {
  uint8_t tag;
  bytes_t other;
} method_t;

// option<string>
typedef struct {
  uint8_t is_some;
  bytes_t val;
} option_string_t;

// result<own<T>> and result<own<T>, header-error> (header-error is an enum
// of invalid-syntax, forbidden, immutable; u8 at 4)
typedef struct {
  uint8_t is_err;
  int32_t val; // the handle when ok, the error code when not
} result_handle_t;

// result<_, header-error>: tag u8 at 0, error u8 at 1.
typedef struct {
  uint8_t is_err;
  uint8_t err;
} result_unit_header_error_t;

// tuple<field-key, field-value> in a list: 16 bytes.
typedef struct {
  bytes_t name;
  bytes_t value;
} field_t;

typedef struct {
  field_t *ptr;
  uint32_t len;
} field_list_t; // list<tuple<string, list<u8>>>

typedef struct {
  bytes_t *ptr;
  uint32_t len;
} bytes_list_t; // list<list<u8>>

// variant stream-error { last-operation-failed(own<error>), closed }
enum { STREAM_ERROR_FAILED, STREAM_ERROR_CLOSED };
typedef struct {
  uint8_t tag;
  int32_t error; // own<wasi:io/error.error> when FAILED
} stream_error_t;

// result<list<u8>, stream-error>: tag at 0, payload at 4.
typedef struct {
  uint8_t is_err;
  union {
    bytes_t ok;
    stream_error_t err;
  };
} result_bytes_t;

// result<u64, stream-error>: tag at 0, payload at 8 (u64 alignment).
typedef struct {
  uint8_t is_err;
  union {
    uint64_t ok;
    stream_error_t err;
  };
} result_u64_t;

// result<_, stream-error>: tag at 0, payload at 4.
typedef struct {
  uint8_t is_err;
  stream_error_t err;
} result_unit_stream_error_t;

// result<_, error-code>: tag at 0, error-code at 8. error-code is a
// 39-case variant whose largest case is 32 bytes; only the tag is read here.
typedef struct {
  uint8_t is_err;
  uint8_t error_code[39];
} __attribute__((aligned(8))) result_unit_error_code_t;

_Static_assert(sizeof(method_t) == 12, "method layout");
_Static_assert(sizeof(option_string_t) == 12, "option<string> layout");
_Static_assert(sizeof(result_handle_t) == 8, "result<own> layout");
_Static_assert(sizeof(result_unit_header_error_t) == 2, "result<_, header-error> layout");
_Static_assert(sizeof(field_t) == 16, "tuple<string, list<u8>> layout");
_Static_assert(sizeof(result_bytes_t) == 12, "result<list<u8>, stream-error> layout");
_Static_assert(sizeof(result_u64_t) == 16 && __builtin_offsetof(result_u64_t, ok) == 8,
               "result<u64, stream-error> layout");
_Static_assert(sizeof(result_unit_stream_error_t) == 12, "result<_, stream-error> layout");
_Static_assert(sizeof(result_unit_error_code_t) >= 40, "result<_, error-code> size");

// ---- wasi:http/types@0.2.0 ---------------------------------------------

// fields
IMPORT(HTTP_TYPES, "[constructor]fields")
fields_t fields_new(void);
// from-list: static func(entries: list<tuple<field-key, field-value>>) -> result<fields, header-error>
IMPORT(HTTP_TYPES, "[static]fields.from-list")
void fields_from_list(const field_t *entries, uint32_t len, result_handle_t *ret);
// get: func(name: field-key) -> list<field-value>
IMPORT(HTTP_TYPES, "[method]fields.get")
void fields_get(fields_t self, const char *name, uint32_t name_len, bytes_list_t *ret);
// append: func(name: field-key, value: field-value) -> result<_, header-error>
IMPORT(HTTP_TYPES, "[method]fields.append")
void fields_append(fields_t self, const char *name, uint32_t name_len, const uint8_t *value,
                   uint32_t value_len, result_unit_header_error_t *ret);
// entries: func() -> list<tuple<field-key, field-value>>
IMPORT(HTTP_TYPES, "[method]fields.entries")
void fields_entries(fields_t self, field_list_t *ret);
IMPORT(HTTP_TYPES, "[resource-drop]fields")
void fields_drop(fields_t self);

// incoming-request
IMPORT(HTTP_TYPES, "[method]incoming-request.method")
void incoming_request_method(incoming_request_t self, method_t *ret);
IMPORT(HTTP_TYPES, "[method]incoming-request.path-with-query")
void incoming_request_path_with_query(incoming_request_t self, option_string_t *ret);
// headers: func() -> headers (a child of the request: drop it first)
IMPORT(HTTP_TYPES, "[method]incoming-request.headers")
fields_t incoming_request_headers(incoming_request_t self);
// consume: func() -> result<incoming-body>
IMPORT(HTTP_TYPES, "[method]incoming-request.consume")
void incoming_request_consume(incoming_request_t self, result_handle_t *ret);
IMPORT(HTTP_TYPES, "[resource-drop]incoming-request")
void incoming_request_drop(incoming_request_t self);

// incoming-body
// stream: func() -> result<input-stream>
IMPORT(HTTP_TYPES, "[method]incoming-body.stream")
void incoming_body_stream(incoming_body_t self, result_handle_t *ret);
IMPORT(HTTP_TYPES, "[resource-drop]incoming-body")
void incoming_body_drop(incoming_body_t self);

// outgoing-response
IMPORT(HTTP_TYPES, "[constructor]outgoing-response")
outgoing_response_t outgoing_response_new(fields_t headers /* own, moved */);
// set-status-code: func(status-code: u16) -> result: one flat value, returned directly.
IMPORT(HTTP_TYPES, "[method]outgoing-response.set-status-code")
int32_t outgoing_response_set_status_code(outgoing_response_t self, int32_t status);
// body: func() -> result<outgoing-body>
IMPORT(HTTP_TYPES, "[method]outgoing-response.body")
void outgoing_response_body(outgoing_response_t self, result_handle_t *ret);

// outgoing-body
// write: func() -> result<output-stream>
IMPORT(HTTP_TYPES, "[method]outgoing-body.write")
void outgoing_body_write(outgoing_body_t self, result_handle_t *ret);
// finish: static func(this: outgoing-body, trailers: option<trailers>) -> result<_, error-code>
// params: this, option tag, trailers handle, return area.
IMPORT(HTTP_TYPES, "[static]outgoing-body.finish")
void outgoing_body_finish(outgoing_body_t self, int32_t has_trailers, fields_t trailers,
                          result_unit_error_code_t *ret);

// response-outparam
// set: static func(param: response-outparam, response: result<outgoing-response, error-code>)
// The result flattens to [i32 tag, i32, i32, i64, i32, i32, i32, i32]: the
// tag, then the join of ok's [i32] with error-code's [i32 case, i32, i64,
// i32, i32, i32, i32] (the i64 comes from option<u64> payloads). For ok,
// the response handle goes in the first payload slot and the rest are 0.
IMPORT(HTTP_TYPES, "[static]response-outparam.set")
void response_outparam_set(response_outparam_t param, int32_t is_err, int32_t p0, int32_t p1,
                           int64_t p2, int32_t p3, int32_t p4, int32_t p5, int32_t p6);

// ---- wasi:io/streams@0.2.0 ---------------------------------------------

// blocking-read: func(len: u64) -> result<list<u8>, stream-error>
IMPORT(IO_STREAMS, "[method]input-stream.blocking-read")
void input_stream_blocking_read(input_stream_t self, uint64_t len, result_bytes_t *ret);
IMPORT(IO_STREAMS, "[resource-drop]input-stream")
void input_stream_drop(input_stream_t self);

// check-write: func() -> result<u64, stream-error>
IMPORT(IO_STREAMS, "[method]output-stream.check-write")
void output_stream_check_write(output_stream_t self, result_u64_t *ret);
// write: func(contents: list<u8>) -> result<_, stream-error>
IMPORT(IO_STREAMS, "[method]output-stream.write")
void output_stream_write(output_stream_t self, const uint8_t *ptr, uint32_t len,
                         result_unit_stream_error_t *ret);
// blocking-flush: func() -> result<_, stream-error>
IMPORT(IO_STREAMS, "[method]output-stream.blocking-flush")
void output_stream_blocking_flush(output_stream_t self, result_unit_stream_error_t *ret);
// subscribe: func() -> pollable
IMPORT(IO_STREAMS, "[method]output-stream.subscribe")
pollable_t output_stream_subscribe(output_stream_t self);
IMPORT(IO_STREAMS, "[resource-drop]output-stream")
void output_stream_drop(output_stream_t self);

// ---- wasi:io/poll@0.2.0 ------------------------------------------------

IMPORT(IO_POLL, "[method]pollable.block")
void pollable_block(pollable_t self);
IMPORT(IO_POLL, "[resource-drop]pollable")
void pollable_drop(pollable_t self);

#endif
