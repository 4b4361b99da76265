// A Backstage backend plugin in C (clang + wasi-libc, reactor), serving HTTP
// through wasi:http/incoming-handler@0.2.0 with the bindings in http.h
// written by hand. Routes and responses: ../../backend-expected.md.
//
// Exports (core names, as wit-component expects them):
//   wasi:http/incoming-handler@0.2.0#handle
//   backstage:plugins/backstage-backend-plugin@0.1.0#get-routes (+ cabi_post_)
//   cabi_realloc
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

/* The tag the guest reports in x-bigband-guest. The swap test builds a
   second version (-DGUEST_TAG='"c-v2"') to tell two versions apart. */
#ifndef GUEST_TAG
#define GUEST_TAG "c"
#endif

#define EXPORT(name) __attribute__((export_name(name)))
#define BACKEND "backstage:plugins/backstage-backend-plugin@0.1.0"

// ---- canonical-ABI plumbing ---------------------------------------------

// cabi_realloc is how the host allocates in our memory: for the strings and
// lists it returns to us, and for the adapter's state.
EXPORT("cabi_realloc")
void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {
  (void)old_size;
  if (new_size == 0) return (void *)align;
  void *p = realloc(ptr, new_size); // malloc's 16-byte alignment covers every WIT type
  if (!p) __builtin_trap();
  return p;
}

// release frees what the host handed us through cabi_realloc. An empty
// string or list never came from malloc (see above), and a host may not
// call cabi_realloc for one at all, so those are left alone.
static void release(void *ptr, uint32_t len) {
  if (len > 0) free(ptr);
}

// ---- get-routes ----------------------------------------------------------

typedef struct {
  const char *ptr;
  uint32_t len;
} str_t;

typedef struct {
  str_t method;
  str_t path;
} route_t; // record route: 16 bytes

// result<list<route>, string>: tag u8 at 0, (ptr, len) at 4.
typedef struct {
  uint8_t is_err;
  const void *ptr;
  uint32_t len;
} routes_ret_t;

_Static_assert(sizeof(route_t) == 16, "route layout");
_Static_assert(sizeof(routes_ret_t) == 12, "result layout");

#define S(lit) ((str_t){lit, sizeof(lit) - 1})

static const route_t routes[] = {
    {S("GET"), S("/hello")},        {S("GET"), S("/headers")},  {S("POST"), S("/echo")},
    {S("GET"), S("/status/{code}")}, {S("GET"), S("/trailers")}, {S("GET"), S("/trap")},
    {S("GET"), S("/spin")},
};

static routes_ret_t routes_ret;

EXPORT(BACKEND "#get-routes")
routes_ret_t *get_routes(void) {
  routes_ret = (routes_ret_t){0, routes, sizeof(routes) / sizeof(routes[0])};
  return &routes_ret;
}

// Everything returned is static: nothing to free.
EXPORT("cabi_post_" BACKEND "#get-routes")
void get_routes_post(routes_ret_t *ret) { (void)ret; }

// ---- a growable byte buffer ------------------------------------------------

typedef struct {
  char *ptr;
  size_t len, cap;
} buf_t;

static void buf_put(buf_t *b, const void *data, size_t n) {
  if (b->len + n > b->cap) {
    b->cap = (b->len + n) * 2 + 64;
    b->ptr = realloc(b->ptr, b->cap);
    if (!b->ptr) __builtin_trap();
  }
  memcpy(b->ptr + b->len, data, n);
  b->len += n;
}

static void buf_str(buf_t *b, const char *s) { buf_put(b, s, strlen(s)); }

// buf_json_string appends s as a JSON string. Bytes >= 0x80 are copied as
// they are (the JS guest would turn invalid UTF-8 into U+FFFD instead).
static void buf_json_string(buf_t *b, const uint8_t *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  buf_put(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    uint8_t c = s[i];
    if (c == '"' || c == '\\') {
      char esc[2] = {'\\', (char)c};
      buf_put(b, esc, 2);
    } else if (c < 0x20) {
      char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      buf_put(b, esc, 6);
    } else {
      buf_put(b, &c, 1);
    }
  }
  buf_put(b, "\"", 1);
}

// ---- responses -------------------------------------------------------------

// must_ok traps when a wasi:http call that cannot fail here failed anyway.
#define must_ok(is_err) \
  do {                  \
    if (is_err) __builtin_trap(); \
  } while (0)

// write_all writes n bytes to an output-stream, never more than check-write
// allows, blocking on the stream's pollable while the host's buffer is full.
static void write_all(output_stream_t out, const uint8_t *p, size_t n) {
  while (n > 0) {
    result_u64_t room;
    output_stream_check_write(out, &room);
    must_ok(room.is_err);
    if (room.ok == 0) {
      pollable_t ready = output_stream_subscribe(out);
      pollable_block(ready);
      pollable_drop(ready);
      continue;
    }
    uint32_t k = room.ok < n ? (uint32_t)room.ok : (uint32_t)n;
    result_unit_stream_error_t w;
    output_stream_write(out, p, k, &w);
    must_ok(w.is_err);
    p += k;
    n -= k;
  }
}

static void flush(output_stream_t out) {
  result_unit_stream_error_t f;
  output_stream_blocking_flush(out, &f);
  must_ok(f.is_err);
}

typedef struct {
  const char *name, *value;
} header_t;

// new_fields builds a fields resource with [constructor]fields + append.
static fields_t new_fields(const header_t *h, size_t n) {
  fields_t f = fields_new();
  for (size_t i = 0; i < n; i++) {
    result_unit_header_error_t r;
    fields_append(f, h[i].name, strlen(h[i].name), (const uint8_t *)h[i].value,
                  strlen(h[i].value), &r);
    must_ok(r.is_err);
  }
  return f;
}

// start_response sets the response (status + headers) on the outparam and
// returns its body, ready to write.
static outgoing_body_t start_response(response_outparam_t out, int status, const header_t *h,
                                      size_t nh) {
  outgoing_response_t resp = outgoing_response_new(new_fields(h, nh));
  must_ok(outgoing_response_set_status_code(resp, status));
  result_handle_t body;
  outgoing_response_body(resp, &body);
  must_ok(body.is_err);
  response_outparam_set(out, 0, resp, 0, 0, 0, 0, 0, 0);
  return body.val;
}

// finish_body ends a response body, with trailers when trailers >= 0. Any
// output-stream of the body must be dropped before this.
static void finish_body(outgoing_body_t body, fields_t trailers) {
  result_unit_error_code_t r;
  outgoing_body_finish(body, trailers >= 0, trailers >= 0 ? trailers : 0, &r);
  must_ok(r.is_err);
}

// respond sends a whole response with a body held in memory.
static void respond(response_outparam_t out, int status, const header_t *h, size_t nh,
                    const void *data, size_t n, fields_t trailers) {
  outgoing_body_t body = start_response(out, status, h, nh);
  if (n > 0) {
    result_handle_t stream;
    outgoing_body_write(body, &stream);
    must_ok(stream.is_err);
    write_all(stream.val, data, n);
    flush(stream.val);
    output_stream_drop(stream.val);
  }
  finish_body(body, trailers);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

// ---- routes ----------------------------------------------------------------

static void hello(response_outparam_t out, const uint8_t *pq, size_t pq_len) {
  buf_t b = {0};
  buf_str(&b, "{\"hello\":\"backstage\",\"path\":");
  buf_json_string(&b, pq, pq_len);
  buf_str(&b, "}");
  static const header_t h[] = {{"content-type", "application/json"}};
  respond(out, 200, h, N(h), b.ptr, b.len, -1);
  free(b.ptr);
}

static int same_name(bytes_t a, bytes_t b) {
  if (a.len != b.len) return 0;
  for (uint32_t i = 0; i < a.len; i++) {
    uint8_t x = a.ptr[i], y = b.ptr[i];
    if (x >= 'A' && x <= 'Z') x += 32;
    if (y >= 'A' && y <= 'Z') y += 32;
    if (x != y) return 0;
  }
  return 1;
}

// headers answers with the request's headers as a JSON object: lower-cased
// names in first-seen order, repeated names joined with ", ".
static void headers(response_outparam_t out, incoming_request_t req) {
  fields_t fields = incoming_request_headers(req);
  field_list_t list;
  fields_entries(fields, &list);
  fields_drop(fields);

  buf_t b = {0};
  buf_str(&b, "{");
  int first = 1;
  for (uint32_t i = 0; i < list.len; i++) {
    int seen = 0;
    for (uint32_t j = 0; j < i && !seen; j++) seen = same_name(list.ptr[i].name, list.ptr[j].name);
    if (seen) continue;
    for (uint32_t k = 0; k < list.ptr[i].name.len; k++) {
      uint8_t *c = &list.ptr[i].name.ptr[k];
      if (*c >= 'A' && *c <= 'Z') *c += 32;
    }
    if (!first) buf_str(&b, ",");
    first = 0;
    buf_json_string(&b, list.ptr[i].name.ptr, list.ptr[i].name.len);
    buf_str(&b, ":");
    // The joined value, escaped as one string.
    buf_t v = {0};
    for (uint32_t j = i; j < list.len; j++) {
      if (!same_name(list.ptr[i].name, list.ptr[j].name)) continue;
      if (v.len > 0) buf_put(&v, ", ", 2);
      buf_put(&v, list.ptr[j].value.ptr, list.ptr[j].value.len);
    }
    buf_json_string(&b, (const uint8_t *)v.ptr, v.len);
    free(v.ptr);
  }
  buf_str(&b, "}");

  for (uint32_t i = 0; i < list.len; i++) {
    release(list.ptr[i].name.ptr, list.ptr[i].name.len);
    release(list.ptr[i].value.ptr, list.ptr[i].value.len);
  }
  release(list.ptr, list.len);

  static const header_t h[] = {{"content-type", "application/json"}, {"x-bigband-guest", GUEST_TAG}};
  respond(out, 200, h, N(h), b.ptr, b.len, -1);
  free(b.ptr);
}

// echo streams the request body back: read up to 64 KiB, write it, repeat
// until the input stream is closed. The guest never holds more than one chunk.
static void echo(response_outparam_t out, incoming_request_t req) {
  // content-type, copied from the request when present (fields.get).
  fields_t reqh = incoming_request_headers(req);
  bytes_list_t ct;
  fields_get(reqh, "content-type", 12, &ct);
  fields_drop(reqh);
  char *ctype = NULL;
  if (ct.len > 0) {
    ctype = malloc(ct.ptr[0].len + 1);
    memcpy(ctype, ct.ptr[0].ptr, ct.ptr[0].len);
    ctype[ct.ptr[0].len] = 0;
  }
  for (uint32_t i = 0; i < ct.len; i++) release(ct.ptr[i].ptr, ct.ptr[i].len);
  release(ct.ptr, ct.len);

  header_t h[] = {{"content-type", ctype}};
  outgoing_body_t body = start_response(out, 200, h, ctype ? 1 : 0);
  free(ctype);

  result_handle_t in_body, in, outs;
  incoming_request_consume(req, &in_body);
  must_ok(in_body.is_err);
  incoming_body_stream(in_body.val, &in);
  must_ok(in.is_err);
  outgoing_body_write(body, &outs);
  must_ok(outs.is_err);

  for (;;) {
    result_bytes_t chunk;
    input_stream_blocking_read(in.val, 64 * 1024, &chunk);
    if (chunk.is_err) {
      if (chunk.err.tag == STREAM_ERROR_CLOSED) break;
      __builtin_trap(); // last-operation-failed: the request body broke off
    }
    write_all(outs.val, chunk.ok.ptr, chunk.ok.len);
    release(chunk.ok.ptr, chunk.ok.len);
  }
  flush(outs.val);

  // Children before parents.
  output_stream_drop(outs.val);
  input_stream_drop(in.val);
  incoming_body_drop(in_body.val);
  finish_body(body, -1);
}

static void trailers(response_outparam_t out) {
  // The trailers go through [static]fields.from-list.
  static const field_t entries[] = {
      {{(uint8_t *)"x-checksum", 10}, {(uint8_t *)"abc", 3}},
  };
  result_handle_t t;
  fields_from_list(entries, N(entries), &t);
  must_ok(t.is_err);
  static const header_t h[] = {{"content-type", "text/plain"}};
  respond(out, 200, h, N(h), "ok", 2, t.val);
}

// status_code parses "/status/NNN" with NNN in 200..599; 0 when it isn't one.
static int status_code(const uint8_t *path, size_t n) {
  static const char prefix[] = "/status/";
  if (n != sizeof(prefix) - 1 + 3 || memcmp(path, prefix, sizeof(prefix) - 1) != 0) return 0;
  int code = 0;
  for (size_t i = sizeof(prefix) - 1; i < n; i++) {
    if (path[i] < '0' || path[i] > '9') return 0;
    code = code * 10 + (path[i] - '0');
  }
  return code >= 200 && code <= 599 ? code : 0;
}

static int is(const uint8_t *path, size_t n, const char *want) {
  return strlen(want) == n && memcmp(path, want, n) == 0;
}

EXPORT("wasi:http/incoming-handler@0.2.0#handle")
void handle(incoming_request_t req, response_outparam_t out) {
  method_t m;
  incoming_request_method(req, &m);
  if (m.tag == METHOD_OTHER) release(m.other.ptr, m.other.len);

  option_string_t pq;
  incoming_request_path_with_query(req, &pq);
  const uint8_t *full = pq.is_some ? pq.val.ptr : (const uint8_t *)"/";
  size_t full_len = pq.is_some ? pq.val.len : 1;
  const uint8_t *q = memchr(full, '?', full_len);
  size_t path_len = q ? (size_t)(q - full) : full_len; // the path without the query

  int code;
  if (m.tag == METHOD_GET && is(full, path_len, "/hello")) {
    hello(out, full, full_len);
  } else if (m.tag == METHOD_GET && is(full, path_len, "/headers")) {
    headers(out, req);
  } else if (m.tag == METHOD_POST && is(full, path_len, "/echo")) {
    echo(out, req);
  } else if (m.tag == METHOD_GET && (code = status_code(full, path_len)) != 0) {
    respond(out, code, NULL, 0, NULL, 0, -1);
  } else if (m.tag == METHOD_GET && is(full, path_len, "/trailers")) {
    trailers(out);
  } else if (m.tag == METHOD_GET && is(full, path_len, "/trap")) {
    __builtin_trap();
  } else if (m.tag == METHOD_GET && is(full, path_len, "/spin")) {
    for (volatile uint32_t i = 0;; i++) {
    }
  } else {
    static const header_t h[] = {{"content-type", "text/plain"}};
    respond(out, 404, h, N(h), "not found", 9, -1);
  }

  if (pq.is_some) release(pq.val.ptr, pq.val.len);
  incoming_request_drop(req);
}
