// The example backend plugin in C: a list of items, one item by id, and an
// echo of the request body. Every example backend serves the same JSON.
#include <string.h>

#include "bigband.h"

static const bb_route routes[] = {
    {"GET", "/items"},
    {"GET", "/items/{id}"},
    {"POST", "/echo"},
};

static const struct {
  const char *id, *name;
} items[] = {{"1", "Alpha"}, {"2", "Beta"}, {"3", "Gamma"}};

#define JSON "application/json"

static void item_json(bb_buf_t *b, int i) {
  bb_buf_str(b, "{\"id\":");
  bb_buf_json(b, items[i].id, strlen(items[i].id));
  bb_buf_str(b, ",\"name\":");
  bb_buf_json(b, items[i].name, strlen(items[i].name));
  bb_buf_str(b, "}");
}

static void send(bb_response *res, int status, bb_buf_t *b) {
  bb_respond(res, status, JSON, b->ptr, b->len);
  bb_buf_free(b);
}

static void list(bb_response *res) {
  bb_buf_t b = {0};
  bb_buf_str(&b, "{\"items\":[");
  for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
    if (i) bb_buf_str(&b, ",");
    item_json(&b, (int)i);
  }
  bb_buf_str(&b, "]}");
  send(res, 200, &b);
}

static void item(bb_response *res, bb_str_t id) {
  bb_buf_t b = {0};
  for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
    if (bb_str_eq(id, items[i].id)) {
      item_json(&b, (int)i);
      send(res, 200, &b);
      return;
    }
  }
  bb_buf_str(&b, "{\"error\":");
  bb_buf_t msg = {0};
  bb_buf_str(&msg, "no item ");
  bb_buf_put(&msg, id.ptr, id.len);
  bb_buf_json(&b, msg.ptr, msg.len);
  bb_buf_free(&msg);
  bb_buf_str(&b, "}");
  send(res, 404, &b);
}

// echo streams the body back, one 64 KiB chunk at a time.
static void echo(bb_request *req, bb_response *res) {
  bb_str_t ct;
  char type[256] = "application/octet-stream";
  if (bb_header_get(req, "content-type", &ct) && ct.len < sizeof type) {
    memcpy(type, ct.ptr, ct.len);
    type[ct.len] = 0;
  }
  bb_set_header(res, "content-type", type);
  static char chunk[64 * 1024];
  long n;
  while ((n = bb_read(req, chunk, sizeof chunk)) > 0) {
    if (bb_write(res, chunk, (size_t)n) < 0) return;
  }
}

static void error(bb_response *res, int status, const char *msg) {
  bb_buf_t b = {0};
  bb_buf_str(&b, "{\"error\":");
  bb_buf_json(&b, msg, strlen(msg));
  bb_buf_str(&b, "}");
  send(res, status, &b);
}

static void handle(bb_request *req, bb_response *res) {
  bb_str_t id;
  const char *allow = NULL; // the method the path takes
  if (bb_path_is(req, "/items")) {
    allow = "GET";
    if (bb_method_is(req, "GET")) return list(res);
  } else if (bb_match(req, "/items/{id}", &id, 1)) {
    allow = "GET";
    if (bb_method_is(req, "GET")) return item(res, id);
  } else if (bb_path_is(req, "/echo")) {
    allow = "POST";
    if (bb_method_is(req, "POST")) return echo(req, res);
  }
  if (!allow) return error(res, 404, "not found");
  bb_set_header(res, "allow", allow);
  error(res, 405, "method not allowed");
}

BIGBAND_BACKEND(routes, handle)
