// Package hmr tells browsers what a `bigband-dev watch` session is doing:
// a websocket hub speaking a small JSON protocol modelled on Vite's, the
// browser client that shows build errors as an overlay and follows backend
// swaps, and a dashboard of the session. It depends on nothing else of
// bigband-dev: the watch session feeds it plain values.
//
// # Contract for pages (how a page loads the client)
//
// Every URL is on the session's listener (default http://127.0.0.1:7008),
// beside the backends' /api/<id>/:
//
//	GET  /__bigband/            the dashboard
//	GET  /__bigband/client.js   the browser client (a classic script)
//	GET  /__bigband/hmr         the websocket (subprotocol "bigband-hmr")
//	GET  /__bigband/state       the session's state as JSON (what the dashboard shows)
//	GET  /__bigband/ping        204; clients poll it to notice a restarted session
//	POST /__bigband/rebuild     ?plugin=<id>: ask for a new cycle (dashboard button)
//
// A page loads the client with one script element, in development only:
//
//	<script src="http://127.0.0.1:7008/__bigband/client.js"></script>
//
// (inserted by hand, by the generated dev wiring, or with
// document.createElement('script')). The client finds the websocket from
// its own URL (document.currentScript.src: same host and port, path
// /__bigband/hmr, ws: or wss:). A page can override that by setting
// window.__BIGBAND_HMR__ = {url: "ws://host:port/__bigband/hmr"} before the
// script runs. Loading it twice is harmless (the second copy does nothing).
//
// Browsers need no token: the server checks the Origin of the handshake
// against an allow-list, which holds the listener's own origin and the
// origins the session was given (the Backstage app's app.baseUrl, e.g.
// http://localhost:3000, or --hmr-origin). A page from any other origin
// is refused (403). Clients that send no Origin (scripts, tools) must pass
// the session's token: ws://127.0.0.1:7008/__bigband/hmr?token=<token>,
// or the header X-Bigband-Token; `bigband-dev watch` prints it. The same
// rules apply to every state-changing request (POST /__bigband/rebuild).
// The Host header must name a loopback address or an allowed origin's
// host, which stops DNS rebinding.
//
// # Protocol
//
// Server to client, JSON text frames, each an object with a "type":
//
//	{"type":"connected","protocol":1,"plugins":["hello"]}
//	    first frame of every connection, followed by the last "error" of
//	    every plugin whose last cycle failed (a page opened while a build
//	    is broken shows the overlay at once).
//	{"type":"building","plugin":"hello","trigger":"src/main.c"}
//	    a cycle started: a file changed, "start", "r"...
//	{"type":"update","plugin":"hello","kind":"backend","version":3,
//	 "files":["plugins/hello-backend/src/router.ts"],
//	 "timings":[{"phase":"build","ms":412.5},...], "trigger":"src/main.c",
//	 "routes":[{"method":"GET","path":"/items"}], "output":"...", "notes":[...]}
//	    a cycle succeeded. kind is "frontend" or "backend". files are the
//	    generated files written (relative to the output directory; a
//	    frontend's arrive in the page through the app's own dev server, so
//	    the client never reloads for them). version is the backend
//	    generation now serving (0 for frontends). "unchanged":true means
//	    the guest behaves as before (its compiled version replaced the
//	    interpreted one): nothing to reload. Clears the plugin's error.
//	{"type":"error","plugin":"hello","phase":"build","message":"...",
//	 "output":"main.c:3:1: error: ...","loc":{"file":"main.c","line":3,"column":1},
//	 "locs":[...],"timings":[...],"trigger":"src/main.c"}
//	    a cycle failed in phase (build, load, check, manifest, render,
//	    write, wire, swap, config); output is what the toolchain printed;
//	    loc is the first file:line:column found, when there is one. What
//	    served before keeps serving.
//	{"type":"full-reload","reason":"..."}
//	    every page should reload.
//	{"type":"prune","plugin":"hello"}
//	    the plugin left the session: forget it and its error.
//	{"type":"ping"}
//	    keep-alive, sent every 30 s; ignore it. The server also sends
//	    websocket pings and drops a connection that stops answering.
//
// Optional fields are omitted when empty; unknown fields and types must
// be ignored, so the protocol can grow. Clients may send {"type":"ping"};
// the server ignores every other frame. Text from guests (output,
// messages) is data: render it as text, never as HTML.
//
// A client that is too slow to take its messages (its queue, 256 frames
// by default, is full) is disconnected, so it never holds up the others;
// the browser client then reconnects and reloads.
//
// # Browser client
//
// The client keeps one connection, and:
//   - on "error", shows an overlay (a <bigband-error-overlay> element with
//     a shadow root: plugin, phase, message, file:line, build output);
//     Escape or a click outside hides it;
//   - on "update", removes that plugin's overlay. A frontend update never
//     reloads the page: the app's dev server (Rspack in Backstage) has the
//     rewritten files and hot-reloads them, keeping the page's state;
//   - on a backend "update", dispatches a cancelable
//     "bigband:backend-update" event on window (detail: the message). A
//     page that re-fetches by itself calls preventDefault(). Otherwise the
//     client reloads the page if the page uses that backend: it requested
//     a URL with /api/<plugin>/ (seen through the Resource Timing API) or
//     its path has a segment equal to the plugin id. Other pages are left
//     alone;
//   - on a lost connection, polls /__bigband/ping every second (paused
//     while the tab is hidden) and reloads the page once the session is
//     back;
//   - logs each of these to the console with a "[bigband]" prefix.
//
// It also dispatches "bigband:building", "bigband:update" and
// "bigband:error" on window for pages that want to react themselves.
//
// # Go API
//
// A session makes one Hub with NewHub, mounts Hub.Handler at BasePath on
// its listener, declares its plugins with SetPlugins and reports each
// cycle with Building, then Update or Error (Prune and FullReload when
// needed). Those calls never block on clients. Close disconnects every
// client when the session ends; State is what the dashboard shows.
package hmr
