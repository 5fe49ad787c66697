// Acting for someone else: Priya, George's carer, switches to his profile
// with the keyboard, sees whose profile she is using on every page, and
// switches back. With and without WebAssembly, axe-clean throughout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, axe } from '../lib/browser.mjs';
import { suite } from '../lib/suite.mjs';
import { signIn } from '../pages.mjs';
import { bookAndCancel } from '../lib/flows.mjs';

const s = suite();

// tabTo presses Tab until the focused element matches, as a keyboard user
// would, failing if it never gets there.
export async function tabTo(page, predicate, what, arg) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(predicate, arg)) return;
  }
  assert.fail(`keyboard never reached ${what}`);
}

const byText = (t) => document.activeElement?.textContent.trim() === t;

async function ready(page, mode) {
  if (mode === 'wasm') await page.waitForSelector('html[data-wasm=ready]', { timeout: 30000 });
}

for (const mode of ['wasm', 'nowasm']) {
  test(`Priya acts for George and back, by keyboard (${mode})`, async () => {
    const page = await newPage(s.browser);
    const q = mode === 'nowasm' ? '?wasm=false' : '';
    try {
      await signIn(page, s.server.url, '9990000034');
      await page.goto(`${s.server.url}/profiles${q}`);
      await ready(page, mode);
      assert.deepEqual(await axe(page), [], 'profiles axe');
      await tabTo(page, byText, 'Switch to George', "Switch to George's profile");
      await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.keyboard.press('Enter')]);
      await ready(page, mode === 'nowasm' ? 'none' : mode);

      const banner = page.locator('#acting-for');
      for (const path of ['/', '/help', '/profiles', '/settings', '/accessibility']) {
        await page.goto(`${s.server.url}${path}${q}`);
        await ready(page, mode);
        assert.match(await banner.innerText(), /You are acting for George Whitfield, born \d{1,2} [A-Z][a-z]+ \d{4}/, `banner on ${path}`);
        assert.deepEqual(await axe(page), [], `axe on ${path} acting for George`);
      }

      // She books (and cancels) an appointment for him: every step names him.
      await bookAndCancel(page, s.server.url, mode, 'George Whitfield');
      assert.match(await banner.innerText(), /George Whitfield/);

      // His record is not hers to read: refused, with the banner still there.
      const res = await page.goto(`${s.server.url}/record${q}`);
      await ready(page, mode);
      assert.equal(res.status(), 403, 'record refused');
      assert.equal(await page.getAttribute('h1', 'data-error-code'), 'forbidden');
      assert.match(await banner.innerText(), /George Whitfield/);
      assert.deepEqual(await axe(page), [], 'axe on the refusal');

      // Back to herself from the banner, by keyboard.
      await page.goto(`${s.server.url}/help${q}`);
      await ready(page, mode);
      await tabTo(page, byText, 'Switch back', 'Switch back to your profile');
      await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.keyboard.press('Enter')]);
      assert.equal(await banner.count(), 0, 'banner gone after switching back');
      assert.match(await page.locator('h1').innerText(), /Priya Shah/);
    } finally {
      await page.context().close();
    }
  });
}

test('Amara sees Kofi\'s access paused for his age, with no way to switch', async () => {
  const page = await newPage(s.browser);
  try {
    await signIn(page, s.server.url, '9990000018');
    await page.goto(`${s.server.url}/profiles`);
    const kofi = page.locator('[data-profile="Kofi"]');
    assert.match(await kofi.innerText(), /paused because of their age/);
    assert.equal(await kofi.locator('button').count(), 0);
  } finally {
    await page.context().close();
  }
});
