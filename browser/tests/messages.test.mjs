// Messages from the practice by keyboard alone, axe-clean at every step,
// in English and Welsh, with and without WebAssembly: the practice writes
// to Amara asking for a reply from two keywords; the header counts it
// unread; she opens it (the practice sees it read), chooses a reply, and
// the practice sees the reply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage } from '../lib/browser.mjs';
import { tabTo, settled, clean, press } from '../lib/flows.mjs';
import { suite } from '../lib/suite.mjs';
import { signIn } from '../pages.mjs';

const s = suite();

// sendMessage writes to Amara from the staff page, by keyboard.
async function sendMessage(base, subject) {
  const staff = await newPage(s.browser);
  try {
    await signIn(staff, base, 'staff:staff-msg-z00001');
    await staff.goto(`${base}/admin/messages`);
    await clean(staff, 'staff messages');
    // A refusal keeps what was typed and says what to put right.
    await tabTo(staff, 'input[name=nhs_number]');
    await staff.keyboard.type('999 000 0019');
    await tabTo(staff, 'input[name=subject]');
    await staff.keyboard.type(subject);
    await tabTo(staff, 'textarea[name=body]');
    await staff.keyboard.type('Your blood test result is back. Please **choose a reply** below.\n\n- [About blood tests](https://www.nhs.uk/conditions/blood-tests/)');
    // A radio group is one Tab stop, on the chosen radio ("No reply");
    // the arrow keys move the choice to "by choosing a reply".
    await tabTo(staff, 'input[name=reply]');
    await staff.keyboard.press('ArrowDown');
    await staff.keyboard.press('ArrowDown');
    assert.equal(await staff.locator('input[name=reply]:checked').getAttribute('value'), 'keywords');
    await tabTo(staff, 'input[name=keywords]');
    await staff.keyboard.type('Call me, I will book');
    await tabTo(staff, 'main form button[type=submit]');
    await press(staff, 'nowasm');
    assert.equal(await staff.locator('.nhsuk-error-summary').count(), 1, 'the wrong NHS number is refused');
    assert.equal(await staff.locator('input[name=subject]').inputValue(), subject, 'what was typed is kept');
    await clean(staff, 'staff messages, refused');
    await staff.locator('.nhsuk-error-summary a').focus();
    await staff.keyboard.press('Enter');
    assert.equal(await staff.evaluate(() => document.activeElement.name), 'nhs_number', 'the summary leads to the field');
    await staff.keyboard.press('Control+A');
    await staff.keyboard.type('9990000018');
    await tabTo(staff, 'main form button[type=submit]');
    await press(staff, 'nowasm');
    // Whom it goes to, from the GP record, before anything is sent.
    assert.match(await staff.locator('#check').innerText(), /Amara Okafor/);
    await clean(staff, 'staff messages, check');
    await tabTo(staff, '#check button[type=submit]:not([name])');
    await press(staff, 'nowasm');
    assert.equal(await staff.locator('#sent').count(), 1, 'sent');
    await clean(staff, 'staff messages, sent');
  } finally {
    await staff.context().close();
  }
}

// practiceSees is the staff page's card for the message with subject.
async function practiceSees(base, subject) {
  const staff = await newPage(s.browser);
  try {
    await signIn(staff, base, 'staff:staff-site-z00001');
    await staff.goto(`${base}/admin/messages`);
    const card = staff.locator('[data-message]', { hasText: subject });
    await clean(staff, 'staff messages with receipts');
    return { state: await card.getAttribute('data-state'), text: await card.innerText() };
  } finally {
    await staff.context().close();
  }
}

for (const locale of ['en-GB', 'cy']) {
  for (const mode of ['wasm', 'nowasm']) {
    test(`the practice writes, Amara reads and replies by keyboard (${locale}, ${mode})`, async () => {
      const base = s.server.url;
      const subject = `Blood test ${locale} ${mode}`;
      await sendMessage(base, subject);
      assert.equal((await practiceSees(base, subject)).state, 'unread');

      const page = await newPage(s.browser);
      try {
        const q = mode === 'nowasm' ? '?wasm=false' : '';
        await page.context().addCookies([{ name: 'lang', value: locale, url: base }]);
        await signIn(page, base, '9990000018');
        await page.goto(`${base}/${q}`);
        await settled(page, mode);
        assert.equal(await page.locator('#unread-count').count(), 1, 'the header counts unread messages');
        await tabTo(page, 'header a[href="/messages"]');
        await press(page, mode);
        await clean(page, 'messages');
        const item = page.locator('[data-message]', { hasText: subject });
        assert.equal(await item.getAttribute('data-read'), 'false');
        await tabTo(page, `[data-message="${await item.getAttribute('data-message')}"] a`);
        await press(page, mode);
        await clean(page, 'a message');
        assert.equal(await page.locator('h1').innerText(), subject);
        assert.equal(await page.locator('main strong', { hasText: 'choose a reply' }).count(), 1, 'bold');
        assert.equal(await page.locator('main a[href="https://www.nhs.uk/conditions/blood-tests/"]').count(), 1, 'the link');
        assert.equal((await practiceSees(base, subject)).state, 'read', 'the practice sees it read');

        assert.match(await page.locator('main form .nhsuk-inset-text').innerText(), /111[^]*999/, 'a reply is no way to get urgent help');
        await tabTo(page, 'input[name=reply]');
        await page.keyboard.press('ArrowDown'); // the second keyword
        await tabTo(page, 'main form button[type=submit]');
        await press(page, mode);
        assert.equal(await page.locator('#reply-sent').innerText(), 'I will book');
        await clean(page, 'a message, replied');
        const seen = await practiceSees(base, subject);
        assert.equal(seen.state, 'replied');
        assert.match(seen.text, /I will book/, 'the practice sees the reply');
        assert.deepEqual(page.errors, [], 'no errors');
      } finally {
        await page.context().close();
      }
    });
  }
}
