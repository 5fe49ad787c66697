// Contacting the GP practice online with the keyboard alone, with and
// without WebAssembly, axe-clean at every step: Amara sends an admin request
// and sees it on her home page; acting for Layla, she answers an emergency
// question "yes" and is told to get help now, with nothing sent, and the
// practice sees the stop among its safety events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage } from '../lib/browser.mjs';
import { tabTo, settled, clean, press } from '../lib/flows.mjs';
import { startServer } from '../lib/server.mjs';
import { suite } from '../lib/suite.mjs';
import { signIn, actFor } from '../pages.mjs';

// The practices are open whenever the suite runs; opening hours have their
// own Go tests.
const open = { CONTACT_HOURS: 'Mon-Sun 00:00-24:00', CONTACT_BANK_HOLIDAYS_OPEN: 'true' };
const s = suite(open);

// fresh runs fn against a server of its own: each person may send only so
// many requests a day.
async function fresh(fn) {
  const server = await startServer(open);
  const page = await newPage(s.browser);
  try {
    await fn(page, server.url);
    assert.deepEqual(page.errors, [], 'no errors');
  } finally {
    await page.context().close();
    await server.stop();
  }
}

// chooseRadio selects the n-th radio of a group (0-based) by keyboard.
async function chooseRadio(page, name, n) {
  await tabTo(page, `input[name="${name}"]`);
  if (n === 0) await page.keyboard.press('Space');
  for (let i = 0; i < n; i++) await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate((nm) => [...document.querySelectorAll(`input[name="${nm}"]`)].findIndex((e) => e.checked), name), n, `${name} chosen`);
}

for (const locale of ['en-GB', 'cy']) {
  for (const mode of ['wasm', 'nowasm']) {
    test(`Amara sends an admin request by keyboard (${locale}, ${mode})`, () => fresh(async (page, base) => {
      const q = mode === 'nowasm' ? '?wasm=false' : '';
      await page.context().addCookies([{ name: 'lang', value: locale, url: base }]);
      await signIn(page, base, '9990000018');
      await page.goto(`${base}/${q}`);
      await settled(page, mode);
      await tabTo(page, 'main a[href="/contact"]');
      await press(page, mode);
      await clean(page, 'contact: what about');
      assert.match(await page.locator('.nhsuk-caption-l').first().innerText(), /Amara Okafor/);
      const kinds = await page.$$eval('input[name=kind]', (els) => els.map((e) => e.value));
      await chooseRadio(page, 'kind', kinds.indexOf('admin'));
      await tabTo(page, 'main form button[type=submit]');
      await press(page, mode);

      await clean(page, 'contact: details');
      await chooseRadio(page, 'topic', 0);
      await tabTo(page, 'textarea[name=text]');
      await page.keyboard.type('I need a fit note for my employer, from last Monday.');
      await tabTo(page, 'main form button[type=submit]');
      await press(page, mode);

      await clean(page, 'contact: check');
      assert.match(await page.locator('main dl').innerText(), /fit note for my employer/);
      await tabTo(page, 'main form button[type=submit]');
      await press(page, mode);
      assert.equal(await page.locator('#contact-sent').count(), 1, 'confirmation');
      assert.match(await page.locator('#contact-sent').innerText(), /\d{2}:\d{2}/, 'says when the practice will reply');
      await clean(page, 'contact: sent');

      await page.goto(`${base}/${q}`);
      await settled(page, mode);
      assert.equal(await page.locator('#contact-requests [data-status=received]').count(), 1, 'the request is on the home page');
      await clean(page, 'home with a request');
      if (locale !== 'en-GB') return;

      // The practice replies from its inbox, by keyboard.
      const staff = await newPage(s.browser);
      try {
        await signIn(staff, base, 'staff:staff-site-z00001');
        await staff.goto(`${base}/admin/inbox`);
        await clean(staff, 'inbox');
        await tabTo(staff, 'textarea[name=reply]');
        await staff.keyboard.type('Your fit note is ready: collect it from reception.');
        await tabTo(staff, 'form[action$="/respond"] button[type=submit]');
        await press(staff, 'nowasm');
        assert.equal(await staff.locator('[data-request][data-status=responded]').count(), 1, 'marked responded');
        await clean(staff, 'inbox after replying');
      } finally {
        await staff.context().close();
      }
      await page.goto(`${base}/${q}`);
      await settled(page, mode);
      assert.match(await page.locator('#contact-requests [data-status=responded]').innerText(), /collect it from reception/);
      await clean(page, 'home with a reply');
    }));
  }
}

for (const mode of ['wasm', 'nowasm']) {
  test(`Amara, for Layla, answers an emergency question and is told to get help now (${mode})`, () => fresh(async (page, base) => {
    const q = mode === 'nowasm' ? '?wasm=false' : '';
    await signIn(page, base, '9990000018');
    await actFor(page, base, 'Layla');
    await page.goto(`${base}/contact${q}`);
    await settled(page, mode);
    assert.match(await page.locator('.nhsuk-caption-l').first().innerText(), /Layla Okafor/);
    const kinds = await page.$$eval('input[name=kind]', (els) => els.map((e) => e.value));
    await chooseRadio(page, 'kind', kinds.indexOf('medical'));
    await tabTo(page, 'main form button[type=submit]');
    await press(page, mode);

    await clean(page, 'emergency questions');
    const questions = await page.$$eval('[data-question]', (els) => els.map((e) => e.dataset.question));
    assert.ok(questions.length >= 7, `child questions asked too (${questions.length})`);
    // Everything "no" but one child-specific question.
    const yes = questions.length - 1;
    for (let i = 0; i < questions.length; i++) {
      await chooseRadio(page, `q-${questions[i]}`, i === yes ? 0 : 1);
    }
    await tabTo(page, 'main form button[type=submit]');
    await press(page, mode);
    assert.equal(await page.locator('#urgent-advice').count(), 1, 'urgent advice');
    assert.match(await page.locator('#urgent-advice').innerText(), /999|111/);
    await clean(page, 'urgent advice');

    await page.goto(`${base}/${q}`);
    await settled(page, mode);
    assert.equal(await page.locator('#contact-requests').count(), 0, 'nothing was sent');

    // The practice sees the stop among its safety events, keyboard-reachable
    // (staff pages are server-rendered only).
    const staff = await newPage(s.browser);
    try {
      await signIn(staff, base, 'staff:staff-site-z00001');
      await staff.goto(`${base}/admin/inbox`);
      const row = staff.locator('#safety [data-safety=red_flag]');
      assert.equal(await row.count(), 1, 'the red-flag stop is listed');
      assert.match(await row.innerText(), /Layla Okafor/);
      await tabTo(staff, '#safety [role=region]');
      await clean(staff, 'inbox with a safety event');
    } finally {
      await staff.context().close();
    }
  }));
}
