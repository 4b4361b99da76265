// bigband-dev dashboard: renders /__bigband/state, refreshed on every
// websocket message. Guest text is always set as textContent.
(function () {
  'use strict';
  var root = document.getElementById('plugins');
  var conn = document.getElementById('conn');
  var shown = {};   // plugin id -> JSON of the state last rendered
  var cards = {};   // plugin id -> element
  var results = {}; // "id method path" -> {status, text}

  // apiBase is where a backend plugin serves: the update's api path, or
  // /api/<id>/ from a session that predates it.
  function apiBase(p) {
    return (p.update && p.update.api) || ('/api/' + encodeURIComponent(p.id) + '/');
  }

  function el(name, attrs, kids) {
    var e = document.createElement(name);
    for (var k in attrs || {}) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'class') e.className = attrs[k];
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), attrs[k]);
      else e.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }
  function ms(v) { return v >= 1000 ? (v / 1000).toFixed(2) + ' s' : v.toFixed(1) + ' ms'; }
  function loc(l) { return l.file + (l.line ? ':' + l.line + (l.column ? ':' + l.column : '') : ''); }

  function timings(list) {
    if (!list || !list.length) return null;
    var total = 0;
    var rows = list.map(function (t) {
      total += t.ms;
      return el('tr', {}, [el('td', { text: t.phase }), el('td', { class: 'ms', text: ms(t.ms) })]);
    });
    rows.push(el('tr', {}, [el('th', { text: 'total' }), el('td', { class: 'ms', text: ms(total) })]));
    return el('table', { class: 'timings' }, rows);
  }

  function routeRow(p, r) {
    var key = p.id + ' ' + r.method + ' ' + r.path;
    var path = el('input', { value: r.path, 'aria-label': 'path for ' + r.method + ' ' + r.path });
    var body = r.method === 'GET' || r.method === 'HEAD' ? null :
      el('textarea', { rows: '2', placeholder: 'request body (JSON)' });
    if (body) body.value = '{}';
    var out = el('pre', { class: 'resp' });
    var show = function (res) {
      out.textContent = res ? res.status + '\n' + res.text : '';
      out.style.display = res ? '' : 'none';
    };
    show(results[key]);
    var call = function () {
      var init = { method: r.method, headers: {} };
      if (body) { init.body = body.value; init.headers['Content-Type'] = 'application/json'; }
      out.textContent = '…';
      out.style.display = '';
      var url = apiBase(p) + (path.value.charAt(0) === '/' ? path.value.slice(1) : path.value);
      fetch(url, init).then(function (resp) {
        return resp.text().then(function (t) {
          var ct = resp.headers.get('Content-Type') || '';
          if (ct.indexOf('json') >= 0) { try { t = JSON.stringify(JSON.parse(t), null, 2); } catch (e) { /* as is */ } }
          results[key] = { status: resp.status + ' ' + resp.statusText, text: t };
          show(results[key]);
        });
      }, function (err) {
        results[key] = { status: 'request failed', text: String(err) };
        show(results[key]);
      });
    };
    return el('div', { class: 'route', 'data-route': r.method + ' ' + r.path }, [
      el('code', { text: r.method }), path,
      el('button', { text: 'call', onclick: call, class: 'call' }),
      body, out
    ]);
  }

  function card(p) {
    var u = p.update, e = p.error;
    var kids = [];
    var title = el('h2', {}, [
      el('span', { text: p.id }),
      el('span', { class: 'badge ' + p.status, text: p.status === 'building' ? 'building…' : p.status }),
      p.kind ? el('span', { class: 'muted', text: p.kind }) : null,
      p.version ? el('span', { class: 'muted', text: 'v' + p.version }) : null,
      el('button', { text: 'rebuild', onclick: function () { rebuild(p.id); } })
    ]);
    kids.push(title);
    if (p.status === 'building') kids.push(el('div', { class: 'muted', text: 'building after ' + (p.trigger || 'a change') }));
    if (e) {
      var contract = e.phase === 'check' || e.phase === 'manifest';
      kids.push(el('h3', { text: contract ? 'contract problems' : 'last cycle failed in ' + e.phase }));
      kids.push(el('pre', { class: 'error-message error', text: e.message }));
      if (e.locs && e.locs.length) kids.push(el('ul', {}, e.locs.map(function (l) { return el('li', { text: loc(l) }); })));
      if (e.trigger) kids.push(el('div', { class: 'muted', text: 'after ' + e.trigger }));
      kids.push(timings(e.timings));
      if (e.output) { kids.push(el('h3', { text: 'build output' })); kids.push(el('pre', { class: 'output', text: e.output })); }
    }
    if (u) {
      kids.push(el('h3', { text: e ? 'last good cycle' : 'last cycle' }));
      if (u.trigger) kids.push(el('div', { class: 'muted', text: 'after ' + u.trigger + (u.previous ? ' — swapped v' + u.previous + ' → v' + u.version : '') }));
      kids.push(timings(u.timings));
      if (u.notes && u.notes.length) kids.push(el('ul', {}, u.notes.map(function (n) { return el('li', { text: n }); })));
      if (u.output && !e) { kids.push(el('h3', { text: 'build output' })); kids.push(el('pre', { class: 'output', text: u.output })); }
      if (u.generated && u.generated.length) {
        // files are relative to the output directory, generated to the
        // package's.
        var isWritten = function (g) {
          return (u.files || []).some(function (f) { return f === g || f.slice(-g.length - 1) === '/' + g; });
        };
        kids.push(el('h3', { text: 'generated files' }));
        if (u.dir) kids.push(el('div', { class: 'muted', text: u.dir }));
        kids.push(el('ul', { class: 'files' }, u.generated.map(function (f) {
          return el('li', { text: f + (isWritten(f) ? '  (written)' : '') });
        })));
        if (u.kept && u.kept.length) kids.push(el('div', { class: 'muted', text: 'kept (edited by hand): ' + u.kept.join(', ') }));
      }
      if (u.routes && u.routes.length) {
        kids.push(el('h3', { text: 'routes (served at ' + apiBase(p) + ')' }));
        u.routes.forEach(function (r) { kids.push(routeRow(p, r)); });
      }
    }
    return el('section', { class: 'card', id: 'plugin-' + p.id, 'data-status': p.status }, kids);
  }

  function rebuild(id) {
    fetch('/__bigband/rebuild?plugin=' + encodeURIComponent(id), { method: 'POST' }).then(function (r) {
      if (!r.ok) r.text().then(function (t) { console.warn('[bigband] rebuild ' + id + ': ' + t); });
    });
  }

  function render(state) {
    var seen = {};
    if (!state.plugins.length) {
      root.textContent = 'No plugins yet.';
      shown = {}; cards = {};
      return;
    }
    if (!Object.keys(cards).length) root.textContent = '';
    state.plugins.forEach(function (p) {
      seen[p.id] = true;
      var js = JSON.stringify(p);
      if (shown[p.id] === js) return;
      shown[p.id] = js;
      var c = card(p);
      if (cards[p.id]) root.replaceChild(c, cards[p.id]);
      else root.appendChild(c);
      cards[p.id] = c;
    });
    Object.keys(cards).forEach(function (id) {
      if (!seen[id]) { cards[id].remove(); delete cards[id]; delete shown[id]; }
    });
  }

  // One state request at a time; a message during it asks for one more,
  // so the last render is never older than the last message.
  var pending = false, again = false;
  function refresh() {
    if (pending) { again = true; return; }
    pending = true;
    var done = function () {
      pending = false;
      if (again) { again = false; refresh(); }
    };
    fetch('/__bigband/state', { cache: 'no-store' }).then(function (r) { return r.json(); })
      .then(function (st) { render(st); window.__bigbandDashboard = { rendered: true, state: st }; done(); },
        function (err) { console.warn('[bigband] state: ' + err); done(); });
  }

  function connect() {
    var ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/__bigband/hmr', 'bigband-hmr');
    ws.onopen = function () { conn.textContent = 'live'; conn.className = 'on'; };
    ws.onmessage = function (ev) {
      var m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      if (m.type !== 'ping') refresh();
    };
    ws.onclose = function () {
      conn.textContent = 'disconnected — retrying'; conn.className = 'off';
      setTimeout(connect, 1000);
    };
  }
  refresh();
  connect();
})();
