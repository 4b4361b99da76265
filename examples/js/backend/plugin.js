// A Backstage backend plugin in JavaScript: a small JSON API served through
// wasi:http, built into a WebAssembly component by componentize-js.
//
// Two exports make a backend: `backstageBackendPlugin.getRoutes` tells
// Backstage what the plugin serves, and `incomingHandler.handle` answers
// each request (wasi:http/incoming-handler). The handler uses the raw
// wasi:http resources rather than StarlingMonkey's fetch event so that one
// instance serves many requests and a body streams through chunk by chunk.
import {
  Fields,
  OutgoingBody,
  OutgoingResponse,
  ResponseOutparam,
} from 'wasi:http/types@0.2.10';

const ITEMS = [
  { id: '1', name: 'Alpha' },
  { id: '2', name: 'Beta' },
  { id: '3', name: 'Gamma' },
];

const ROUTES = [
  { method: 'GET', path: '/items' },
  { method: 'GET', path: '/items/{id}' },
  { method: 'POST', path: '/echo' },
];

export const backstageBackendPlugin = {
  getRoutes() {
    return ROUTES;
  },
};

export const incomingHandler = {
  handle(request, responseOut) {
    const method = methodName(request.method());
    // Query strings play no part in matching.
    const path = (request.pathWithQuery() ?? '/').split('?', 1)[0];

    if (path === '/items') {
      if (method !== 'GET') return notAllowed(responseOut, 'GET');
      return json(responseOut, 200, { items: ITEMS });
    }
    const m = /^\/items\/([^/]+)$/.exec(path);
    if (m) {
      if (method !== 'GET') return notAllowed(responseOut, 'GET');
      const id = decodeURIComponent(m[1]);
      const item = ITEMS.find((it) => it.id === id);
      if (!item) return json(responseOut, 404, { error: `no item ${id}` });
      return json(responseOut, 200, item);
    }
    if (path === '/echo') {
      if (method !== 'POST') return notAllowed(responseOut, 'POST');
      return echo(request, responseOut);
    }
    return json(responseOut, 404, { error: 'not found' });
  },
};

const utf8 = new TextEncoder();
const text = new TextDecoder();
// Resources are dropped through this symbol (StarlingMonkey may lack
// Symbol.dispose).
const dispose = Symbol.dispose || Symbol.for('dispose');
const CHUNK = 64n * 1024n;

function methodName(m) {
  return m.tag === 'other' ? m.val : m.tag.toUpperCase();
}

function fields(headers) {
  return Fields.fromList(Object.entries(headers).map(([k, v]) => [k, utf8.encode(v)]));
}

function json(responseOut, status, value) {
  respond(responseOut, status, { 'content-type': 'application/json' }, JSON.stringify(value));
}

function notAllowed(responseOut, allow) {
  respond(responseOut, 405, { 'content-type': 'application/json', allow },
    JSON.stringify({ error: 'method not allowed' }));
}

// respond sends a whole response. The output stream is dropped before
// the body is finished, as wasi:http requires of a child resource.
function respond(responseOut, status, headers, body) {
  const response = new OutgoingResponse(fields(headers));
  response.setStatusCode(status);
  const outBody = response.body();
  ResponseOutparam.set(responseOut, { tag: 'ok', val: response });
  const out = outBody.write();
  writeAll(out, utf8.encode(body));
  out.blockingFlush();
  out[dispose]();
  OutgoingBody.finish(outBody, undefined);
}

// echo streams the request body back as it arrives, holding one chunk at
// a time, so a body of any size passes through.
function echo(request, responseOut) {
  const headers = request.headers();
  const ct = headers.get('content-type');
  headers[dispose]();
  const contentType = ct.length > 0 ? text.decode(ct[0]) : 'application/octet-stream';
  const response = new OutgoingResponse(fields({ 'content-type': contentType }));
  const outBody = response.body();
  ResponseOutparam.set(responseOut, { tag: 'ok', val: response });

  const inBody = request.consume();
  const input = inBody.stream();
  const out = outBody.write();
  for (;;) {
    let chunk;
    try {
      chunk = input.blockingRead(CHUNK);
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

// writeAll writes no more than the stream accepts at once, waiting while
// the host's buffer is full.
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

// isClosed: the end of a stream arrives as a thrown `closed` error.
function isClosed(e) {
  return (e && e.tag === 'closed') || (e && e.payload && e.payload.tag === 'closed');
}
