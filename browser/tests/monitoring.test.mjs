// Remote monitoring by keyboard alone, axe-clean at every step, in English
// and Welsh, with and without WebAssembly: Amara, on a home blood-pressure
// plan, sends a reading; a typo is refused beside its field; a red reading
// shows urgent advice at once and heads the practice's inbox, flagged; her
// readings are charted with their tables, nothing wider than 320 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage } from '../lib/browser.mjs';
import { tabTo, settled, clean, press } from '../lib/flows.mjs';
import { suite } from '../lib/suite.mjs';
import { signIn } from '../pages.mjs';

const s = suite();

const fits = (page) => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

// practiceInbox is what heads the pilot practice's inbox.
async function practiceInbox(base) {
  const staff = await newPage(s.browser);
  try {
    await signIn(staff, base, 'staff:staff-site-z00001');
    await staff.goto(`${base}/admin/inbox`);
    await clean(staff, 'inbox with readings');
    const text = await staff.locator('#inbox-readings').innerText();
    await staff.goto(`${base}/admin/monitoring`);
    await clean(staff, 'patients on plans');
    const first = staff.locator('[data-patient]').first();
    const top = { name: await first.locator('h2').innerText(), attention: await first.getAttribute('data-attention') };
    await tabTo(staff, '[data-patient] h2 a');
    await press(staff, 'nowasm');
    await clean(staff, 'a patient on a plan');
    assert.ok(await staff.locator('main svg.companion-chart__svg').count() >= 2, 'the practice sees the charts');
    return { text, top };
  } finally {
    await staff.context().close();
  }
}

// typeInto focuses a field by Tab and types into it, replacing what is there.
async function typeInto(page, selector, text) {
  await tabTo(page, selector);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}

for (const locale of ['en-GB', 'cy']) {
  for (const mode of ['wasm', 'nowasm']) {
    test(`Amara sends blood pressure readings by keyboard (${locale}, ${mode})`, async () => {
      const base = s.server.url;
      const page = await newPage(s.browser);
      try {
        const q = mode === 'nowasm' ? '?wasm=false' : '';
        await page.context().addCookies([{ name: 'lang', value: locale, url: base }]);
        await signIn(page, base, '9990000018');
        await page.goto(`${base}/${q}`);
        await settled(page, mode);
        await tabTo(page, 'main a[href="/monitoring"]');
        await press(page, mode);
        await clean(page, 'monitoring');
        await tabTo(page, 'main a[href="/monitoring/blood_pressure"]');
        await press(page, mode);
        await clean(page, 'a blood pressure reading');

        // A typo (12.8 for 128) is refused beside its field, and what was
        // typed is kept.
        await typeInto(page, 'input[name=systolic]', '12.8');
        await typeInto(page, 'input[name=diastolic]', '84');
        await tabTo(page, 'main form button[type=submit]');
        await press(page, mode);
        assert.equal(await page.locator('.nhsuk-error-summary').count(), 1, 'the typo is refused');
        assert.match(await page.locator('#systolic-error').innerText(), /50[^]*300/);
        assert.equal(await page.locator('input[name=diastolic]').inputValue(), '84');
        await clean(page, 'a refused reading');
        await page.locator('.nhsuk-error-summary a').focus();
        await page.keyboard.press('Enter');
        assert.equal(await page.evaluate(() => document.activeElement.name), 'systolic', 'the summary leads to the field');

        // A red reading: urgent advice at once.
        await page.keyboard.press('Control+A');
        await page.keyboard.type('186');
        await typeInto(page, 'input[name=diastolic]', '104');
        await tabTo(page, 'textarea[name=note]');
        await page.keyboard.type('Headache this morning');
        await tabTo(page, 'main form button[type=submit]');
        await press(page, mode);
        const advice = page.locator('#urgent-advice');
        assert.equal(await advice.count(), 1, 'urgent advice for a red reading');
        assert.match(await advice.innerText(), /111[^]*999/);
        assert.match(await page.locator('#sent').innerText(), /186\/104 mmHg/);
        await clean(page, 'urgent advice');

        // Her readings over time, each chart with a name and its table.
        const charts = page.locator('main svg.companion-chart__svg[role=img]');
        assert.equal(await charts.count(), 2, 'top and bottom numbers charted');
        const name = await charts.first().evaluate((e) => document.getElementById(e.getAttribute('aria-labelledby')).textContent);
        assert.match(name, locale === 'cy' ? /Pwysedd gwaed/ : /Blood pressure/);
        await tabTo(page, 'main .companion-chart summary');
        await page.keyboard.press('Enter');
        assert.match(await page.locator('main .companion-chart details[open] table').first().innerText(), /186 mmHg/);
        for (const width of [390, 320]) {
          await page.setViewportSize({ width, height: 800 });
          assert.ok(await fits(page), `the monitoring page overflows at ${width} px`);
        }
        await clean(page, 'readings with a chart\'s table open');

        const inbox = await practiceInbox(base);
        assert.match(inbox.text, /Amara Okafor/, 'the red reading reaches the practice inbox');
        assert.match(inbox.text, /Red reading to review|Darlleniad coch i'w adolygu/);
        assert.deepEqual(inbox.top, { name: 'Amara Okafor', attention: 'red' }, 'she heads the practice\'s list');
        // The refused form's own answer (422) is the only one logged.
        assert.deepEqual(page.errors.filter((e) => !/status of 422/.test(e)), [], 'no errors');
      } finally {
        await page.context().close();
      }
    });
  }
}
