// bigband.c: the implementation behind bigband.h. Compile it with your
// plugin: clang --target=wasm32-wasi -mexec-model=reactor plugin.c bigband.c
#include "bigband.h"

#include <stdlib.h>
#include <string.h>

// ---- memory ------------------------------------------------------------------

// The host allocates in our memory through this: the strings and lists it
// returns to us. malloc's 16-byte alignment covers every canonical-ABI type.
BB_EXPORT("cabi_realloc")
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
  if (new_size == 0) return (void *)align; // any aligned non-null address
  // A zero-sized old block came from the line above, not from malloc.
  void *p = realloc(old_size ? old : NULL, new_size);
  if (!p) __builtin_trap();
  return p;
}

void bb_release(void *ptr, uint32_t len) {
  if (len > 0) free(ptr);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) __builtin_trap();
  return p;
}

static bb_str_t copy(const char *s, size_t n) {
  char *p = xmalloc(n);
  memcpy(p, s, n);
  return (bb_str_t){p, (uint32_t)n};
}

static bb_str_t copy_cstr(const char *s) { return copy(s, strlen(s)); }

bb_str_t bb_cstr(const char *s) { return (bb_str_t){s, (uint32_t)strlen(s)}; }

int bb_str_eq(bb_str_t a, const char *b) {
  size_t n = strlen(b);
  return a.len == n && memcmp(a.ptr, b, n) == 0;
}

// ---- byte buffer ---------------------------------------------------------------

void bb_buf_put(bb_buf_t *b, const void *data, size_t n) {
  if (b->len + n > b->cap) {
    b->cap = (b->len + n) * 2 + 64;
    b->ptr = realloc(b->ptr, b->cap);
    if (!b->ptr) __builtin_trap();
  }
  if (n) memcpy(b->ptr + b->len, data, n);
  b->len += n;
}

void bb_buf_str(bb_buf_t *b, const char *s) { bb_buf_put(b, s, strlen(s)); }

void bb_buf_json(bb_buf_t *b, const void *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  const uint8_t *p = s;
  bb_buf_put(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    uint8_t c = p[i];
    if (c == '"' || c == '\\') {
      char esc[2] = {'\\', (char)c};
      bb_buf_put(b, esc, 2);
    } else if (c < 0x20) {
      char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      bb_buf_put(b, esc, 6);
    } else {
      bb_buf_put(b, &c, 1);
    }
  }
  bb_buf_put(b, "\"", 1);
}

void bb_buf_free(bb_buf_t *b) {
  free(b->ptr);
  *b = (bb_buf_t){0};
}

// ---- contract exports ------------------------------------------------------------

// One growable array of records per call; the post-return function frees
// the records' strings and the array.
typedef struct {
  void *items;
  size_t len, cap, size;
} vec_t;

static void *vec_push(vec_t *v) {
  if (v->len == v->cap) {
    v->cap = v->cap ? v->cap * 2 : 8;
    v->items = realloc(v->items, v->cap * v->size);
    if (!v->items) __builtin_trap();
  }
  return (char *)v->items + v->len++ * v->size;
}

struct bb_deps {
  vec_t v;
};
struct bb_files {
  vec_t v;
};

static bb_list_result_t ret; // the return area: one call at a time

static bb_list_result_t *finish(vec_t *v, const char *err) {
  if (err) {
    ret = (bb_list_result_t){1, NULL, 0};
    bb_str_t msg = copy_cstr(err);
    ret.ptr = msg.ptr;
    ret.len = msg.len;
    // The records built so far are not returned: free them now.
    v->len = 0;
    return &ret;
  }
  ret = (bb_list_result_t){0, v->items, (uint32_t)v->len};
  return &ret;
}

static void free_opt(bb_opt_str_t o) {
  if (o.is_some) free((void *)o.val.ptr);
}

void bb_dep(bb_deps *d, const char *name, const char *version, int dev) {
  bb_node_dep_t *r = vec_push(&d->v);
  r->name = copy_cstr(name);
  r->version = version ? (bb_opt_str_t){1, copy_cstr(version)} : BB_NONE;
  r->dev = dev != 0;
}

static void add_file(bb_files *f, const char *path, const char *class_name, const char *contents,
                     size_t len) {
  bb_component_file_t *r = vec_push(&f->v);
  r->path = copy_cstr(path);
  r->is_root = class_name != NULL;
  r->class_name = class_name ? (bb_opt_str_t){1, copy_cstr(class_name)} : BB_NONE;
  r->contents = copy(contents, len);
}

void bb_file(bb_files *f, const char *path, const char *contents) {
  add_file(f, path, NULL, contents, strlen(contents));
}
void bb_file_n(bb_files *f, const char *path, const char *contents, size_t len) {
  add_file(f, path, NULL, contents, len);
}
void bb_root_file(bb_files *f, const char *path, const char *class_name, const char *contents) {
  add_file(f, path, class_name, contents, strlen(contents));
}

static void free_deps(bb_node_dep_t *d, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free((void *)d[i].name.ptr);
    free_opt(d[i].version);
  }
  free(d);
}

static void free_files(bb_component_file_t *f, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free((void *)f[i].path.ptr);
    free_opt(f[i].class_name);
    free((void *)f[i].contents.ptr);
  }
  free(f);
}

bb_list_result_t *bb_run_deps(bb_deps_fn fn) {
  bb_deps d = {{.size = sizeof(bb_node_dep_t)}};
  const char *err = fn(&d);
  if (err) free_deps(d.v.items, d.v.len);
  return finish(&d.v, err);
}

bb_list_result_t *bb_run_files(bb_files_fn fn) {
  bb_files f = {{.size = sizeof(bb_component_file_t)}};
  const char *err = fn(&f);
  if (err) free_files(f.v.items, f.v.len);
  return finish(&f.v, err);
}

void bb_post_deps(bb_list_result_t *r) {
  if (r->is_err) free((void *)r->ptr);
  else free_deps((bb_node_dep_t *)r->ptr, r->len);
}

void bb_post_files(bb_list_result_t *r) {
  if (r->is_err) free((void *)r->ptr);
  else free_files((bb_component_file_t *)r->ptr, r->len);
}

bb_list_result_t *bb_run_routes(const bb_route *routes, size_t n) {
  bb_route_t *out = xmalloc(n * sizeof *out);
  for (size_t i = 0; i < n; i++) out[i] = (bb_route_t){bb_cstr(routes[i].method), bb_cstr(routes[i].path)};
  ret = (bb_list_result_t){0, out, (uint32_t)n};
  return &ret;
}

// The route strings are the caller's (static); only the array was ours.
void bb_post_routes(bb_list_result_t *r) { free((void *)r->ptr); }

// ---- raw helpers ---------------------------------------------------------------

int bb_write_all(bb_output_stream_t out, const void *data, size_t n) {
  const uint8_t *p = data;
  while (n > 0) {
    bb_result_u64_t room;
    bb_output_stream_check_write(out, &room);
    if (room.is_err) {
      if (room.err.tag == BB_STREAM_FAILED) bb_io_error_drop(room.err.error);
      return -1;
    }
    if (room.ok == 0) {
      bb_pollable_t ready = bb_output_stream_subscribe(out);
      bb_pollable_block(ready);
      bb_pollable_drop(ready);
      continue;
    }
    uint32_t k = room.ok < n ? (uint32_t)room.ok : (uint32_t)n;
    bb_result_stream_t w;
    bb_output_stream_write(out, p, k, &w);
    if (w.is_err) {
      if (w.err.tag == BB_STREAM_FAILED) bb_io_error_drop(w.err.error);
      return -1;
    }
    p += k;
    n -= k;
  }
  return 0;
}

int bb_flush(bb_output_stream_t out) {
  bb_result_stream_t f;
  bb_output_stream_blocking_flush(out, &f);
  if (f.is_err && f.err.tag == BB_STREAM_FAILED) bb_io_error_drop(f.err.error);
  return f.is_err ? -1 : 0;
}

bb_outgoing_body_t bb_start_response(bb_response_outparam_t out, int status, bb_fields_t headers) {
  bb_outgoing_response_t resp = bb_outgoing_response_new(headers);
  bb_must(bb_outgoing_response_set_status_code(resp, status));
  bb_result_handle_t body;
  bb_outgoing_response_body(resp, &body);
  bb_must(body.is_err);
  bb_response_outparam_set(out, 0, resp, 0, 0, 0, 0, 0, 0);
  return body.val;
}

int bb_finish_body(bb_outgoing_body_t body, bb_fields_t trailers) {
  bb_result_error_code_t r;
  bb_outgoing_body_finish(body, trailers >= 0, trailers >= 0 ? trailers : 0, &r);
  return r.is_err ? -1 : 0;
}

bb_fields_t bb_new_fields(const char *const *pairs, size_t npairs) {
  bb_fields_t f = bb_fields_new();
  for (size_t i = 0; i < npairs; i++) {
    const char *name = pairs[2 * i], *value = pairs[2 * i + 1];
    bb_result_header_t r;
    bb_fields_append(f, name, strlen(name), (const uint8_t *)value, strlen(value), &r);
    bb_must(r.is_err);
  }
  return f;
}

// ---- requests and responses -------------------------------------------------------

struct bb_request {
  bb_incoming_request_t handle;
  const char *method;
  char *other; // the extension method's name, NUL-terminated
  bb_opt_bytes_t pq;
  bb_str_t path, query;
  bb_field_list_t headers; // fetched on first use
  int have_headers;
  bb_incoming_body_t body; // -1 until consumed
  bb_input_stream_t in;
  int body_done;
};

struct bb_response {
  bb_response_outparam_t out;
  int status;
  bb_fields_t headers, trailers; // -1 until the first header/trailer
  int started, failed;
  bb_outgoing_body_t body;
  bb_output_stream_t stream;
};

static const char *const method_names[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                           "CONNECT", "OPTIONS", "TRACE", "PATCH"};

const char *bb_method(const bb_request *r) { return r->method; }
int bb_method_is(const bb_request *r, const char *m) { return strcmp(r->method, m) == 0; }
bb_str_t bb_path(const bb_request *r) { return r->path; }
bb_str_t bb_query(const bb_request *r) { return r->query; }
int bb_path_is(const bb_request *r, const char *path) { return bb_str_eq(r->path, path); }

int bb_match(const bb_request *r, const char *pattern, bb_str_t *params, int max) {
  const char *p = r->path.ptr, *end = p + r->path.len;
  int n = 0;
  while (*pattern) {
    if (*pattern == '{') {
      const char *close = strchr(pattern, '}');
      if (!close) return 0;
      const char *seg = p;
      while (p < end && *p != '/') p++;
      if (p == seg) return 0;
      if (n < max) params[n] = (bb_str_t){seg, (uint32_t)(p - seg)};
      n++;
      pattern = close + 1;
    } else {
      if (p == end || *p != *pattern) return 0;
      p++;
      pattern++;
    }
  }
  return p == end;
}

static void load_headers(bb_request *r) {
  if (r->have_headers) return;
  bb_fields_t f = bb_incoming_request_headers(r->handle);
  bb_fields_entries(f, &r->headers);
  bb_fields_drop(f);
  r->have_headers = 1;
}

size_t bb_headers(bb_request *r, const bb_header **out) {
  load_headers(r);
  // bb_field_t and bb_header share their layout: two (ptr, len) pairs.
  _Static_assert(sizeof(bb_field_t) == sizeof(bb_header), "header layout");
  *out = (const bb_header *)r->headers.ptr;
  return r->headers.len;
}

static int same_name(bb_bytes_t a, const char *b) {
  size_t n = strlen(b);
  if (a.len != n) return 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t x = a.ptr[i], y = (uint8_t)b[i];
    if (x >= 'A' && x <= 'Z') x += 32;
    if (y >= 'A' && y <= 'Z') y += 32;
    if (x != y) return 0;
  }
  return 1;
}

int bb_header_get(bb_request *r, const char *name, bb_str_t *value) {
  load_headers(r);
  for (uint32_t i = 0; i < r->headers.len; i++) {
    if (same_name(r->headers.ptr[i].name, name)) {
      *value = (bb_str_t){(const char *)r->headers.ptr[i].value.ptr, r->headers.ptr[i].value.len};
      return 1;
    }
  }
  return 0;
}

long bb_read(bb_request *r, void *buf, size_t cap) {
  if (r->body_done || cap == 0) return 0;
  if (r->body < 0) {
    bb_result_handle_t b, s;
    bb_incoming_request_consume(r->handle, &b);
    if (b.is_err) return -1; // consumed already through the raw layer
    r->body = b.val;
    bb_incoming_body_stream(r->body, &s);
    if (s.is_err) return -1;
    r->in = s.val;
  }
  if (cap > 1 << 30) cap = 1 << 30;
  for (;;) {
    bb_result_bytes_t chunk;
    bb_input_stream_blocking_read(r->in, cap, &chunk);
    if (chunk.is_err) {
      r->body_done = 1;
      if (chunk.err.tag == BB_STREAM_CLOSED) return 0;
      bb_io_error_drop(chunk.err.error);
      return -1;
    }
    // The host never returns more than asked; an empty chunk is not the end.
    uint32_t n = chunk.ok.len < cap ? chunk.ok.len : (uint32_t)cap;
    memcpy(buf, chunk.ok.ptr, n);
    bb_release(chunk.ok.ptr, chunk.ok.len);
    if (n > 0) return (long)n;
  }
}

void bb_status(bb_response *w, int code) {
  if (!w->started) w->status = code;
}

static int add_field(bb_fields_t *f, const char *name, const char *value) {
  if (*f < 0) *f = bb_fields_new();
  bb_result_header_t r;
  bb_fields_append(*f, name, strlen(name), (const uint8_t *)value, strlen(value), &r);
  return r.is_err ? -1 : 0;
}

int bb_set_header(bb_response *w, const char *name, const char *value) {
  if (w->started) return -1;
  return add_field(&w->headers, name, value);
}

void bb_trailer(bb_response *w, const char *name, const char *value) {
  add_field(&w->trailers, name, value);
}

static void start(bb_response *w) {
  if (w->started) return;
  w->started = 1;
  w->body = bb_start_response(w->out, w->status, w->headers >= 0 ? w->headers : bb_fields_new());
  w->headers = -1;
  bb_result_handle_t s;
  bb_outgoing_body_write(w->body, &s);
  bb_must(s.is_err);
  w->stream = s.val;
}

int bb_write(bb_response *w, const void *data, size_t n) {
  start(w);
  if (w->failed) return -1;
  if (bb_write_all(w->stream, data, n) < 0) w->failed = 1;
  return w->failed ? -1 : 0;
}

void bb_respond(bb_response *w, int status, const char *content_type, const void *body, size_t n) {
  bb_status(w, status);
  if (content_type) bb_set_header(w, "content-type", content_type);
  bb_write(w, body, n);
}

void bb_serve(int32_t req, int32_t out, bb_handler handler) {
  bb_request r = {.handle = req, .body = -1, .in = -1};
  bb_method_t m;
  bb_incoming_request_method(req, &m);
  if (m.tag == BB_METHOD_OTHER) {
    r.other = xmalloc(m.other.len + 1);
    memcpy(r.other, m.other.ptr, m.other.len);
    r.other[m.other.len] = 0;
    bb_release(m.other.ptr, m.other.len);
    r.method = r.other;
  } else {
    r.method = m.tag < sizeof method_names / sizeof method_names[0] ? method_names[m.tag] : "";
  }
  bb_incoming_request_path_with_query(req, &r.pq);
  const char *full = r.pq.is_some ? (const char *)r.pq.val.ptr : "/";
  uint32_t n = r.pq.is_some ? r.pq.val.len : 1;
  const char *q = memchr(full, '?', n);
  r.path = (bb_str_t){full, q ? (uint32_t)(q - full) : n};
  r.query = q ? (bb_str_t){q + 1, (uint32_t)(full + n - q - 1)} : (bb_str_t){"", 0};

  bb_response w = {.out = out, .status = 200, .headers = -1, .trailers = -1, .stream = -1};
  handler(&r, &w);

  start(&w);
  if (!w.failed) bb_flush(w.stream);
  bb_output_stream_drop(w.stream);
  bb_finish_body(w.body, w.trailers);

  // Children before parents.
  if (r.in >= 0) bb_input_stream_drop(r.in);
  if (r.body >= 0) bb_incoming_body_drop(r.body);
  for (uint32_t i = 0; i < r.headers.len; i++) {
    bb_release(r.headers.ptr[i].name.ptr, r.headers.ptr[i].name.len);
    bb_release(r.headers.ptr[i].value.ptr, r.headers.ptr[i].value.len);
  }
  bb_release(r.headers.ptr, r.headers.len);
  if (r.pq.is_some) bb_release(r.pq.val.ptr, r.pq.val.len);
  free(r.other);
  bb_incoming_request_drop(req);
}
