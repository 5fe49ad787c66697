// The all-pages checks, shared by the tests/pages-*.test.mjs files (split so
// they run in parallel): status, structure, axe at WCAG 2.2 A/AA, no request
// leaving the machine, zoom allowed, keyboard skip link, no overlapping text,
// and (without WebAssembly) no sideways scrolling at 320 pixels wide.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, watchedPage, axe, externalRequests, screenshot } from './browser.mjs';
import { pages, signIn, actFor } from '../pages.mjs';

// LOCALES are the supported languages: each has a pages-<locale>-wasm and a
// pages-<locale>-nowasm test file.
export const LOCALES = ['en-GB', 'cy'];

// open opens a page as p needs it, in a fresh tab of a context kept for the
// file per language, person (and who they act for) and screen size: signing
// in once per person, and a warm cache, keep the suite fast. Close the page
// with page.close(), never its context.
export async function open(s, p, mode, locale, opts = {}) {
  const key = [locale, p.signIn ?? '', p.actFor ?? '', opts.width ?? ''].join('|');
  s.contexts ??= new Map();
  if (!s.contexts.has(key)) s.contexts.set(key, signedIn(s, p, locale, opts));
  const page = await watchedPage(await s.contexts.get(key));
  const url = s.server.url + p.path + (mode === 'nowasm' ? (p.path.includes('?') ? '&' : '?') + 'wasm=false' : '');
  const res = await page.goto(url);
  return { page, res };
}

async function signedIn(s, p, locale, opts) {
  const page = await newPage(s.browser, opts);
  if (locale) await page.context().addCookies([{ name: 'lang', value: locale, url: s.server.url }]);
  if (p.signIn) await signIn(page, s.server.url, p.signIn);
  if (p.actFor) await actFor(page, s.server.url, p.actFor);
  await page.close();
  return page.context();
}

export async function checkCommon(page, res, p, locale) {
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

export function ignorable(e, p) {
  // An error page's own document load (404, 403) is reported as a failed resource.
  return new RegExp(`status of ${p?.status ?? 404}`).test(e);
}


// pageTests checks every page in one language, with or without WebAssembly.
export function pageTests(s, locale, mode) {
  for (const p of pages) {
    if (mode === 'nowasm') {
      test(`${p.name} in ${locale} without WebAssembly`, async () => {
        const { page, res } = await open(s, p, 'nowasm', locale);
        try {
          await checkCommon(page, res, p, locale);
          assert.equal(page.requests.filter((u) => /\.wasm|wasm_exec\.js|\/app\.js/.test(u)).length, 0, 'no WebAssembly requested');
          await screenshot(page, `${p.name}-${locale}-nowasm`);
          // The page fits a 320-pixel-wide screen, long Welsh words included.
          await page.setViewportSize({ width: 320, height: 640 });
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          assert.ok(overflow <= 0, `overflows 320px by ${overflow}px`);
          await screenshot(page, `${p.name}-${locale}-320`);
          assert.deepEqual(page.errors.filter((e) => !ignorable(e, p)), [], 'no errors');
        } finally {
          await page.close();
        }
      });
      continue;
    }
    test(`${p.name} in ${locale} with WebAssembly`, async () => {
      const { page, res } = await open(s, p, 'wasm', locale);
      try {
        if (!p.serverOnly) {
          await page.waitForSelector('html[data-wasm=ready]', { timeout: 30000 });
        }
        await checkCommon(page, res, p, locale);
        await screenshot(page, `${p.name}-${locale}-wasm`);
        assert.deepEqual(page.errors.filter((e) => !ignorable(e, p)), [], 'no errors');
      } finally {
        await page.close();
      }
    });
  }
}

// overlaps finds pairs of visible text boxes that cover each other, which a
// layout broken by a writing direction would show.
export function overlaps() {
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

