// A backend over every part of bigband.h's wasi:http API, for
// guest/libtest: features.rs does the same in Rust, and both must answer
// alike. Routes (all bodies text/plain unless said):
//   ANY  /info?...        "<method> <path> <query> <x-one or -> <x-multi count>"
//   POST /echo            the body streamed back, content-type copied
//   GET  /gen?n=N         N bytes, byte i = i % 251, in uneven chunks
//   POST /count           "<bytes> <sum of bytes mod 2^32>"
//   GET  /status/{code}   that status, body "s"
//   GET  /trailers        "ok", trailers x-checksum: abc, x-two: 2
//   GET  /headers-out     x-a: 1, x-b: 1, x-b: 2
//   GET  /late-header     "a", then "<result of a header set after the first write>"
//   GET  /match/{a}/{b}   "a=<a> b=<b>"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bigband.h"

static const bb_route routes[] = {
    {"GET", "/info"},        {"POST", "/echo"},     {"GET", "/gen"},
    {"POST", "/count"},      {"GET", "/status/{code}"}, {"GET", "/trailers"},
    {"GET", "/headers-out"}, {"GET", "/late-header"},   {"GET", "/match/{a}/{b}"},
};

static void text(bb_response *res, int status, const char *s) {
  bb_respond(res, status, "text/plain", s, strlen(s));
}

static void info(bb_request *req, bb_response *res) {
  bb_buf_t b = {0};
  bb_str_t path = bb_path(req), query = bb_query(req), one;
  bb_buf_str(&b, bb_method(req));
  bb_buf_str(&b, " ");
  bb_buf_put(&b, path.ptr, path.len);
  bb_buf_str(&b, " ");
  bb_buf_put(&b, query.ptr, query.len);
  bb_buf_str(&b, " ");
  if (bb_header_get(req, "X-One", &one)) bb_buf_put(&b, one.ptr, one.len);
  else bb_buf_str(&b, "-");
  const bb_header *h;
  size_t n = bb_headers(req, &h), multi = 0;
  for (size_t i = 0; i < n; i++) multi += bb_str_eq(h[i].name, "x-multi");
  char num[24];
  snprintf(num, sizeof num, " %zu", multi);
  bb_buf_str(&b, num);
  bb_respond(res, 200, "text/plain", b.ptr, b.len);
  bb_buf_free(&b);
}

static char chunk[64 * 1024];

static void echo(bb_request *req, bb_response *res) {
  bb_str_t ct;
  if (bb_header_get(req, "content-type", &ct)) {
    char *v = strndup(ct.ptr, ct.len);
    bb_set_header(res, "content-type", v);
    free(v);
  }
  long n;
  while ((n = bb_read(req, chunk, sizeof chunk)) > 0) bb_write(res, chunk, (size_t)n);
}

static void gen(bb_request *req, bb_response *res) {
  bb_str_t q = bb_query(req);
  long total = 0;
  if (q.len > 2 && memcmp(q.ptr, "n=", 2) == 0) {
    char *n = strndup(q.ptr + 2, q.len - 2);
    total = strtol(n, NULL, 10);
    free(n);
  }
  bb_set_header(res, "content-type", "application/octet-stream");
  long i = 0, step = 1000;
  while (i < total) {
    long k = total - i < step ? total - i : step;
    for (long j = 0; j < k; j++) chunk[j] = (char)((i + j) % 251);
    bb_write(res, chunk, (size_t)k);
    i += k;
    step = step * 3 % 60000 + 1; // uneven chunk sizes
  }
}

static void count(bb_request *req, bb_response *res) {
  unsigned long long total = 0;
  uint32_t sum = 0;
  long n;
  while ((n = bb_read(req, chunk, sizeof chunk)) > 0) {
    total += (unsigned long long)n;
    for (long i = 0; i < n; i++) sum += (uint8_t)chunk[i];
  }
  char out[64];
  snprintf(out, sizeof out, "%llu %u", total, sum);
  text(res, 200, out);
}

static void handle(bb_request *req, bb_response *res) {
  bb_str_t p[2];
  if (bb_path_is(req, "/info")) return info(req, res);
  if (bb_method_is(req, "POST") && bb_path_is(req, "/echo")) return echo(req, res);
  if (bb_path_is(req, "/gen")) return gen(req, res);
  if (bb_method_is(req, "POST") && bb_path_is(req, "/count")) return count(req, res);
  if (bb_match(req, "/status/{code}", p, 1)) {
    char *code = strndup(p[0].ptr, p[0].len);
    bb_status(res, atoi(code));
    free(code);
    return (void)bb_write(res, "s", 1);
  }
  if (bb_path_is(req, "/trailers")) {
    bb_trailer(res, "x-checksum", "abc");
    bb_trailer(res, "x-two", "2");
    return text(res, 200, "ok");
  }
  if (bb_path_is(req, "/headers-out")) {
    bb_set_header(res, "x-a", "1");
    bb_set_header(res, "x-b", "1");
    bb_set_header(res, "x-b", "2");
    return text(res, 200, "");
  }
  if (bb_path_is(req, "/late-header")) {
    bb_write(res, "a", 1);
    int r = bb_set_header(res, "x-late", "1");
    return (void)bb_write(res, r < 0 ? "-1" : "0", r < 0 ? 2 : 1);
  }
  if (bb_match(req, "/match/{a}/{b}", p, 2)) {
    bb_buf_t b = {0};
    bb_buf_str(&b, "a=");
    bb_buf_put(&b, p[0].ptr, p[0].len);
    bb_buf_str(&b, " b=");
    bb_buf_put(&b, p[1].ptr, p[1].len);
    bb_respond(res, 200, "text/plain", b.ptr, b.len);
    return bb_buf_free(&b);
  }
  text(res, 404, "not found");
}

BIGBAND_BACKEND(routes, handle)
