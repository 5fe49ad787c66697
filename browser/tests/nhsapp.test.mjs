// Companion inside the NHS App: opened from the App with the person's NHS
// login carried over (no sign-in page), framed by the App (no header,
// footer or sign-out of Companion's own), and handing the App what its web
// view cannot do itself (the back button, calendar, downloads, links that
// leave, going home), through a stand-in for the App's nhsapp.js that
// records the calls. By keyboard, axe-clean, in English and Welsh, with and
// without WebAssembly; outside the App nothing of this is loaded and no
// request leaves localhost.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { watchedPage, externalRequests, newPage } from '../lib/browser.mjs';
import { tabTo, settled, clean, press } from '../lib/flows.mjs';
import { suite } from '../lib/suite.mjs';
import { signIn, sendMessage } from '../pages.mjs';
import { startNHSApp, iosApp, androidApp, calls, waitForCall } from '../lib/nhsapp.mjs';

const app = await startNHSApp();
after(() => app.close());
const s = suite({ NHSAPP_JS_URL: app.url });

// inApp is a page in the NHS App's web view: the iPhone's in English, the
// Android phone's in Welsh.
async function inApp(locale) {
  const userAgent = locale === 'cy' ? androidApp : iosApp;
  const context = await s.browser.newContext({ viewport: { width: 390, height: 844 }, userAgent, locale });
  await context.addCookies([{ name: 'lang', value: locale, url: s.server.url }]);
  return watchedPage(context);
}

// openFromApp opens path as the NHS App does, with an assertion of who is
// signed in to it (the sandbox NHS App makes one).
async function openFromApp(page, path, extra = '') {
  const res = await page.goto(`${s.server.url}/sandbox-login/nhsapp?account=9990000018${extra}&path=${encodeURIComponent(path)}`);
  return res;
}

// ensureAppointment books Amara a GP appointment if she has none coming.
async function ensureAppointment(page) {
  const booked = await page.evaluate(async () => {
    const me = await (await fetch('/api/v1/me')).json();
    const base = `/api/v1/patients/${me.patient_id}`;
    const diary = await (await fetch(`${base}/appointments`)).json();
    if ((diary.upcoming || []).length > 0) return true;
    const slots = await (await fetch(`${base}/slots?type=gp`)).json();
    const r = await fetch(`${base}/appointments`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `nhsapp-${Date.now()}` },
      body: JSON.stringify({ slot_id: slots[slots.length - 1].id, reason: 'Review' }),
    });
    return r.status === 201;
  });
  assert.ok(booked, 'Amara has an appointment coming');
}

async function framedByTheApp(page, where) {
  assert.equal(await page.locator('header.nhsuk-header, .nhsuk-header').count(), 0, `${where}: no header of Companion's`);
  assert.equal(await page.locator('footer, .nhsuk-footer').count(), 0, `${where}: no footer`);
  assert.equal(await page.locator('form[action="/auth/logout"]').count(), 0, `${where}: no sign-out`);
  assert.ok(await page.evaluate(() => typeof window.nhsapp === 'object'), `${where}: nhsapp.js loaded`);
  assert.deepEqual(externalRequests(page), [], `${where}: nothing but localhost`);
}

for (const locale of ['en-GB', 'cy']) {
  for (const mode of ['wasm', 'nowasm']) {
    const q = mode === 'nowasm' ? '?wasm=false' : '';

    test(`Amara opens her appointments from the NHS App and adds one to her calendar (${locale}, ${mode})`, async () => {
      const page = await inApp(locale);
      try {
        await openFromApp(page, `/appointments${q}`);
        assert.equal(new URL(page.url()).pathname, '/appointments', 'signed in where the App sent her');
        await ensureAppointment(page);
        await page.reload();
        assert.ok(!page.requests.some((u) => u.includes('/sandbox-login/authorize') && !u.includes('asserted_login_identity')),
          'no sign-in page on the way');
        await settled(page, mode);
        await framedByTheApp(page, 'appointments');
        assert.ok(app.requests.some((u) => u.startsWith('/js/v2/nhsapp.js')), 'the App\'s script came from the App');
        await clean(page, 'appointments inside the App');

        await tabTo(page, 'main a.nhsuk-card__link[href^="/appointments/"]');
        await press(page, mode);
        await clean(page, 'an appointment inside the App');
        // The App's back button follows the page's back link.
        await waitForCall(page, 'navigation.setBackAction');
        await Promise.all([
          mode === 'wasm' ? page.waitForURL((u) => u.pathname === '/appointments') : page.waitForEvent('load'),
          page.evaluate(() => window.nhsappBack()),
        ]);
        assert.equal(new URL(page.url()).pathname, '/appointments', 'back within Companion');
        await settled(page, mode);

        await tabTo(page, 'main a.nhsuk-card__link[href^="/appointments/"]');
        await press(page, mode);
        await tabTo(page, 'a[data-nhsapp-calendar]');
        await page.keyboard.press('Enter');
        const [subject, body, location, start, end] = await waitForCall(page, 'storage.addEventToCalendar');
        assert.ok(subject.length > 0 && body.length > 0 && location.length > 0, 'subject, body and location from the calendar file');
        assert.ok(Number.isInteger(start) && Number.isInteger(end) && end > start && start > Date.now() / 1000,
          `times in epoch seconds, in the future: ${start} ${end}`);
        assert.equal(new URL(page.url()).pathname.endsWith('.ics'), false, 'no download in the web view');

        // Back to the App's home page, through the App.
        await tabTo(page, 'a[data-nhsapp-home]');
        await page.keyboard.press('Enter');
        await waitForCall(page, 'navigation.goToHomePage');
        assert.deepEqual(page.errors, [], 'no errors');
      } finally {
        await page.context().close();
      }
    });

    test(`her record, a document and the printable record download through the App (${locale}, ${mode})`, async () => {
      const page = await inApp(locale);
      try {
        await openFromApp(page, `/record${q}`);
        await settled(page, mode);
        await framedByTheApp(page, 'record');
        await clean(page, 'record inside the App');
        await tabTo(page, 'main a[download="record.fhir.json"]');
        await page.keyboard.press('Enter');
        const [data, name, type] = await waitForCall(page, 'storage.downloadFromBytes');
        assert.equal(name, 'record.fhir.json');
        assert.match(type, /json/);
        assert.equal(JSON.parse(Buffer.from(data, 'base64').toString('utf8')).resourceType, 'Bundle', 'the bytes are the FHIR export');

        await page.evaluate(() => { window.nhsappCalls.length = 0; });
        await tabTo(page, 'main a[data-nhsapp-download]');
        await page.keyboard.press('Enter');
        const [html, printName, printType] = await waitForCall(page, 'storage.downloadFromBytes');
        assert.equal(printName, 'health-record.html');
        assert.equal(printType, 'text/html');
        assert.match(Buffer.from(html, 'base64').toString('utf8'), /<h1/);
        assert.equal(new URL(page.url()).pathname, '/record', 'still on the record');

        await page.goto(`${s.server.url}/record/documents${q}`);
        await settled(page, mode);
        await clean(page, 'documents inside the App');
        await page.evaluate(() => { window.nhsappCalls.length = 0; });
        await tabTo(page, 'main a[download]');
        await page.keyboard.press('Enter');
        const [pdf, , pdfType] = await waitForCall(page, 'storage.downloadFromBytes');
        assert.equal(pdfType, 'application/pdf');
        assert.equal(Buffer.from(pdf, 'base64').subarray(0, 5).toString(), '%PDF-', 'the bytes are the PDF');
        assert.deepEqual(page.errors, [], 'no errors');
      } finally {
        await page.context().close();
      }
    });

    test(`a session that times out inside the App goes back to the App's home page (${locale}, ${mode})`, async () => {
      const page = await inApp(locale);
      try {
        await openFromApp(page, `/${q}`);
        await settled(page, mode);
        // The session ends on the server (as after 15 minutes idle): the
        // browser still holds its cookie.
        await page.context().addCookies([{ name: 'companion', value: 'ended', url: s.server.url }]);
        await page.goto(`${s.server.url}/appointments${q}`);
        await waitForCall(page, 'navigation.goToHomePage');
        assert.equal(await page.locator('[data-error-code="sign_in_nhsapp_timeout"]').count(), 1, 'says why');
        assert.equal(await page.locator('main a[href="/auth/login"]').count(), 1, 'and offers to sign in again');
        await framedByTheApp(page, 'timed out');
        await clean(page, 'timed out inside the App');
      } finally {
        await page.context().close();
      }
    });

    test(`someone who will not share their details is told so, with both ways on (${locale}, ${mode})`, async () => {
      const page = await inApp(locale);
      try {
        await openFromApp(page, `/${q}`, '&consent=no');
        assert.equal(await page.locator('[data-error-code="sign_in_nhsapp_consent"]').count(), 1);
        await clean(page, 'consent not given');
        await tabTo(page, 'main a[data-nhsapp-home]');
        await page.keyboard.press('Enter');
        await waitForCall(page, 'navigation.goToHomePage');
        assert.equal(await page.locator('main a[href="/auth/login"]').count(), 1, 'the ordinary sign-in is offered');
      } finally {
        await page.context().close();
      }
    });
  }
}

test('a link in a message that leaves Companion opens in the device\'s browser', async () => {
  const base = s.server.url;
  const sent = await sendMessage(s.browser, base, 'Flu vaccines',
    'Read about it on the [NHS website](https://www.nhs.uk/vaccinations/flu-vaccine/).');
  assert.ok(sent.id, 'message sent');
  for (const mode of ['wasm', 'nowasm']) {
    const page = await inApp('en-GB');
    try {
      await openFromApp(page, `/messages/${sent.id}${mode === 'nowasm' ? '?wasm=false' : ''}`);
      await settled(page, mode);
      await tabTo(page, 'main a[href^="https://www.nhs.uk/"]');
      await page.keyboard.press('Enter');
      const [href] = await waitForCall(page, 'navigation.openExternalBrowser');
      assert.equal(href, 'https://www.nhs.uk/vaccinations/flu-vaccine/');
      assert.equal(new URL(page.url()).origin, base, 'the web view stayed on Companion');
      assert.deepEqual(externalRequests(page), [], 'nothing fetched from elsewhere');
    } finally {
      await page.context().close();
    }
  }
});

test('outside the App nothing of the App is loaded and no request leaves localhost', async () => {
  const base = s.server.url;
  const before = app.requests.length;
  for (const mode of ['wasm', 'nowasm']) {
    const page = await newPage(s.browser);
    try {
      await signIn(page, base, '9990000018');
      for (const path of ['/', '/appointments', '/record', '/help']) {
        await page.goto(`${base}${path}${mode === 'nowasm' ? '?wasm=false' : ''}`);
        await settled(page, mode);
        assert.equal(await page.locator('header.nhsuk-header').count(), 1, `${path}: Companion's header`);
        assert.equal(await page.locator('footer.nhsuk-footer').count(), 1, `${path}: and footer`);
        assert.equal(await page.evaluate(() => typeof window.nhsapp), 'undefined', `${path}: no nhsapp.js`);
      }
      assert.deepEqual(externalRequests(page), [], 'no request left localhost');
      assert.ok(!page.requests.some((u) => u.startsWith(app.origin) || u.includes('nhsapp-bridge')), 'nothing of the App');
      assert.equal(await calls(page, 'navigation.goToHomePage').then((c) => c.length), 0);
    } finally {
      await page.context().close();
    }
  }
  assert.equal(app.requests.length, before, 'the App\'s origin was never asked');
});
