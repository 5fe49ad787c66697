// Before and at WebAssembly takeover: content readable before app.wasm
// arrives, client-side navigation once it has, focus kept at takeover.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage } from '../lib/browser.mjs';
import { suite } from '../lib/suite.mjs';

const s = suite();

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
  assert.equal(await page.evaluate(() => document.activeElement?.matches('#maincontent h1')), true, 'focus moves to the new page\'s heading');
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
