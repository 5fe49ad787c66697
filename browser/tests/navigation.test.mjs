// Data pages drawn by the WebAssembly app: once it has loaded, moving
// between Companion's pages fetches their data from /api/v1/pages and
// draws it with the same components, with no document request; focus,
// title, announcement and history are right; forms go through the API and
// a booking sent twice over a failing network books once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage } from '../lib/browser.mjs';
import { clean, press, settled, tabTo, chooseFirst, waitForPage } from '../lib/flows.mjs';
import { suite } from '../lib/suite.mjs';
import { signIn } from '../pages.mjs';

const s = suite();

// documents records every document the page asks the server for.
function documents(page) {
  const out = [];
  page.on('request', (r) => { if (r.resourceType() === 'document') out.push(r.url()); });
  return out;
}

// snapshot is what a person meets on the page: title, heading and content.
async function snapshot(page) {
  return page.evaluate(() => ({
    path: location.pathname + location.search,
    title: document.title,
    h1: document.querySelector('#maincontent h1')?.innerText,
    main: document.querySelector('#maincontent').innerText.replace(/\s+/g, ' ').trim(),
  }));
}

// follow activates the link to href by keyboard and waits for the app.
async function follow(page, href) {
  await tabTo(page, `a[href="${href}"]`);
  await press(page, 'wasm');
}

for (const locale of ['en-GB', 'cy']) {
  test(`Amara moves between data pages in the app without a document request (${locale})`, async () => {
    const page = await newPage(s.browser);
    try {
      await page.context().addCookies([{ name: 'lang', value: locale, url: s.server.url }]);
      await signIn(page, s.server.url, '9990000018');
      await settled(page, 'wasm');
      const docs = documents(page);
      const seen = [];
      for (const href of ['/appointments', '/', '/prescriptions', '/', '/record']) {
        await follow(page, href);
        const at = await snapshot(page);
        assert.equal(at.path, href);
        assert.equal(await page.evaluate(() => document.activeElement?.matches('#maincontent h1')), true, `focus on ${href}'s heading`);
        await page.waitForFunction((t) => document.getElementById('companion-announce')?.textContent === t, at.title, { timeout: 5000 });
        await clean(page, `${href} drawn in the app`);
        seen.push(at);
      }
      await follow(page, '/record/medicines');
      seen.push(await snapshot(page));
      await clean(page, 'a record section drawn in the app');
      assert.deepEqual(docs, [], 'a document was requested');

      // Back and Forward walk the same pages, drawn again in the app.
      for (const want of [seen[4], seen[3], seen[2]]) {
        const before = await page.evaluate(() => document.documentElement.dataset.nav);
        await page.goBack();
        await waitForPage(page, before);
        const at = await snapshot(page);
        assert.equal(at.path, want.path, 'Back');
        assert.equal(at.h1, want.h1, `Back to ${want.path}`);
      }
      const before = await page.evaluate(() => document.documentElement.dataset.nav);
      await page.goForward();
      await waitForPage(page, before);
      assert.equal((await snapshot(page)).path, seen[3].path, 'Forward');
      assert.deepEqual(docs, [], 'history made a document request');

      // Each page as the app drew it is the page the server renders.
      for (const at of [seen[0], seen[2], seen[5]]) {
        await page.goto(s.server.url + at.path);
        await settled(page, 'wasm');
        const served = await snapshot(page);
        assert.deepEqual({ ...served, main: served.main }, at, `${at.path} drawn by the app differs from the server's`);
      }
      assert.deepEqual(page.errors, [], 'no errors');
    } finally {
      await page.context().close();
    }
  });
}

test('a booking sent in the app while the network drops books once', async () => {
  const page = await newPage(s.browser);
  try {
    await signIn(page, s.server.url, '9990000018');
    // The link in view is fetched ahead, once, and the click uses it.
    const ahead = [];
    page.on('request', (r) => { if (r.url().endsWith('/api/v1/pages/appointments/book')) ahead.push(r.method()); });
    const fetchedAhead = page.waitForResponse((r) => r.url().endsWith('/api/v1/pages/appointments/book'), { timeout: 30000 });
    await page.goto(s.server.url + '/appointments');
    await settled(page, 'wasm');
    const docs = documents(page);
    const before = await page.locator('[data-appointment]').count();
    await fetchedAhead;
    await follow(page, '/appointments/book');
    assert.deepEqual(ahead, ['GET'], 'the booking page was fetched ahead once, and not again when followed');
    await chooseFirst(page, 'wasm', 'type');
    await chooseFirst(page, 'wasm', 'day', true);
    await chooseFirst(page, 'wasm', 'slot');
    await clean(page, 'check answers, in the app');
    await tabTo(page, 'textarea[name=reason]');
    await page.keyboard.type('A cough');

    // The first try reaches the server, which books; its answer is lost.
    const sent = [];
    await page.route('**/api/v1/pages/appointments/book', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      sent.push(route.request().headers()['idempotency-key']);
      if (sent.length === 1) {
        await route.fetch();
        await route.abort('connectionreset');
        return;
      }
      await route.continue();
    });
    await tabTo(page, 'main form[method=post] button[type=submit]');
    const nav = await page.evaluate(() => { window.companionSamePage = true; return document.documentElement.dataset.nav; });
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter'); // pressed twice, on a train
    await waitForPage(page, nav);
    assert.equal(await page.locator('#booked').count(), 1, 'the confirmation');
    assert.match(page.url(), /\/appointments\/[^/?]+\?booked=1$/);
    assert.equal(sent.length, 2, 'one retry after the lost answer, nothing for the second press');
    assert.ok(sent[0] && sent[0] === sent[1], 'the retry carries the same Idempotency-Key');
    await clean(page, 'confirmation, in the app');
    assert.deepEqual(docs, [], 'a document was requested');

    await page.unroute('**/api/v1/pages/appointments/book');
    await page.goto(s.server.url + '/appointments?wasm=false');
    assert.equal(await page.locator('[data-appointment]').count(), before + 1, 'booked exactly once');
    assert.deepEqual(page.errors.filter((e) => !e.includes('ERR_CONNECTION_RESET')), [], 'no errors');
  } finally {
    await page.context().close();
  }
});

test('a booking pressed with no network stays on the page, unsent, and books once when sent again online', async () => {
  const page = await newPage(s.browser);
  try {
    await signIn(page, s.server.url, '9990000018');
    await page.goto(s.server.url + '/appointments/book');
    await settled(page, 'wasm');
    await chooseFirst(page, 'wasm', 'type');
    await chooseFirst(page, 'wasm', 'day', true);
    await chooseFirst(page, 'wasm', 'slot');
    await tabTo(page, 'textarea[name=reason]');
    await page.keyboard.type('Back pain');
    await page.context().setOffline(true);
    await tabTo(page, 'main form[method=post] button[type=submit]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#unsent', { timeout: 20000 });
    assert.equal(await page.inputValue('textarea[name=reason]'), 'Back pain', 'the answers are kept');
    await clean(page, 'not sent, offline');
    await page.context().setOffline(false);
    await tabTo(page, 'main form[method=post] button[type=submit]');
    await press(page, 'wasm');
    assert.equal(await page.locator('#booked').count(), 1, 'booked once back online');
    assert.equal(await page.locator('#unsent').count(), 0, 'the banner has gone');
    assert.deepEqual(page.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|Failed to load resource/.test(e)), [], 'no errors');
  } finally {
    await page.context().close();
  }
});
