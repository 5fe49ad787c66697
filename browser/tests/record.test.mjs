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
      const flagged = page.locator('li[data-flag="high"], li[data-flag="low"]').first();
      assert.match(await flagged.innerText(), /(Higher|Lower) than the range/, 'out of range said in words');
      await clean(page, 'test results');
      // Each result is a stacked item: nothing scrolls sideways, even at 320 px.
      for (const width of [390, 320]) {
        await page.setViewportSize({ width, height: 800 });
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth),
          `results overflow at ${width} px`);
        assert.equal(await page.locator('main [data-result] table').count(), 0, 'results are stacked items, not a table');
      }
      assert.match(await page.locator('main').innerText(), /×10⁹\/L/, 'units as people read them');
      // A test done more than once is charted, with a name, and the same data one tap away.
      const charts = page.locator('main svg.companion-chart__svg[role=img]');
      assert.ok(await charts.count() >= 2, 'repeated tests are charted');
      const [name, description] = await charts.first().evaluate((e) => ['aria-labelledby', 'aria-describedby']
        .map((a) => document.getElementById(e.getAttribute(a)).textContent));
      assert.match(name, /Haemoglobin.*3/);
      assert.match(description, /The latest, 112 g\/L, is lower than the range/);
      await tabTo(page, 'main .companion-chart summary');
      await page.keyboard.press('Enter');
      const opened = page.locator('main .companion-chart details[open] table').first();
      assert.ok(await opened.isVisible(), 'the chart as a table');
      assert.match(await opened.innerText(), /112 g\/L/);
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth),
        'the open table fits at 320 px');
      await clean(page, 'test results with a chart\'s table open');
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
