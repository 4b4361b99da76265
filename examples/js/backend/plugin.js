// A Backstage backend plugin in JavaScript (componentize-js 0.22 /
// StarlingMonkey), exporting backstage-backend-plugin and
// wasi:http/incoming-handler@0.2.10.
//
// It implements incoming-handler by hand (the `incomingHandler` export)
// instead of StarlingMonkey's fetch event, because only the raw wasi:http
// types can send trailers and stream a body chunk by chunk with explicit
// backpressure; it also lets one instance serve many requests, and an
// uncaught exception traps instead of becoming a 500. Routes and responses:
// ../../backend-expected.md.
import {
  Fields,
  OutgoingBody,
  OutgoingResponse,
  ResponseOutparam,
} from 'wasi:http/types@0.2.10';

const ROUTES = [
  { method: 'GET', path: '/hello' },
  { method: 'GET', path: '/headers' },
  { method: 'POST', path: '/echo' },
  { method: 'GET', path: '/status/{code}' },
  { method: 'GET', path: '/trailers' },
  { method: 'GET', path: '/trap' },
  { method: 'GET', path: '/spin' },
];

export const backstageBackendPlugin = {
  getRoutes() {
    return ROUTES;
  },
};

const utf8 = new TextEncoder();
const text = new TextDecoder();
// The bindings drop a resource through this symbol (StarlingMonkey may not
// define Symbol.dispose).
const dispose = Symbol.dispose || Symbol.for('dispose');
const READ_CHUNK = 64n * 1024n;

function fields(obj) {
  return Fields.fromList(Object.entries(obj).map(([k, v]) => [k, utf8.encode(v)]));
}

// writeAll writes bytes to an output-stream, never more than check-write
// allows, waiting on the stream's pollable while the host's buffer is full.
function writeAll(out, bytes) {
  let off = 0;
  while (off < bytes.length) {
    const n = Number(out.checkWrite());
    if (n === 0) {
      const ready = out.subscribe();
      ready.block();
      ready[dispose]();
      continue;
    }
    const end = Math.min(off + n, bytes.length);
    out.write(bytes.subarray(off, end));
    off = end;
  }
}

// respond sends a whole response: status, headers, an optional body, then
// finishes the body (with trailers when given). The output-stream is dropped
// before finish, as wasi:http requires of a child resource.
function respond(responseOut, status, headers, body, trailers) {
  const response = new OutgoingResponse(fields(headers));
  response.setStatusCode(status);
  const outBody = response.body();
  ResponseOutparam.set(responseOut, { tag: 'ok', val: response });
  if (body !== undefined && body.length > 0) {
    const out = outBody.write();
    writeAll(out, typeof body === 'string' ? utf8.encode(body) : body);
    out.blockingFlush();
    out[dispose]();
  }
  OutgoingBody.finish(outBody, trailers);
}

function isClosed(e) {
  // A result's error arrives as the thrown value or as its payload.
  return (e && e.tag === 'closed') || (e && e.payload && e.payload.tag === 'closed');
}

// echo streams the request body back: read a chunk, write it, repeat. The
// guest never holds more than one chunk.
function echo(request, responseOut) {
  const headers = request.headers();
  const ct = headers.get('content-type');
  headers[dispose]();
  const response = new OutgoingResponse(fields(ct.length > 0 ? { 'content-type': text.decode(ct[0]) } : {}));
  const outBody = response.body();
  ResponseOutparam.set(responseOut, { tag: 'ok', val: response });

  const inBody = request.consume();
  const input = inBody.stream();
  const out = outBody.write();
  for (;;) {
    let chunk;
    try {
      chunk = input.blockingRead(READ_CHUNK);
    } catch (e) {
      if (isClosed(e)) break;
      throw e;
    }
    writeAll(out, chunk);
  }
  out.blockingFlush();
  out[dispose]();
  input[dispose]();
  inBody[dispose]();
  OutgoingBody.finish(outBody, undefined);
}

function requestHeaders(request) {
  const headers = request.headers();
  const seen = {};
  for (const [name, value] of headers.entries()) {
    const key = name.toLowerCase();
    const v = text.decode(value);
    seen[key] = key in seen ? `${seen[key]}, ${v}` : v;
  }
  headers[dispose]();
  return seen;
}

function methodName(m) {
  return m.tag === 'other' ? m.val : m.tag.toUpperCase();
}

export const incomingHandler = {
  handle(request, responseOut) {
    const method = methodName(request.method());
    const pathWithQuery = request.pathWithQuery() ?? '/';
    const path = pathWithQuery.split('?', 1)[0];

    if (method === 'GET' && path === '/hello') {
      return respond(responseOut, 200, { 'content-type': 'application/json' },
        JSON.stringify({ hello: 'backstage', path: pathWithQuery }));
    }
    if (method === 'GET' && path === '/headers') {
      return respond(responseOut, 200, { 'content-type': 'application/json', 'x-bigband-guest': 'js' },
        JSON.stringify(requestHeaders(request)));
    }
    if (method === 'POST' && path === '/echo') {
      return echo(request, responseOut);
    }
    const status = /^\/status\/([0-9]{3})$/.exec(path);
    if (method === 'GET' && status && +status[1] >= 200 && +status[1] <= 599) {
      return respond(responseOut, +status[1], {});
    }
    if (method === 'GET' && path === '/trailers') {
      return respond(responseOut, 200, { 'content-type': 'text/plain' }, 'ok',
        fields({ 'x-checksum': 'abc' }));
    }
    if (method === 'GET' && path === '/trap') {
      // An exception escaping an export: componentize-js aborts, which is a
      // wasm `unreachable` trap.
      throw new Error('trap requested');
    }
    if (method === 'GET' && path === '/spin') {
      for (;;) {}
    }
    return respond(responseOut, 404, { 'content-type': 'text/plain' }, 'not found');
  },
};
