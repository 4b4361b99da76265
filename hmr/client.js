// bigband-dev HMR client: error overlay, backend follow-up, reconnect.
// Served by `bigband-dev watch` at /__bigband/client.js; the protocol is in
// the Go package doc of github.com/bigband-dev/bigband/hmr. Development only.
(function () {
  'use strict';
  if (window.__bigbandHMRClient) return;
  var me = document.currentScript ||
    document.querySelector('script[src*="/__bigband/client.js"]');
  var cfg = window.__BIGBAND_HMR__ || {};
  var base = new URL(me && me.src ? me.src : location.href);
  var wsURL = cfg.url || ((base.protocol === 'https:' ? 'wss://' : 'ws://') + base.host + '/__bigband/hmr');
  var wsBase = new URL(wsURL);
  var pingURL = (wsBase.protocol === 'wss:' ? 'https://' : 'http://') + wsBase.host + '/__bigband/ping';
  var tag = '[bigband]';
  var log = function () {
    var a = Array.prototype.slice.call(arguments);
    a.unshift(tag);
    console.log.apply(console, a);
  };
  var api = window.__bigbandHMRClient = {
    errors: {}, // plugin -> last error message
    connected: false,
    events: [] // what the client did, newest last (tests and curious users)
  };
  var note = function (what) {
    api.events.push(what);
    if (api.events.length > 100) api.events.shift();
  };
  var emit = function (name, detail, cancelable) {
    var ev = new CustomEvent('bigband:' + name, { detail: detail, cancelable: !!cancelable });
    return window.dispatchEvent(ev);
  };

  // --- overlay ---------------------------------------------------------
  var overlayTag = 'bigband-error-overlay';
  var css =
    ':host{position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.66);' +
    'display:flex;align-items:flex-start;justify-content:center;overflow:auto;' +
    'font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}' +
    '.box{margin:48px 16px;max-width:960px;width:100%;background:#181818;color:#d8d8d8;' +
    'border-top:6px solid #ff5555;border-radius:6px;padding:20px 24px;box-shadow:0 8px 32px #000a}' +
    '.head{color:#ff7070;font-weight:bold;font-size:15px;white-space:pre-wrap;word-break:break-word}' +
    '.meta{color:#aaa;margin:6px 0 12px}.loc{color:#8fc8ff;text-decoration:underline}' +
    'pre{white-space:pre-wrap;word-break:break-word;background:#0e0e0e;padding:10px 12px;' +
    'border-radius:4px;max-height:50vh;overflow:auto;margin:8px 0}' +
    '.tip{color:#888;font-size:12px;margin-top:12px}' +
    '.err+.err{border-top:1px solid #333;margin-top:16px;padding-top:16px}';
  if (!customElements.get(overlayTag)) {
    customElements.define(overlayTag, class extends HTMLElement {
      constructor() {
        super();
        this.root = this.attachShadow({ mode: 'open' });
      }
      show(errs) {
        var root = this.root;
        root.textContent = '';
        var style = document.createElement('style');
        style.textContent = css;
        root.appendChild(style);
        var box = el('div', 'box');
        box.addEventListener('click', function (e) { e.stopPropagation(); });
        Object.keys(errs).sort().forEach(function (id) {
          var e = errs[id];
          var d = el('div', 'err');
          d.setAttribute('data-plugin', id);
          d.appendChild(el('div', 'head', e.plugin + ': ' + e.phase + ' failed: ' + e.message));
          var meta = el('div', 'meta');
          if (e.loc && e.loc.file) {
            meta.appendChild(el('span', 'loc', e.loc.file + (e.loc.line ? ':' + e.loc.line + (e.loc.column ? ':' + e.loc.column : '') : '')));
            meta.appendChild(document.createTextNode('  '));
          }
          if (e.trigger) meta.appendChild(document.createTextNode('after ' + e.trigger));
          d.appendChild(meta);
          if (e.output) d.appendChild(el('pre', 'output', e.output));
          box.appendChild(d);
        });
        box.appendChild(el('div', 'tip',
          'bigband-dev watch keeps serving the last good version. Fix the source and save: this closes by itself. ' +
          'Esc or a click outside hides it.'));
        root.appendChild(box);
      }
    });
  }
  function el(name, cls, text) {
    var e = document.createElement(name);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text; // guest text is data, never HTML
    return e;
  }
  function overlay() { return document.querySelector(overlayTag); }
  function render() {
    var o = overlay();
    if (Object.keys(api.errors).length === 0) {
      if (o) o.remove();
      return;
    }
    if (!o) {
      o = document.createElement(overlayTag);
      o.addEventListener('click', function () { o.remove(); });
      (document.body || document.documentElement).appendChild(o);
    }
    o.show(api.errors);
  }
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && overlay()) overlay().remove();
  });

  // --- backends --------------------------------------------------------
  // The page uses a backend plugin when it requested a URL under its API
  // path (/api/<id>/) or its path has a segment equal to the id.
  function pageUses(m) {
    var api = m.api || ('/api/' + m.plugin + '/');
    var id = api.split('/')[2];
    var segs = location.pathname.split('/');
    if (segs.indexOf(id) >= 0) return true;
    var re = new RegExp('/api/' + id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '(/|\\?|$)');
    var entries = (performance.getEntriesByType && performance.getEntriesByType('resource')) || [];
    for (var i = 0; i < entries.length; i++) {
      if (re.test(entries[i].name)) return true;
    }
    return false;
  }
  if (performance.setResourceTimingBufferSize) performance.setResourceTimingBufferSize(2000);

  function reload(why) {
    log('reloading the page: ' + why);
    note('reload: ' + why);
    try { sessionStorage.setItem('bigband:reloaded', why); } catch (e) { /* private mode */ }
    location.reload();
  }

  // --- messages --------------------------------------------------------
  function onMessage(m) {
    switch (m.type) {
      case 'connected':
        log('connected to bigband-dev watch (' + (m.plugins || []).join(', ') + ')');
        note('connected');
        api.errors = {};
        render();
        break;
      case 'building':
        log(m.plugin + ': building (' + (m.trigger || 'change') + ')');
        note('building ' + m.plugin);
        emit('building', m);
        break;
      case 'error':
        console.error(tag, m.plugin + ': ' + m.phase + ' failed: ' + m.message +
          (m.loc && m.loc.file ? ' at ' + m.loc.file + ':' + (m.loc.line || 0) : ''));
        note('error ' + m.plugin);
        api.errors[m.plugin] = m;
        render();
        emit('error', m);
        break;
      case 'update':
        var had = !!api.errors[m.plugin];
        delete api.errors[m.plugin];
        render();
        emit('update', m);
        if (m.kind === 'backend') {
          log(m.plugin + ': backend now serves v' + m.version + (had ? '; error cleared' : ''));
          note('update ' + m.plugin + ' v' + m.version);
          if (m.unchanged) {
            log(m.plugin + ': same guest, now compiled; nothing to reload');
          } else if (!emit('backend-update', m, true)) {
            log(m.plugin + ': the page handled the backend update itself');
          } else if (pageUses(m)) {
            reload('backend ' + m.plugin + ' changed to v' + m.version);
          } else {
            log(m.plugin + ': this page does not use it; not reloading');
          }
        } else {
          // The app's dev server hot-reloads the rewritten files itself.
          log(m.plugin + ': frontend updated (' + (m.files || []).length + ' files written; the dev server hot-reloads them)' + (had ? '; error cleared' : ''));
          note('update ' + m.plugin);
        }
        break;
      case 'full-reload':
        reload(m.reason || 'full-reload');
        break;
      case 'prune':
        log(m.plugin + ': left the session');
        note('prune ' + m.plugin);
        delete api.errors[m.plugin];
        render();
        break;
      case 'ping':
        break;
      default:
        // Newer servers may send more: ignore.
    }
  }

  // --- connection ------------------------------------------------------
  var everConnected = false;
  var warned = false;
  function connect() {
    var ws;
    try {
      ws = new WebSocket(wsURL, 'bigband-hmr');
    } catch (e) {
      console.error(tag, 'cannot open ' + wsURL + ': ' + e);
      return;
    }
    ws.onopen = function () {
      everConnected = true;
      api.connected = true;
    };
    ws.onmessage = function (ev) {
      var m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      if (m && typeof m.type === 'string') onMessage(m);
    };
    ws.onclose = function () {
      var was = api.connected;
      api.connected = false;
      if (!everConnected) {
        // Refused (wrong origin) or nothing listening: say so once, then
        // keep trying as after a restart.
        if (!warned) console.warn(tag, 'could not connect to ' + wsURL + ' (is bigband-dev watch running, and is this page\'s origin allowed?)');
      } else if (was) {
        log('connection lost; polling for bigband-dev watch to come back');
      }
      warned = true;
      note('disconnected');
      waitForServer(everConnected);
    };
  }
  function waitForServer(thenReload) {
    var tick = function () {
      if (document.visibilityState === 'hidden') {
        document.addEventListener('visibilitychange', tick, { once: true });
        return;
      }
      fetch(pingURL, { mode: 'no-cors', cache: 'no-store' }).then(function () {
        if (thenReload) reload('bigband-dev watch restarted');
        else setTimeout(connect, 4000); // up but refused us: retry slowly
      }, function () {
        setTimeout(tick, 1000);
      });
    };
    setTimeout(tick, 1000);
  }
  try {
    var why = sessionStorage.getItem('bigband:reloaded');
    if (why) {
      sessionStorage.removeItem('bigband:reloaded');
      log('page reloaded by bigband-dev (' + why + ')');
    }
  } catch (e) { /* private mode */ }
  connect();
})();
