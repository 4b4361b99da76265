// The HMR phase of scripts/e2e-backstage.sh: with `bigband-dev watch` on
// the e2e guests (scripts/e2e/guests) and the Backstage dev server running,
// opens the frontend guest's page in headless Chromium (the app's own
// playwright-core, as page.cjs) and, editing the guests' C sources:
//   1. frontend: the new text appears without a full reload (a marker set
//      on window survives), RUNS times;
//   2. backend: the page shows the new response (the page re-fetches on
//      bigband:backend-update, no reload), RUNS times;
//   3. a syntax error: the overlay appears in the page with clang's
//      plugin.c:LINE; the fix: it goes;
//   4. for reference, Backstage's own hot reload: the generated TSX edited
//      directly (then restored), RUNS times.
// Each edit is timed from the write to the text being visible (a
// MutationObserver in the page), split with the cycle's HMR "update"
// message (its arrival time and the build phase's duration) into toolchain
// build, bigband-dev, and Backstage/browser time. Prints a table and writes
// the figures as JSON to OUT.
//
//   node hmr.cjs APP_DIR URL FRONT_SRC BACK_SRC GENERATED_TSX OUT.json SHOTS_DIR
const fs = require('fs');
const path = require('path');
const [appDir, url, frontSrc, backSrc, genTSX, out, shots] = process.argv.slice(2);
const { chromium } = require(require.resolve('playwright-core', { paths: [appDir] }));
const RUNS = Number(process.env.E2E_RUNS || 5);
const FRONT_ID = 'wasm-hello';
const BACK_ID = 'wasm-echo';

const sleep = ms => new Promise(r => setTimeout(r, ms));
function replaceLine(file, re, line) {
  const src = fs.readFileSync(file, 'utf8');
  if (!re.test(src)) throw new Error(`${file}: no line matching ${re}`);
  return src.replace(re, line);
}
const frontDefine = /^#define FRONT_TEXT .*$/m;
const backDefine = /^#define BACK_TEXT .*$/m;

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  const results = { runs: RUNS, loadavg: require('os').loadavg(), cpus: require('os').cpus().length, frontend: [], backend: [], overlay: {}, backstage: [], checks: [] };
  const check = (ok, what) => {
    results.checks.push({ ok, what });
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) throw new Error(what);
  };
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    const logs = [];
    page.on('console', m => { if (m.text().includes('[bigband]')) logs.push(m.text()); });
    let loads = 0;
    page.on('load', () => loads++);
    // Every bigband event the client dispatches, with its arrival time.
    await page.addInitScript(() => {
      window.__e2eEvents = [];
      for (const t of ['building', 'update', 'error']) {
        window.addEventListener('bigband:' + t, e => window.__e2eEvents.push({ type: t, at: Date.now(), m: e.detail }));
      }
    });
    await page.goto(url, { timeout: 120_000 });
    await page.getByRole('button', { name: 'Enter' }).click({ timeout: 120_000 });
    await page.locator('[data-e2e=front]').waitFor({ timeout: 120_000 });
    await page.waitForFunction(() => /"hello"/.test(document.querySelector('[data-e2e=back]')?.textContent || ''), null, { timeout: 60_000 });
    await page.waitForFunction(() => window.__bigbandHMRClient && window.__bigbandHMRClient.connected, null, { timeout: 30_000 });
    const clientSrc = await page.evaluate(() => [...document.scripts].map(s => s.src).find(s => s.includes('/__bigband/client.js')));
    check(!!clientSrc, `the dev client is in the page without any edit by hand (${clientSrc}), connected`);
    await page.screenshot({ path: path.join(shots, 'hmr-start.png') });
    const marker = String(Math.random());
    await page.evaluate(m => { window.__e2eMarker = m; }, marker);
    const loadsAtStart = loads;

    // Arms a watcher for text in sel; returns a function awaiting the time
    // it became visible (ms since the epoch, the page's clock = ours).
    const arm = async (sel, want) => {
      await page.evaluate(([sel, want]) => {
        window.__e2eSeen = new Promise(resolve => {
          const look = () => {
            const el = document.querySelector(sel);
            if (el && el.textContent.includes(want)) { obs.disconnect(); resolve(Date.now()); return true; }
            return false;
          };
          const obs = new MutationObserver(look);
          obs.observe(document.documentElement, { subtree: true, childList: true, characterData: true });
          look();
        });
      }, [sel, want]);
      return () => page.evaluate(() => window.__e2eSeen);
    };
    const updateAfter = async (plugin, t) => {
      for (let i = 0; i < 100; i++) {
        const ev = (await page.evaluate(() => window.__e2eEvents)).find(e => e.type === 'update' && e.m.plugin === plugin && e.at >= t && !e.m.unchanged);
        if (ev) return ev;
        await sleep(50);
      }
      throw new Error(`no update message for ${plugin}`);
    };
    const split = (tSave, tSeen, ev) => {
      const phases = Object.fromEntries((ev.m.timings || []).map(p => [p.phase, Math.round(p.ms)]));
      const build = phases.build || 0;
      return { total: tSeen - tSave, build, bigband: ev.at - tSave - build, browser: tSeen - ev.at, phases };
    };
    const timed = async (plugin, sel, want, write) => {
      const seen = await arm(sel, want);
      const tSave = Date.now();
      write();
      const tSeen = await seen();
      return split(tSave, tSeen, await updateAfter(plugin, tSave));
    };

    // 1. frontend
    for (let i = 1; i <= RUNS; i++) {
      const text = `Hello from the e2e guest, edit ${i}`;
      const src = replaceLine(frontSrc, frontDefine, `#define FRONT_TEXT "${text}"`);
      results.frontend.push(await timed(FRONT_ID, '[data-e2e=front]', text, () => fs.writeFileSync(frontSrc, src)));
      await sleep(1000);
    }
    check(await page.evaluate(() => window.__e2eMarker) === marker && loads === loadsAtStart,
      `frontend: ${RUNS} edits of plugin.c reached the page through Rspack's HMR, no full reload (window marker kept)`);

    // 2. backend
    for (let i = 1; i <= RUNS; i++) {
      const word = `e2e-${i}`;
      const src = replaceLine(backSrc, backDefine, `#define BACK_TEXT "${word}"`);
      results.backend.push(await timed(BACK_ID, '[data-e2e=back]', `"hello":"${word}"`, () => fs.writeFileSync(backSrc, src)));
      await sleep(1000);
    }
    check(await page.evaluate(() => window.__e2eMarker) === marker,
      `backend: ${RUNS} edits of backend.c: the page shows each new response (re-fetched on bigband:backend-update, no reload)`);
    await page.screenshot({ path: path.join(shots, 'hmr-edited.png') });

    // 3. overlay
    const good = fs.readFileSync(frontSrc, 'utf8');
    const lines = good.split('\n');
    const at = lines.findIndex(l => frontDefine.test(l)) + 1; // 0-based index after the define
    lines.splice(at, 0, 'int broken = ;');
    const tBreak = Date.now();
    fs.writeFileSync(frontSrc, lines.join('\n'));
    const want = `plugin.c:${at + 1}`;
    // The position as the overlay's own file:line element (from the
    // message's loc), not only somewhere in the compiler output.
    await page.waitForFunction(w => {
      const o = document.querySelector('bigband-error-overlay');
      const loc = o && o.shadowRoot && o.shadowRoot.querySelector('.loc');
      return loc && (loc.textContent === w || loc.textContent.startsWith(w + ':'));
    }, want, { timeout: 30_000 });
    results.overlay.appearMs = Date.now() - tBreak;
    const shown = await page.evaluate(() => document.querySelector('bigband-error-overlay').shadowRoot.querySelector('.box').innerText);
    check(true, `broken build: the overlay shows ${want} (${results.overlay.appearMs} ms after the save)`);
    results.overlay.text = shown.slice(0, 600);
    await page.screenshot({ path: path.join(shots, 'hmr-overlay.png') });
    const tFix = Date.now();
    fs.writeFileSync(frontSrc, good);
    await page.waitForFunction(() => !document.querySelector('bigband-error-overlay'), null, { timeout: 30_000 });
    results.overlay.goneMs = Date.now() - tFix;
    check(await page.evaluate(() => window.__e2eMarker) === marker,
      `fixed: the overlay went (${results.overlay.goneMs} ms after the save), page not reloaded`);

    // 4. Backstage's own hot reload of the generated file, for reference.
    const orig = fs.readFileSync(genTSX, 'utf8');
    const cur = `Hello from the e2e guest, edit ${RUNS}`;
    if (!orig.includes(cur)) throw new Error(`${genTSX}: does not hold "${cur}"`);
    for (let i = 1; i <= RUNS; i++) {
      const text = `Edited by hand ${i}`;
      const seen = await arm('[data-e2e=front]', text);
      const t = Date.now();
      fs.writeFileSync(genTSX, orig.replace(cur, text));
      results.backstage.push({ total: (await seen()) - t });
      await sleep(1000);
    }
    const back = await arm('[data-e2e=front]', cur);
    fs.writeFileSync(genTSX, orig); // bigband-dev's bytes again: not a hand edit any more
    await back();
    check(await page.evaluate(() => window.__e2eMarker) === marker, `Backstage's own HMR of the generated file: ${RUNS} edits, no reload`);
    results.logs = logs.slice(-40);
  } catch (e) {
    await page.screenshot({ path: path.join(shots, 'hmr-failed.png') }).catch(() => {});
    console.error('page text:', (await page.evaluate(() => document.body.innerText).catch(() => '')).slice(0, 800));
    throw e;
  } finally {
    results.loadavgAfter = require('os').loadavg();
    fs.writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
    await browser.close();
  }

  const med = a => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
  const row = (name, rs, k) => `${name.padEnd(28)} ${String(med(rs.map(r => r[k]))).padStart(6)} ms  (${Math.min(...rs.map(r => r[k]))}–${Math.max(...rs.map(r => r[k]))})`;
  for (const [name, rs] of [['frontend', results.frontend], ['backend', results.backend]]) {
    console.log(`${name}: save -> visible, median of ${rs.length} (min–max)`);
    for (const k of ['total', 'build', 'bigband', 'browser']) console.log('  ' + row(k, rs, k));
  }
  console.log(`Backstage's own HMR (generated file edited directly): ${row('', results.backstage, 'total').trim()}`);
  console.log(`load average ${results.loadavg.map(x => x.toFixed(1)).join(' ')} -> ${results.loadavgAfter.map(x => x.toFixed(1)).join(' ')} on ${results.cpus} CPUs`);
})().catch(e => {
  console.error(e.message);
  process.exit(1);
});
