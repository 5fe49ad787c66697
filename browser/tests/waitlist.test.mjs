// The earlier-appointment waitlist by keyboard, in every language, with and
// without WebAssembly, axe-clean at every step: Amara asks for an earlier
// time; Priya cancels one; Amara finds it held for her on the home page and
// moves her appointment to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage } from '../lib/browser.mjs';
import { clean, press, settled, tabTo } from '../lib/flows.mjs';
import { suite } from '../lib/suite.mjs';
import { signIn } from '../pages.mjs';

const s = suite();

// api calls Companion's API from the page, as the app does (same origin).
function api(page, method, path, body) {
  return page.evaluate(async ({ method, path, body }) => {
    const res = await fetch(path, {
      method, headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  }, { method, path, body });
}

async function patientBase(page) {
  const me = await api(page, 'GET', '/api/v1/me');
  return `/api/v1/patients/${me.body.patient_id}`;
}

for (const locale of ['en-GB', 'cy']) {
  for (const mode of ['wasm', 'nowasm']) {
    test(`Amara is offered an earlier time and moves to it by keyboard (${locale}, ${mode})`, async () => {
      const q = mode === 'nowasm' ? '?wasm=false' : '';
      const amara = await newPage(s.browser);
      const priya = await newPage(s.browser);
      try {
        await amara.context().addCookies([{ name: 'lang', value: locale, url: s.server.url }]);
        await signIn(amara, s.server.url, '9990000018');
        await signIn(priya, s.server.url, '9990000034');
        const base = await patientBase(amara);
        const slots = (await api(amara, 'GET', `${base}/slots?type=gp`)).body;
        const mine = await api(amara, 'POST', `${base}/appointments`, { slot_id: slots[slots.length - 1].id });
        assert.equal(mine.status, 201, 'Amara books a late time');
        const id = mine.body.id;

        await amara.goto(`${s.server.url}/appointments/${id}${q}`);
        await settled(amara, mode);
        await tabTo(amara, `main a[href="/appointments/${id}/waitlist"]`);
        await press(amara, mode);
        await clean(amara, 'waitlist question');
        await tabTo(amara, 'main form button[type=submit]');
        await press(amara, mode);
        assert.equal(await amara.locator('#waiting').count(), 1, 'on the list');
        await clean(amara, 'on the list');

        // Priya books an earlier time, then cancels it.
        const pbase = await patientBase(priya);
        const theirs = await api(priya, 'POST', `${pbase}/appointments`, { slot_id: slots[4].id });
        assert.equal(theirs.status, 201, 'Priya books an earlier time');
        assert.equal((await api(priya, 'DELETE', `${pbase}/appointments/${theirs.body.id}`)).status, 200, 'Priya cancels');

        await amara.goto(`${s.server.url}/${q}`);
        await settled(amara, mode);
        await amara.waitForSelector(`[data-offer="${id}"]`, { timeout: 10000 });
        await clean(amara, 'home with an offer');
        await tabTo(amara, `[data-offer="${id}"] a`);
        await press(amara, mode);
        assert.equal(await amara.locator('#offer').count(), 1, 'the offer on the appointment page');
        await clean(amara, 'the offer');
        await tabTo(amara, `main form[action$="/waitlist/accept"] button`);
        await press(amara, mode);
        assert.equal(await amara.locator('#changed').count(), 1, 'moved');
        await clean(amara, 'moved');
        const moved = (await api(amara, 'GET', `${base}/appointments`)).body.upcoming.find((a) => a.id === id);
        assert.equal(moved.slot.id, slots[4].id, 'the appointment is at the earlier time');
        assert.equal((await api(amara, 'DELETE', `${base}/appointments/${id}`)).status, 200, 'tidy up');
        assert.deepEqual(amara.errors, [], 'no errors');
      } finally {
        await amara.context().close();
        await priya.context().close();
      }
    });
  }
}
