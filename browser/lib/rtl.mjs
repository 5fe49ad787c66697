// A right-to-left catalogue (ar-XB, a pseudo-locale) on every page: laid
// out right to left, axe-clean, no overlapping text. The pages are shared
// between test files (part of parts) so that they run side by side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, screenshot } from './browser.mjs';
import { suite } from './suite.mjs';
import { open, overlaps } from './pagechecks.mjs';
import { pages } from '../pages.mjs';

export function rtlTests(part, parts) {
  const s = suite();
  const mine = pages.filter((_, i) => i % parts === part);
  test(`a right-to-left catalogue lays pages out right to left (part ${part + 1} of ${parts})`, async () => {
    for (const p of mine) {
      const { page, res } = await open(s, p, 'wasm', 'ar-XB');
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
      await page.close();
    }
  });
}
