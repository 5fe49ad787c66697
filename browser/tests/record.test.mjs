// Reading the GP health record with the keyboard alone, with and without
// WebAssembly, axe-clean: Amara reads her allergies and a test result;
// acting for Layla she sees the summary only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage } from '../lib/browser.mjs';
import { tabTo, settled, clean, press } from '../lib/flows.mjs';
import { suite } from '../lib/suite.mjs';
import { signIn, actFor } from '../pages.mjs';

const s = suite();

for (const mode of ['wasm', 'nowasm']) {
  test(`Amara reads her allergies and a test result by keyboard (${mode})`, async () => {
    const page = await newPage(s.browser);
    const q = mode === 'nowasm' ? '?wasm=false' : '';
    try {
      await signIn(page, s.server.url, '9990000018');
      await page.goto(`${s.server.url}/record${q}`);
      await settled(page, mode);
      await clean(page, 'record index');

      await tabTo(page, 'main a[href="/record/allergies"]');
      await press(page, mode);
      assert.match(await page.locator('main').innerText(), /penicillin/i);
      await clean(page, 'allergies');

      await page.goto(`${s.server.url}/record${q}`);
      await settled(page, mode);
      await tabTo(page, 'main a[href="/record/results"]');
      await press(page, mode);
      const flagged = page.locator('tr[data-flag="high"], tr[data-flag="low"]').first();
      assert.match(await flagged.innerText(), /(Higher|Lower) than the range/, 'out of range said in words');
      await clean(page, 'test results');
      // The tables scroll sideways on narrow screens and can be reached by keyboard.
      await tabTo(page, '.companion-table-scroll');
      assert.deepEqual(page.errors, [], 'no errors');
    } finally {
      await page.context().close();
    }
  });

  test(`Amara, for Layla, sees the summary only (${mode})`, async () => {
    const page = await newPage(s.browser);
    const q = mode === 'nowasm' ? '?wasm=false' : '';
    try {
      await signIn(page, s.server.url, '9990000018');
      await actFor(page, s.server.url, 'Layla');
      await page.goto(`${s.server.url}/record${q}`);
      await settled(page, mode);
      await clean(page, 'Layla summary');
      const links = await page.locator('main ul.companion-record-index a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      assert.deepEqual(links, ['/record/allergies', '/record/medicines', '/record/immunisations']);
      await tabTo(page, 'main a[href="/record/immunisations"]');
      await press(page, mode);
      assert.match(await page.locator('main').innerText(), /Layla Okafor/);
      await clean(page, 'Layla immunisations');
      const res = await page.goto(`${s.server.url}/record/results${q}`);
      assert.equal(res.status(), 404);
    } finally {
      await page.context().close();
    }
  });
}
