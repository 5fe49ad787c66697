// Pilot-site feature flags: a site administrator switches a feature on for
// their practice with the keyboard, giving a reason; the patient at that
// practice sees it; a patient elsewhere does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, axe } from '../lib/browser.mjs';
import { suite } from '../lib/suite.mjs';
import { signIn } from '../pages.mjs';

const s = suite();

async function tabTo(page, predicate, what, arg) {
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(predicate, arg)) return;
  }
  assert.fail(`keyboard never reached ${what}`);
}

const recordRow = (page) => page.locator('[data-feature=record] dd');

test('Rhys, at the non-pilot practice, is told his record is not available online', async () => {
  const page = await newPage(s.browser);
  await signIn(page, s.server.url, '9990000050');
  await page.goto(s.server.url + '/');
  assert.equal((await recordRow(page).textContent()).trim(), 'Not available online at your practice yet');
  assert.equal((await page.locator('[data-feature=appointments] dd').textContent()).trim(), 'Available');
  await page.context().close();
});

for (const locale of ['en-GB', 'cy']) {
  test(`a site administrator switches the record on for their practice by keyboard (${locale})`, async () => {
    const page = await newPage(s.browser);
    await page.context().addCookies([{ name: 'lang', value: locale, url: s.server.url }]);
    await signIn(page, s.server.url, 'staff:staff-site-z00002');
    await page.goto(s.server.url + '/admin');
    assert.deepEqual(await axe(page), [], 'admin axe');
    const reason = '#reason-record-practice-Z00002';
    // Submitting without a reason is refused, with the error linked to the field.
    await tabTo(page, (sel) => document.activeElement?.matches(`${sel} ~ button, form:has(${sel}) button`), 'the record switch', reason);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.nhsuk-error-summary');
    assert.deepEqual(await axe(page), [], 'admin error axe');
    await page.focus('.nhsuk-error-summary a');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), reason.slice(1), 'error link moves to the field');
    await page.keyboard.type(locale === 'cy' ? 'Ymunodd y feddygfa â’r peilot' : 'Practice joined the record pilot');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/admin#flag-record');
    assert.ok(await page.isVisible('table.nhsuk-table'), 'the change is in the history');
    await page.context().close();

    const rhys = await newPage(s.browser);
    await signIn(rhys, s.server.url, '9990000050');
    await rhys.goto(s.server.url + '/?lang=en-GB');
    assert.equal((await recordRow(rhys).textContent()).trim(), 'Available');
    await rhys.context().close();

    // Switch it back so the next run starts from the sandbox defaults.
    const again = await newPage(s.browser);
    await signIn(again, s.server.url, 'staff:staff-site-z00002');
    await again.goto(s.server.url + '/admin');
    await again.fill(reason, 'Back to the sandbox default');
    await again.click(`form:has(${reason}) button`);
    await again.waitForURL('**/admin#flag-record');
    await again.context().close();
  });
}
