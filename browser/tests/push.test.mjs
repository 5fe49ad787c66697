// Notifications by keyboard alone, axe-clean, in English and Welsh, with
// and without WebAssembly: Amara chooses what she is told about on the
// notification settings page. Then a push reaches the service worker (as
// the push service would deliver it, through the DevTools protocol: no real
// push service is reachable here): it shows Companion's notification, which
// names nobody, and a click opens the message it is about.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage } from '../lib/browser.mjs';
import { tabTo, settled, clean, press } from '../lib/flows.mjs';
import { suite } from '../lib/suite.mjs';
import { signIn, sendMessage } from '../pages.mjs';

const s = suite();

for (const locale of ['en-GB', 'cy']) {
  for (const mode of ['wasm', 'nowasm']) {
    test(`Amara chooses her notifications by keyboard (${locale}, ${mode})`, async () => {
      const base = s.server.url;
      const page = await newPage(s.browser);
      try {
        const q = mode === 'nowasm' ? '?wasm=false' : '';
        await page.context().addCookies([{ name: 'lang', value: locale, url: base }]);
        await signIn(page, base, '9990000018');
        await page.goto(`${base}/settings${q}`);
        await settled(page, mode);
        await tabTo(page, 'main a[href="/settings/notifications"]');
        await press(page, mode);
        await clean(page, 'notification settings');
        const status = page.locator('#push-device');
        if (mode === 'wasm') {
          // The browser can take pushes: it says they are off here, and offers to turn them on.
          await page.waitForSelector('#push-toggle');
          assert.ok((await status.innerText()).length > 0, 'the device state is said');
          await tabTo(page, '#push-toggle');
        } else {
          assert.ok((await status.innerText()).length > 0, 'why this device cannot turn pushes on');
          assert.equal(await page.locator('#push-toggle').count(), 0);
        }
        await tabTo(page, 'input[value=appointment_tomorrow]');
        await page.keyboard.press('Space');
        await tabTo(page, 'main form button[value=save]');
        await press(page, mode);
        assert.equal(await page.locator('.nhsuk-panel, .nhsuk-notification-banner--success').count(), 1, 'saved');
        assert.equal(await page.locator('input[value=appointment_tomorrow]').isChecked(), false);
        assert.equal(await page.locator('input[value=message]').isChecked(), true);
        await clean(page, 'notification settings, saved');
        // Put back for the other runs.
        await tabTo(page, 'input[value=appointment_tomorrow]');
        await page.keyboard.press('Space');
        await tabTo(page, 'main form button[value=save]');
        await press(page, mode);
        assert.equal(await page.locator('input[value=appointment_tomorrow]').isChecked(), true);
        assert.deepEqual(page.errors, [], 'no errors');
      } finally {
        await page.context().close();
      }
    });
  }
}

test('a push shows a notification that opens the message', async () => {
  const base = s.server.url;
  const sent = await sendMessage(s.browser, base, 'Push test', 'Hello');
  assert.ok(sent.id, 'message sent');

  const page = await newPage(s.browser);
  const context = page.context();
  try {
    await context.grantPermissions(['notifications'], { origin: base });
    await signIn(page, base, '9990000018');
    await page.goto(`${base}/`);
    await settled(page, 'wasm');
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const entry = page.locator('#notify-entries [data-entry=message] a');
    assert.equal(await entry.count(), 1, 'the home page lists the notification');
    const open = await entry.getAttribute('href');
    assert.match(open, new RegExp(`/message/${sent.id}$`));
    await clean(page, 'home with a notification');

    // Deliver what Companion's worker sends (server/notify: payload).
    const cdp = await context.newCDPSession(page);
    const registration = new Promise((resolve) => cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => {
      const r = e.registrations.find((x) => !x.isDeleted && x.scopeURL.startsWith(base));
      if (r) resolve(r.registrationId);
    }));
    await cdp.send('ServiceWorker.enable');
    const payload = { title: 'Companion', body: 'You have a new message from your GP practice', url: open, tag: 'message' };
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: base, registrationId: await registration, data: JSON.stringify(payload) });
    const [worker] = context.serviceWorkers();
    assert.ok(worker, 'the service worker runs');
    let shown = [];
    for (let i = 0; i < 50 && shown.length === 0; i++) {
      shown = await worker.evaluate(async () => (await self.registration.getNotifications())
        .map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url })));
      if (shown.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(shown, [{ title: 'Companion', body: payload.body, tag: 'message', url: open }]);

    // A click (as the browser dispatches it) opens the message.
    await Promise.all([
      page.waitForURL((u) => u.pathname === `/messages/${sent.id}`, { timeout: 30000 }),
      worker.evaluate(async () => {
        const [n] = await self.registration.getNotifications();
        self.dispatchEvent(new NotificationEvent('notificationclick', { notification: n }));
      }),
    ]);
    await settled(page, 'wasm');
    assert.equal(await page.locator('h1').innerText(), 'Push test');
    assert.equal(await page.locator('#notify-entries').count(), 0);
  } finally {
    await context.close();
  }
});
