// Offline reading in the WebAssembly app: what a person last saw of their
// appointments, prescriptions, record and messages is still readable when the
// network goes, under a banner saying when it was fetched, with the page's
// actions disabled; it is kept encrypted, only for the profile it belongs
// to, and nothing of it is left anywhere the browser keeps data once they
// sign out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage } from '../lib/browser.mjs';
import { clean, press, settled, tabTo } from '../lib/flows.mjs';
import { suite } from '../lib/suite.mjs';
import { signIn, actFor } from '../pages.mjs';
import { startServer } from '../lib/server.mjs';

const s = suite();

async function follow(page, href) {
  await tabTo(page, `a[href="${href}"]`);
  await press(page, 'wasm');
}

const mainText = (page) => page.evaluate(() => document.querySelector('#maincontent').innerText.replace(/\s+/g, ' ').trim());

// everything the browser keeps for the origin, as text: Cache Storage
// (URLs and bodies), IndexedDB (every record of every store, binary as
// bytes), localStorage and sessionStorage.
function kept(page) {
  return page.evaluate(async () => {
    const out = { caches: [], idb: [], local: JSON.stringify({ ...localStorage }), session: JSON.stringify({ ...sessionStorage }) };
    for (const name of await caches.keys()) {
      const c = await caches.open(name);
      for (const req of await c.keys()) out.caches.push({ url: req.url, body: await (await c.match(req)).text() });
    }
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise((res, rej) => { const r = indexedDB.open(name); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
      for (const store of db.objectStoreNames) {
        const all = await new Promise((res) => { const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => res(r.result); });
        for (const v of all) {
          const bytes = v?.data instanceof ArrayBuffer ? new TextDecoder().decode(v.data) : '';
          out.idb.push({ db: name, store, value: v instanceof CryptoKey ? `CryptoKey extractable=${v.extractable}` : JSON.stringify(v) + bytes });
        }
      }
      db.close();
    }
    return out;
  });
}

// sendToAmara writes to Amara from her practice, through the staff API.
async function sendToAmara(subject) {
  const staff = await newPage(s.browser);
  try {
    await signIn(staff, s.server.url, 'staff:staff-site-z00001');
    const status = await staff.evaluate(async (subject) => (await fetch('/api/v1/admin/practices/Z00001/messages', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ nhs_number: '9990000018', subject, body: 'Your results are **normal**.' }),
    })).status, subject);
    assert.equal(status, 201, 'message sent');
  } finally {
    await staff.context().close();
  }
}

for (const locale of ['en-GB', 'cy']) {
  test(`Amara reads her last-seen pages offline, and nothing is left after signing out (${locale})`, async () => {
    const page = await newPage(s.browser);
    const context = page.context();
    try {
      await context.addCookies([{ name: 'lang', value: locale, url: s.server.url }]);
      await signIn(page, s.server.url, '9990000018');
      await settled(page, 'wasm');
      await sendToAmara(`Test results ${locale}`);
      const online = {};
      for (const href of ['/appointments', '/', '/prescriptions', '/', '/record', '/', '/messages']) {
        await follow(page, href);
        if (href !== '/') online[href] = await mainText(page);
      }
      const message = await page.locator('[data-message] a').first().getAttribute('href');
      await follow(page, message);
      online[message] = await mainText(page);
      await follow(page, '/');
      // Kept encrypted: no name, medicine or heading in the clear.
      await page.waitForFunction(async () => (await indexedDB.databases()).some((d) => d.name === 'companion-offline'));
      const stored = await kept(page);
      assert.ok(stored.idb.some((r) => r.value.startsWith('CryptoKey extractable=false')), 'a non-extractable key');
      assert.ok(stored.idb.length >= 4, `the pages are kept (${stored.idb.length} records)`);
      for (const r of stored.idb) assert.doesNotMatch(r.value, /Amara|Okafor|Appointments|Apwyntiadau|prescription/i, 'kept in the clear');

      await context.setOffline(true);
      for (const href of ['/appointments', '/prescriptions', '/record', '/messages', message]) {
        if (href === message) await follow(page, '/messages');
        await follow(page, href);
        assert.equal(await page.locator('#offline').count(), 1, `${href}: the offline banner`);
        assert.match(await page.locator('#offline-body').innerText(), /\d\d:\d\d/, 'says when it was fetched');
        const text = await mainText(page);
        assert.ok(text.endsWith(online[href]), `${href} offline shows what was seen online`);
        const enabled = await page.locator('#maincontent form button:not([disabled])').count();
        assert.equal(enabled, 0, `${href}: actions disabled`);
        await clean(page, `${href} offline`);
        await follow(page, '/');
      }
      await follow(page, '/profiles');
      assert.equal(await page.locator('#offline').count(), 1, 'a page not kept says so');
      assert.match(await page.locator('#offline-body').innerText(), /not been kept|heb ei chadw|wedi'i chadw/);
      await clean(page, 'a page not kept, offline');
      await context.setOffline(false);

      // Layla's profile never shows Amara's copy.
      await actFor(page, s.server.url, 'Layla');
      await page.goto(s.server.url + '/');
      await settled(page, 'wasm');
      await follow(page, '/prescriptions');
      await context.setOffline(true);
      await follow(page, '/');
      await follow(page, '/appointments');
      assert.equal(await page.locator('#offline').count(), 1, 'offline, acting for Layla');
      assert.equal(await page.locator('[data-appointment]').count(), 0, 'Amara\'s appointments shown for Layla');
      assert.doesNotMatch(await mainText(page), new RegExp(online['/appointments'].slice(-40).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'Amara\'s copy under Layla');
      await context.setOffline(false);

      // Signing out leaves nothing anywhere the browser keeps data.
      await page.goto(s.server.url + '/');
      await settled(page, 'wasm');
      await tabTo(page, 'header form button[type=submit]');
      await Promise.all([page.waitForURL('**/signed-out**'), page.keyboard.press('Enter')]);
      await settled(page, 'wasm');
      await context.setOffline(true);
      const after = await kept(page);
      assert.deepEqual(after.idb, [], 'IndexedDB after signing out');
      for (const c of after.caches) {
        assert.match(new URL(c.url).pathname, /^\/(web\/|app\.js|wasm_exec\.js|app-worker\.js|manifest\.webmanifest)/, `Cache Storage holds ${c.url}`);
        assert.doesNotMatch(c.body, /Amara|Okafor|Layla/, `${c.url} holds patient data`);
      }
      assert.doesNotMatch(after.local + after.session, /Amara|Okafor|Layla|Appointments/, 'web storage holds patient data');
      assert.deepEqual(page.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|Failed to load resource/.test(e)), [], 'no errors');
    } finally {
      await context.close();
    }
  });
}

// dbs lists the IndexedDB databases of the page's origin.
const dbs = (page) => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));

test('the copies go when the session ends on the server, and at timeout', async () => {
  const page = await newPage(s.browser);
  const other = await newPage(s.browser);
  try {
    await signIn(page, s.server.url, '9990000018');
    await settled(page, 'wasm');
    await follow(page, '/appointments');
    await page.waitForFunction(async () => (await indexedDB.databases()).some((d) => d.name === 'companion-offline'));
    await follow(page, '/');
    // Amara signs out everywhere from another device: this one finds out
    // at its next page, and is sent to sign in with nothing kept.
    await signIn(other, s.server.url, '9990000018');
    await other.goto(s.server.url + '/settings?wasm=false');
    await Promise.all([other.waitForURL('**/signed-out**'), other.locator('form[action="/auth/logout-everywhere"] button').click()]);
    await tabTo(page, 'a[href="/prescriptions"]');
    await Promise.all([page.waitForURL('**/sandbox-login/**'), page.keyboard.press('Enter')]);
    await page.waitForLoadState();
    assert.deepEqual(await dbs(page), [], 'copies kept after the session ended on the server');
  } finally {
    await page.context().close();
    await other.context().close();
  }

  // Long enough that signing in and one page in the app fit inside it on a
  // busy machine (at 4 s the session sometimes ended mid-navigation).
  const short = await startServer({ SESSION_IDLE: '12s' });
  const idle = await newPage(s.browser);
  try {
    await signIn(idle, short.url, '9990000018');
    await settled(idle, 'wasm');
    await follow(idle, '/appointments');
    await idle.waitForFunction(async () => (await indexedDB.databases()).some((d) => d.name === 'companion-offline'));
    await idle.waitForURL('**/sandbox-login/**', { timeout: 40000 }); // timed out: sent to sign in
    await idle.waitForLoadState();
    assert.deepEqual(await dbs(idle), [], 'copies kept after the session timed out');
  } finally {
    await idle.context().close();
    await short.stop();
  }
});
