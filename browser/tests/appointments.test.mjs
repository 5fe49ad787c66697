// Booking, changing the time of and cancelling an appointment with the
// keyboard alone, in every language, with and without WebAssembly,
// axe-clean at every step, as Amara for herself (for her daughter Layla:
// appointments-proxy.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage } from '../lib/browser.mjs';
import { bookAndCancel } from '../lib/flows.mjs';
import { suite } from '../lib/suite.mjs';
import { signIn } from '../pages.mjs';

const s = suite();

for (const locale of ['en-GB', 'cy']) {
  for (const mode of ['wasm', 'nowasm']) {
    test(`Amara books, changes the time and cancels by keyboard (${locale}, ${mode})`, async () => {
      const page = await newPage(s.browser);
      try {
        await page.context().addCookies([{ name: 'lang', value: locale, url: s.server.url }]);
        await signIn(page, s.server.url, '9990000018');
        await bookAndCancel(page, s.server.url, mode, 'Amara Okafor');
        assert.deepEqual(page.errors, [], 'no errors');
      } finally {
        await page.context().close();
      }
    });
  }
}
