// Ordering repeat prescriptions with the keyboard alone, with and without
// WebAssembly, axe-clean at every step: Amara orders two medicines and
// changes her pharmacy (in every language); Priya orders for George; Tom,
// with medium identity proofing, is told to prove his identity; news of a
// prescription stays on the home page until it is read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage } from '../lib/browser.mjs';
import { tabTo, settled, clean, press, orderRepeats, changePharmacy } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';
import { suite } from '../lib/suite.mjs';
import { signIn, actFor } from '../pages.mjs';

const s = suite();

// fresh runs fn against a server of its own: orders change what can be
// ordered next, and each test starts from the sandbox's cast.
// A form answered with an error (a note too long) is a 400 page, which the
// browser reports as a failed load: ignore says which statuses are expected.
async function fresh(fn, ignore = null) {
  const server = await startServer();
  const page = await newPage(s.browser);
  try {
    await fn(page, server.url);
    assert.deepEqual(page.errors.filter((e) => !(ignore && ignore.test(e))), [], 'no errors');
  } finally {
    await page.context().close();
    await server.stop();
  }
}

for (const locale of ['en-GB', 'cy']) {
  for (const mode of ['wasm', 'nowasm']) {
    test(`Amara orders two medicines and changes pharmacy by keyboard (${locale}, ${mode})`, () => fresh(async (page, base) => {
      await page.context().addCookies([{ name: 'lang', value: locale, url: base }]);
      await signIn(page, base, '9990000018');
      await orderRepeats(page, base, mode, 'Amara Okafor', { count: 2 });
      await changePharmacy(page, base, mode, 'CF10');
    }));
  }
}

for (const mode of ['wasm', 'nowasm']) {
  test(`Priya orders for George by keyboard (${mode})`, () => fresh(async (page, base) => {
    await signIn(page, base, '9990000034');
    await actFor(page, base, 'George');
    await orderRepeats(page, base, mode, 'George Whitfield', { count: 1, tooLong: 501 });
    assert.match(await page.locator('#acting-for').innerText(), /George Whitfield/);
  }, /status of 400/));

  test(`Tom is told to prove his identity (${mode})`, async () => {
    const page = await newPage(s.browser);
    const q = mode === 'nowasm' ? '?wasm=false' : '';
    try {
      await signIn(page, s.server.url, '9990000069');
      const res = await page.goto(`${s.server.url}/prescriptions${q}`);
      assert.equal(res.status(), 403);
      await settled(page, mode);
      assert.ok(await page.locator('#prove-identity').isVisible(), 'how to prove identity');
      await clean(page, 'P5 prescriptions');
    } finally {
      await page.context().close();
    }
  });

  test(`News of Amara's prescription stays on the home page until read (${mode})`, () => fresh(async (page, base) => {
    const q = mode === 'nowasm' ? '?wasm=false' : '';
    await signIn(page, base, '9990000018');
    if (mode === 'wasm') {
      // Arriving home inside the app (from the help page), the app fetches
      // the news itself.
      await page.goto(`${base}/help`);
      await settled(page, mode);
      await page.locator('a.nhsuk-header__service-logo').click();
      await page.waitForSelector('[data-notification]');
      assert.equal(new URL(page.url()).pathname, '/');
    }
    await page.goto(`${base}/${q}`);
    await settled(page, mode);
    const banner = page.locator('[data-notification]');
    assert.equal(await banner.count(), 1, 'one unread change');
    assert.match(await banner.innerText(), /ready to collect at/);
    await clean(page, 'home with news');
    await tabTo(page, '[data-notification] form button');
    await press(page, mode);
    assert.equal(await page.locator('[data-notification]').count(), 0, 'read news is gone');
    await clean(page, 'home after reading');
  }));
}
