// Opens a page of a running Backstage app in headless Chromium, driven by
// the app's own playwright-core (a devDependency of create-app's template,
// so nothing extra is downloaded), signs in as the guest user, waits for a
// text and (unless LINK is empty) a sidebar link, and saves a screenshot.
//
//   node page.cjs APP_DIR URL TEXT SIDEBAR_LINK OUT.png
const [appDir, url, text, link, out] = process.argv.slice(2);
const { chromium } = require(require.resolve('playwright-core', { paths: [appDir] }));

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = [];
    page.on('pageerror', e => errors.push(e.message));
    await page.goto(url, { timeout: 120_000 });
    await page.getByRole('button', { name: 'Enter' }).click({ timeout: 120_000 });
    await page.getByText(text).first().waitFor({ timeout: 120_000 });
    if (link) await page.getByRole('link', { name: link }).first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: out });
    if (errors.length) console.log('page errors (not fatal):', errors.join('; '));
  } finally {
    await browser.close();
  }
})().catch(e => {
  console.error(e.message);
  process.exit(1);
});
