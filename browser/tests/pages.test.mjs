// Every page, with and without WebAssembly: status, structure, axe at WCAG 2.2
// A/AA, no request leaving the machine, zoom allowed, keyboard skip link,
// content readable before app.wasm arrives, client-side navigation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, axe, externalRequests, screenshot } from '../lib/browser.mjs';
import { suite } from '../lib/suite.mjs';
import { pages, signIn, actFor } from '../pages.mjs';

const s = suite();

export const LOCALES = ['en-GB', 'cy'];

async function open(p, mode, locale, opts) {
  const page = await newPage(s.browser, opts);
  await page.context().addCookies([{ name: 'lang', value: locale, url: s.server.url }]);
  if (p.signIn) await signIn(page, s.server.url, p.signIn);
  if (p.actFor) await actFor(page, s.server.url, p.actFor);
  page.requests.length = 0;
  const url = s.server.url + p.path + (mode === 'nowasm' ? (p.path.includes('?') ? '&' : '?') + 'wasm=false' : '');
  const res = await page.goto(url);
  return { page, res };
}

async function checkCommon(page, res, p, locale) {
  assert.equal(res.status(), p.status ?? 200, 'status');
  assert.equal(await page.getAttribute('html', 'lang'), locale, 'page language');
  // The switcher names the other language in that language.
  const other = await page.locator('a[hreflang]').first();
  assert.notEqual(await other.getAttribute('lang'), locale, 'switcher label marked with its own language');
  if (p.lands) assert.ok(new URL(page.url()).pathname.startsWith(p.lands), `lands on ${p.lands}, got ${page.url()}`);
  assert.ok(await page.locator('h1').first().isVisible(), 'h1 visible');
  assert.match(await page.getAttribute('html', 'lang'), /^[a-z]{2}/, 'lang');
  assert.ok((await page.title()).length > 0, 'title');
  const viewport = await page.getAttribute('meta[name=viewport]', 'content');
  assert.doesNotMatch(viewport, /user-scalable\s*=\s*(0|no)/, 'zoom allowed');
  const max = viewport.match(/maximum-scale\s*=\s*([\d.]+)/);
  assert.ok(!max || Number(max[1]) >= 2, 'maximum-scale allows zoom');
  assert.deepEqual(externalRequests(page), [], 'no request leaves the machine');
  const violations = await axe(page);
  assert.deepEqual(violations, [], `axe violations:\n${violations.join('\n')}`);
  assert.deepEqual(await page.evaluate(overlaps), [], 'overlapping text');
  // Keyboard: the first Tab reaches the skip link, which moves to the content.
  await page.keyboard.press('Tab');
  assert.ok(await page.evaluate(() => document.activeElement?.matches('a.nhsuk-skip-link')), 'first Tab focuses the skip link');
  await page.keyboard.press('Enter');
  assert.ok(await page.evaluate(() => document.activeElement?.id === 'maincontent'), 'skip link moves focus to main');
}

function ignorable(e, p) {
  // An error page's own document load (404, 403) is reported as a failed resource.
  return new RegExp(`status of ${p?.status ?? 404}`).test(e);
}

for (const locale of LOCALES) {
  for (const p of pages) {
    test(`${p.name} in ${locale} without WebAssembly`, async () => {
      const { page, res } = await open(p, 'nowasm', locale);
      try {
        await checkCommon(page, res, p, locale);
        assert.equal(page.requests.filter((u) => /\.wasm|wasm_exec\.js|\/app\.js/.test(u)).length, 0, 'no WebAssembly requested');
        await screenshot(page, `${p.name}-${locale}-nowasm`);
        assert.deepEqual(page.errors.filter((e) => !ignorable(e, p)), [], 'no errors');
      } finally {
        await page.context().close();
      }
    });

    test(`${p.name} in ${locale} with WebAssembly`, async () => {
      const { page, res } = await open(p, 'wasm', locale);
      try {
        if (!p.serverOnly) {
          await page.waitForSelector('html[data-wasm=ready]', { timeout: 30000 });
        }
        await checkCommon(page, res, p, locale);
        await screenshot(page, `${p.name}-${locale}-wasm`);
        assert.deepEqual(page.errors.filter((e) => !ignorable(e, p)), [], 'no errors');
      } finally {
        await page.context().close();
      }
    });
  }
}

test('content is readable before app.wasm arrives, and nothing covers it', async () => {
  const page = await newPage(s.browser);
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route('**/web/app.wasm*', async (route) => { await held; await route.continue(); });
  await page.goto(s.server.url + '/');
  const h1 = page.locator('h1');
  assert.ok(await h1.isVisible());
  const covered = await page.evaluate(() => {
    const el = document.querySelector('h1');
    const r = el.getBoundingClientRect();
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return !(top === el || el.contains(top));
  });
  assert.equal(covered, false, 'the h1 is covered while app.wasm loads');
  assert.equal(await page.getAttribute('html', 'data-wasm'), null, 'WebAssembly ran before it arrived?');
  release();
  await page.waitForSelector('html[data-wasm=ready]', { timeout: 30000 });
  await page.context().close();
});

test('once WebAssembly has loaded, navigation is client-side and keeps focus sensible', async () => {
  const page = await newPage(s.browser);
  await page.goto(s.server.url + '/');
  await page.waitForSelector('html[data-wasm=ready]', { timeout: 30000 });
  await page.evaluate(() => { window.__marker = 1; });
  const documents = [];
  page.on('request', (r) => { if (r.resourceType() === 'document') documents.push(r.url()); });
  await page.click('footer a[href="/accessibility"]');
  await page.waitForURL('**/accessibility');
  await page.waitForFunction(() => document.title.startsWith('Accessibility statement'));
  assert.equal(await page.evaluate(() => window.__marker), 1, 'the page reloaded');
  assert.deepEqual(documents, [], 'a document was fetched');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'maincontent', 'focus moves to the new content');
  await page.goBack();
  await page.waitForFunction(() => location.pathname === '/');
  assert.equal(await page.evaluate(() => window.__marker), 1);
  await page.context().close();
});

test('focus placed before WebAssembly arrived is kept at takeover', async () => {
  const page = await newPage(s.browser);
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route('**/web/app.wasm*', async (route) => { await held; await route.continue(); });
  await page.goto(s.server.url + '/help');
  await page.focus('footer a[href="/accessibility"]');
  release();
  await page.waitForSelector('html[data-wasm=ready]', { timeout: 30000 });
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('href')), '/accessibility', 'focus lost at takeover');
  await page.context().close();
});

test('pages fit a 320-pixel-wide screen in every language, long Welsh words included', async () => {
  for (const locale of LOCALES) {
    for (const p of pages) {
      const page = await newPage(s.browser, { width: 320, height: 640 });
      await page.context().addCookies([{ name: 'lang', value: locale, url: s.server.url }]);
      if (p.signIn) await signIn(page, s.server.url, p.signIn);
  if (p.actFor) await actFor(page, s.server.url, p.actFor);
      await page.goto(s.server.url + p.path + '?wasm=false');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${p.name} in ${locale} overflows 320px by ${overflow}px`);
      await screenshot(page, `${p.name}-${locale}-320`);
      await page.context().close();
    }
  }
});

// overlaps finds pairs of visible text boxes that cover each other, which a
// layout broken by a writing direction would show.
function overlaps() {
  const sel = 'h1,h2,h3,p,li,a,button,label,dt,dd,span,strong';
  const els = [...document.querySelectorAll(sel)].filter((e) => {
    const r = e.getBoundingClientRect();
    const cs = getComputedStyle(e);
    // checkVisibility leaves out the content of a closed <details>, which
    // keeps a layout box but is not shown.
    return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && e.checkVisibility() && !e.closest('.nhsuk-u-visually-hidden,[hidden]') && e.textContent.trim();
  });
  const bad = [];
  for (let i = 0; i < els.length; i++) {
    for (let j = i + 1; j < els.length; j++) {
      const a = els[i], b = els[j];
      if (a.contains(b) || b.contains(a)) continue;
      const r = a.getBoundingClientRect(), q = b.getBoundingClientRect();
      const w = Math.min(r.right, q.right) - Math.max(r.left, q.left);
      const h = Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top);
      if (w > 2 && h > 2) bad.push(`${a.tagName}"${a.textContent.trim().slice(0, 20)}" × ${b.tagName}"${b.textContent.trim().slice(0, 20)}"`);
    }
  }
  return bad;
}

test('a right-to-left catalogue lays every page out right to left', async () => {
  for (const p of pages) {
    const page = await newPage(s.browser);
    await page.context().addCookies([{ name: 'lang', value: 'ar-XB', url: s.server.url }]);
    if (p.signIn) await signIn(page, s.server.url, p.signIn);
  if (p.actFor) await actFor(page, s.server.url, p.actFor);
    const res = await page.goto(s.server.url + p.path);
    assert.equal(res.status(), p.status ?? 200);
    if (!p.serverOnly) await page.waitForSelector('html[data-wasm=ready]', { timeout: 30000 });
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl', `${p.name} is not rtl`);
    const violations = await axe(page);
    assert.deepEqual(violations, [], `${p.name} rtl axe:\n${violations.join('\n')}`);
    assert.deepEqual(await page.evaluate(overlaps), [], `${p.name}: overlapping text in rtl`);
    // The heading starts at the right.
    const h1 = await page.locator('h1').first().boundingBox();
    const main = await page.locator('main').boundingBox();
    assert.ok(h1.x + h1.width > main.x + main.width - 40, `${p.name}: the h1 does not start at the right`);
    await screenshot(page, `${p.name}-rtl`);
    await page.context().close();
  }
});
