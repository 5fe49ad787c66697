// Signing in with the sandbox NHS login using only the keyboard, signing out,
// and making sure Back shows no patient data afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { newPage, axe } from '../lib/browser.mjs';
import { suite } from '../lib/suite.mjs';

const s = suite();

// tabTo presses Tab until the focused element matches, as a keyboard user
// would, failing if it never gets there.
async function tabTo(page, predicate, what, arg) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(predicate, arg)) return;
  }
  assert.fail(`keyboard never reached ${what}`);
}

const TEXT = {
  'en-GB': { start: 'Continue to NHS login', cont: 'Continue', hello: 'Hello, Amara Okafor', out: 'Sign out', gone: 'You have signed out' },
  cy: { start: 'Parhau i NHS login', cont: 'Parhau', hello: 'Helo, Amara Okafor', out: 'Allgofnodi', gone: 'Rydych wedi allgofnodi' },
};

for (const [locale, t] of Object.entries(TEXT)) for (const mode of ['wasm', 'nowasm']) {
  test(`Amara signs in with the keyboard, signs out, and Back shows nothing (${locale}, ${mode})`, async () => {
    const page = await newPage(s.browser);
    await page.context().addCookies([{ name: 'lang', value: locale, url: s.server.url }]);
    const q = mode === 'nowasm' ? '?wasm=false' : '';
    await page.goto(s.server.url + '/' + q);
    if (mode === 'wasm') await page.waitForSelector('html[data-wasm=ready]', { timeout: 30000 });

    await tabTo(page, (s) => document.activeElement?.textContent.trim() === s, 'the sign-in button', t.start);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/sandbox-login/authorize**');
    assert.deepEqual(await axe(page), [], 'picker axe');

    // Pressing Continue with nothing chosen explains what to do.
    await tabTo(page, (s) => document.activeElement?.textContent.trim() === s, 'Continue', t.cont);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.nhsuk-error-summary');
    assert.deepEqual(await axe(page), [], 'picker error axe');

    await tabTo(page, () => document.activeElement?.matches('input[type=radio]'), 'the first person');
    assert.equal(await page.getAttribute('html', 'lang'), locale, 'the picker follows the language');
    // Arrow keys move through a radio group; Amara is first, so select her.
    await page.keyboard.press('Space');
    assert.equal(await page.evaluate(() => document.activeElement?.labels?.[0]?.textContent), 'Amara Okafor');
    await tabTo(page, (s) => document.activeElement?.textContent.trim() === s, 'Continue', t.cont);
    await page.keyboard.press('Enter');
    await page.waitForURL(s.server.url + '/');
    await page.waitForSelector(`h1:has-text("${t.hello}")`);
    assert.equal(await page.getAttribute('html', 'lang'), locale);
    assert.ok(await page.isVisible('text=Amara Okafor'));
    const body = await page.content();
    assert.ok(!body.includes('9990000018'), 'the page shows the NHS number');

    await tabTo(page, (s) => document.activeElement?.textContent.trim() === s, 'Sign out', t.out);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/signed-out');
    assert.ok(await page.isVisible(`h1:has-text("${t.gone}")`));

    await page.goBack();
    await page.waitForLoadState('load');
    const after = await page.content();
    assert.ok(!after.includes('Amara'), `Back showed patient data at ${page.url()}`);
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    assert.equal(me, 401, 'still signed in after sign-out');
    await page.context().close();
  });
}

test('the language switcher works without WebAssembly and keeps the page', async () => {
  const page = await newPage(s.browser);
  await page.goto(s.server.url + '/help?wasm=false');
  await page.click('a[hreflang=cy]');
  await page.waitForURL('**/help?lang=cy&wasm=false');
  assert.equal(await page.getAttribute('html', 'lang'), 'cy');
  assert.ok(await page.isVisible('h1:has-text("Help a chymorth")'));
  assert.equal(page.requests.filter((u) => u.includes('.wasm')).length, 0, 'switching language loaded WebAssembly');
  await page.click('a[hreflang=en-GB]');
  await page.waitForURL('**/help?lang=en-GB&wasm=false');
  assert.ok(await page.isVisible('h1:has-text("Help and support")'));
  await page.context().close();
});

test('the language switcher with WebAssembly loads the page in the new language', async () => {
  const page = await newPage(s.browser);
  await page.goto(s.server.url + '/');
  await page.waitForSelector('html[data-wasm=ready]', { timeout: 30000 });
  await page.click('footer a[href="/help"]');
  await page.waitForURL('**/help');
  await page.click('a[hreflang=cy]');
  await page.waitForURL('**/help?lang=cy');
  await page.waitForSelector('html[data-wasm=ready]', { timeout: 30000 });
  assert.ok(await page.isVisible('h1:has-text("Help a chymorth")'));
  assert.ok(await page.isVisible('header a[aria-current=page]:has-text("Help")'), 'the current page is marked after client navigation');
  await page.context().close();
});

test('signing in from a page comes back to it, and a timed-out session does too', async () => {
  const short = await startServer({ SESSION_IDLE: '3s' });
  try {
    const page = await newPage(s.browser);
    await page.goto(`${short.url}/auth/login?login_hint=9990000018&return=/settings`);
    await page.waitForURL(`${short.url}/settings`);
    await page.waitForTimeout(3500);
    await page.goto(`${short.url}/settings?wasm=false`);
    // The session timed out: sign in again (the picker), then back to /settings.
    await page.waitForURL('**/sandbox-login/authorize**');
    await page.check('input[value="9990000018"]');
    await page.click('button:has-text("Continue")');
    await page.waitForURL(`${short.url}/settings?wasm=false`);
    assert.ok(await page.isVisible('h1:has-text("Settings")'));
    await page.context().close();
  } finally {
    await short.stop();
  }
});

test('the page warns before the idle timeout and can keep the session', async () => {
  // A 150-second idle timeout: the warning shows 2 minutes before the end.
  const short = await startServer({ SESSION_IDLE: '150s' });
  try {
    const page = await newPage(s.browser);
    await page.goto(`${short.url}/auth/login?login_hint=9990000018`);
    await page.waitForSelector('html[data-wasm=ready]', { timeout: 30000 });
    await page.waitForSelector('[role=alertdialog]:has-text("You will be signed out soon")', { timeout: 45000 });
    assert.deepEqual(await axe(page), [], 'warning axe');
    await page.click('button:has-text("Stay signed in")');
    await page.waitForSelector('[role=alertdialog]', { state: 'detached', timeout: 10000 });
    await page.context().close();
  } finally {
    await short.stop();
  }
});
