// Booking, changing the time of and cancelling an appointment with the
// keyboard alone, with and without WebAssembly, axe-clean at every step, as
// Amara for her daughter Layla (a file of its own, so that it runs beside
// appointments.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage } from '../lib/browser.mjs';
import { bookAndCancel } from '../lib/flows.mjs';
import { suite } from '../lib/suite.mjs';
import { signIn, actFor } from '../pages.mjs';

const s = suite();

for (const mode of ['wasm', 'nowasm']) {
  test(`Amara books, changes the time and cancels for Layla by keyboard (${mode})`, async () => {
    const page = await newPage(s.browser);
    try {
      await signIn(page, s.server.url, '9990000018');
      await actFor(page, s.server.url, 'Layla');
      await bookAndCancel(page, s.server.url, mode, 'Layla Okafor');
      assert.match(await page.locator('#acting-for').innerText(), /Layla Okafor/);
    } finally {
      await page.context().close();
    }
  });
}
