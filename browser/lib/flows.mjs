// Keyboard-only flows shared by the browser tests: reaching controls with
// Tab, answering question pages, booking and cancelling an appointment.
import assert from 'node:assert/strict';
import { axe } from './browser.mjs';

// tabTo presses Tab until the focused element matches the CSS selector.
export async function tabTo(page, selector) {
  for (let i = 0; i < 120; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((sel) => document.activeElement?.matches(sel), selector)) return;
  }
  assert.fail(`keyboard never reached ${selector}`);
}

export async function settled(page, mode) {
  if (mode === 'wasm') await page.waitForSelector('html[data-wasm=ready]', { timeout: 30000 });
}

export async function clean(page, where) {
  assert.deepEqual(await axe(page), [], `axe on ${where}`);
}

// press activates the focused control and waits for the next page: a
// document load without WebAssembly; with it, the app's own navigation
// (<html data-nav> moves once the page's content is in) or, for the pages
// the app leaves to the server, a new document.
export async function press(page, mode, key = 'Enter') {
  if (mode !== 'wasm') {
    await Promise.all([page.waitForEvent('load'), page.keyboard.press(key)]);
    return;
  }
  const before = await page.evaluate(() => { window.companionSamePage = true; return document.documentElement.dataset.nav ?? ''; });
  await page.keyboard.press(key);
  await waitForPage(page, before);
}

// waitForPage waits until the app has drawn a page after the one counted
// before (see press).
export async function waitForPage(page, before) {
  await page.waitForFunction((b) => document.documentElement.dataset.wasm === 'ready' &&
    (!window.companionSamePage || (document.documentElement.dataset.nav ?? '') !== b), before, { timeout: 30000 });
}

// chooseFirst picks the first radio of a question (or, with next, the one
// after it, by arrow key as a keyboard user would) and continues.
export async function chooseFirst(page, mode, name, next = false) {
  await tabTo(page, `input[name=${name}]`);
  await page.keyboard.press('Space');
  if (next) await page.keyboard.press('ArrowDown');
  assert.ok(await page.evaluate((n) => document.querySelector(`input[name=${n}]:checked`) !== null, name), `${name} chosen`);
  await tabTo(page, 'main form button[type=submit]');
  await press(page, mode);
}

export async function bookAndCancel(page, base, mode, who) {
  const q = mode === 'nowasm' ? '?wasm=false' : '';
  await page.goto(`${base}/appointments${q}`);
  await settled(page, mode);
  await clean(page, 'appointments');

  await tabTo(page, 'main a[href="/appointments/book"]');
  await press(page, mode);
  assert.match(await page.locator('.nhsuk-caption-l').first().innerText(), new RegExp(who));
  await clean(page, 'choose a type');
  await chooseFirst(page, mode, 'type');
  await clean(page, 'choose a day');
  // Not today: a time within the hour could not be cancelled online.
  await chooseFirst(page, mode, 'day', true);
  await clean(page, 'choose a time');
  await chooseFirst(page, mode, 'slot');
  await clean(page, 'check answers');
  assert.match(await page.locator('main dl').innerText(), new RegExp(who), 'check answers names the patient');
  // The chosen time is held while the person answers: until when, in words.
  assert.match(await page.locator('#held').innerText(), /(holding this time for you until|cadw'r amser hwn i chi tan) \d\d:\d\d/, 'the time is held');

  await tabTo(page, 'textarea[name=reason]');
  await page.keyboard.type('A cough that will not go away');
  await tabTo(page, 'main form[method=post] button[type=submit]');
  await press(page, mode);
  assert.equal(await page.locator('#booked').count(), 1, 'confirmation panel');
  assert.match(await page.locator('#booked').innerText(), new RegExp(who), 'confirmation names the patient');
  assert.equal(await page.locator('a[href$="/calendar.ics"]').count(), 1, 'add to calendar');
  await clean(page, 'confirmation');
  await changeTime(page, mode, who);

  await tabTo(page, 'main a[href$="/cancel"]');
  await press(page, mode);
  assert.match(await page.locator('h1').innerText(), new RegExp(who), 'the cancel question names the patient');
  await clean(page, 'cancel question');
  await tabTo(page, 'main form button.nhsuk-button--warning');
  await press(page, mode);
  assert.equal(await page.locator('.nhsuk-notification-banner--success').count(), 1, 'cancelled notice');
  await clean(page, 'after cancelling');
}

// changeTime moves the appointment on the page to another time, by
// keyboard: day, time, check (the new time is held), then the confirmation.
export async function changeTime(page, mode, who) {
  const before = await page.locator('main dl').innerText();
  await tabTo(page, 'main a[href^="/appointments/book?change="]');
  await press(page, mode);
  assert.match(await page.locator('.nhsuk-caption-l').first().innerText(), new RegExp(who));
  await clean(page, 'change: choose a day');
  await chooseFirst(page, mode, 'day', true);
  await clean(page, 'change: choose a time');
  await chooseFirst(page, mode, 'slot', true);
  await clean(page, 'change: check the new time');
  assert.match(await page.locator('#held').innerText(), /\d\d:\d\d/, 'the new time is held');
  await tabTo(page, 'main form[method=post] button[type=submit]');
  await press(page, mode);
  assert.equal(await page.locator('#changed').count(), 1, 'time changed panel');
  assert.match(await page.locator('#changed').innerText(), new RegExp(who), 'the panel names the patient');
  assert.notEqual(await page.locator('main dl').innerText(), before, 'the appointment has its new time');
  await clean(page, 'time changed');
}

// orderRepeats orders the first `count` medicines that are due (not early)
// from the prescriptions page, by keyboard: choose, note, pharmacy, check,
// send. A note of tooLong characters is tried first and must be refused.
export async function orderRepeats(page, base, mode, who, { count = 2, note = 'Running low', tooLong = 0 } = {}) {
  const q = mode === 'nowasm' ? '?wasm=false' : '';
  await page.goto(`${base}/prescriptions${q}`);
  await settled(page, mode);
  await clean(page, 'prescriptions');
  const requested = await page.locator('[data-request][data-status=requested]').count();

  await tabTo(page, 'main a[href="/prescriptions/order"]');
  await press(page, mode);
  assert.match(await page.locator('.nhsuk-caption-l').first().innerText(), new RegExp(who));
  await clean(page, 'choose medicines');
  const names = [];
  for (let i = 0; i < count; i++) {
    await tabTo(page, '[data-state=orderable] input[name=medicine]:not(:checked)');
    await page.keyboard.press('Space');
    names.push(await page.evaluate(() => document.querySelector(`label[for="${document.activeElement.id}"]`).innerText));
  }
  await tabTo(page, 'main form button[type=submit]');
  await press(page, mode);

  await clean(page, 'note');
  await tabTo(page, 'textarea[name=note]');
  if (tooLong > 0) {
    await page.keyboard.insertText('x'.repeat(tooLong));
    await tabTo(page, 'main form button[type=submit]');
    await press(page, mode);
    assert.equal(await page.locator('.nhsuk-error-summary').count(), 1, 'a too-long note is refused');
    await clean(page, 'note error');
    await tabTo(page, 'textarea[name=note]');
    await page.keyboard.press('Control+A');
  }
  await page.keyboard.type(note);
  await tabTo(page, 'main form button[type=submit]');
  await press(page, mode);

  await clean(page, 'choose a pharmacy');
  assert.ok(await page.evaluate(() => document.querySelector('input[name=pharmacy]:checked') !== null), 'the nominated pharmacy is offered first');
  await tabTo(page, 'main form[method=post] button[type=submit]');
  await press(page, mode);

  await clean(page, 'check your request');
  const summary = await page.locator('main dl').innerText();
  assert.match(summary, new RegExp(who), 'check answers names the patient');
  for (const n of names) assert.ok(summary.includes(n), `check answers lists ${n}`);
  await tabTo(page, 'main form[method=post] button[type=submit]');
  await press(page, mode);

  assert.equal(await page.locator('.nhsuk-notification-banner--success').count(), 1, 'confirmation');
  assert.equal(await page.locator('[data-request][data-status=requested]').count(), requested + count, 'the requests are on their way');
  await clean(page, 'after ordering');
  return names;
}

// changePharmacy searches for a pharmacy by postcode and nominates the
// first one found, by keyboard.
export async function changePharmacy(page, base, mode, search) {
  const q = mode === 'nowasm' ? '?wasm=false' : '';
  await page.goto(`${base}/prescriptions${q}`);
  await settled(page, mode);
  await tabTo(page, 'main a[href="/prescriptions/pharmacy"]');
  await press(page, mode);
  await clean(page, 'change pharmacy');
  await tabTo(page, 'input[name=q]');
  await page.keyboard.type(search);
  await press(page, mode);
  assert.match(await page.locator('#search-status').innerText(), /\d/, 'the number found is announced');
  await clean(page, 'pharmacy search results');
  await tabTo(page, 'input[name=pharmacy]');
  await page.keyboard.press('Space');
  const chosen = await page.evaluate(() => document.activeElement.value);
  await tabTo(page, 'main form[method=post] button[type=submit]');
  await press(page, mode);
  assert.equal(await page.locator('.nhsuk-notification-banner--success').count(), 1, 'pharmacy changed notice');
  assert.equal(await page.locator(`p[data-pharmacy="${chosen}"]`).count(), 1, 'the new pharmacy is shown');
  await clean(page, 'after changing pharmacy');
  return chosen;
}
