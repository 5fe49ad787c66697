// Every page Companion serves, for the browser suite. Later features add
// their pages here; each is opened with and without WebAssembly, checked with
// axe, by keyboard, and photographed.
//
//   path       what to open
//   signIn     sign in first: a patient's NHS number, or "staff:<id>"
//   status     expected HTTP status (200)
//   serverOnly the page never loads the WebAssembly app
//   lands      the path the browser ends on, if it is redirected
//   actFor     after signing in, switch to this linked profile (given name)
export const pages = [
  { name: 'home', path: '/' },
  { name: 'help', path: '/help' },
  { name: 'accessibility', path: '/accessibility' },
  { name: 'signed-out', path: '/signed-out' },
  { name: 'not-found', path: '/no-such-page', status: 404 },
  { name: 'home-signed-in', path: '/', signIn: '9990000018' },
  { name: 'home-p5', path: '/', signIn: '9990000069' },
  { name: 'home-rhys', path: '/', signIn: '9990000050' },
  { name: 'settings', path: '/settings', signIn: '9990000018' },
  { name: 'notification-settings', path: '/settings/notifications', signIn: '9990000018' },
  { name: 'profiles', path: '/profiles', signIn: '9990000018' },
  { name: 'activity', path: '/activity', signIn: '9990000018' },
  { name: 'appointments', path: '/appointments', signIn: '9990000018' },
  { name: 'book-type', path: '/appointments/book', signIn: '9990000018' },
  { name: 'book-day', path: '/appointments/book?type=nurse', signIn: '9990000018' },
  { name: 'appointments-for-george', path: '/appointments', signIn: '9990000034', actFor: 'George' },
  { name: 'record', path: '/record', signIn: '9990000018' },
  { name: 'record-allergies', path: '/record/allergies', signIn: '9990000018' },
  { name: 'record-results', path: '/record/results', signIn: '9990000018' },
  { name: 'record-consultations', path: '/record/consultations', signIn: '9990000018' },
  { name: 'record-documents', path: '/record/documents', signIn: '9990000018' },
  { name: 'record-print', path: '/record/print', signIn: '9990000018' },
  { name: 'record-for-layla', path: '/record', signIn: '9990000018', actFor: 'Layla' },
  { name: 'record-refused-for-george', path: '/record', signIn: '9990000034', actFor: 'George', status: 403 },
  { name: 'record-p5', path: '/record', signIn: '9990000069', status: 403 },
  { name: 'prescriptions', path: '/prescriptions', signIn: '9990000018' },
  { name: 'prescriptions-order', path: '/prescriptions/order', signIn: '9990000018' },
  { name: 'prescriptions-pharmacy-search', path: '/prescriptions/pharmacy?q=LS1', signIn: '9990000018' },
  { name: 'prescriptions-for-george', path: '/prescriptions', signIn: '9990000034', actFor: 'George' },
  { name: 'prescriptions-p5', path: '/prescriptions', signIn: '9990000069', status: 403 },
  { name: 'contact', path: '/contact', signIn: '9990000018' },
  { name: 'contact-for-george', path: '/contact', signIn: '9990000034', actFor: 'George' },
  { name: 'messages', path: '/messages', signIn: '9990000018' },
  { name: 'messages-for-george', path: '/messages', signIn: '9990000034', actFor: 'George' },
  { name: 'messages-p5', path: '/messages', signIn: '9990000069', status: 403 },
  { name: 'monitoring', path: '/monitoring', signIn: '9990000018' },
  { name: 'monitoring-blood-pressure', path: '/monitoring/blood_pressure', signIn: '9990000018' },
  { name: 'monitoring-for-george', path: '/monitoring', signIn: '9990000034', actFor: 'George' },
  { name: 'monitoring-refused-for-layla', path: '/monitoring', signIn: '9990000018', actFor: 'Layla', status: 403 },
  { name: 'home-acting-for-layla', path: '/', signIn: '9990000018', actFor: 'Layla' },
  { name: 'profiles-acting-for-george', path: '/profiles', signIn: '9990000034', actFor: 'George' },
  { name: 'sign-in-picker', path: '/auth/login', serverOnly: true, lands: '/sandbox-login/authorize' },
  { name: 'admin', path: '/admin', signIn: 'staff:staff-national', serverOnly: true },
  { name: 'admin-site', path: '/admin', signIn: 'staff:staff-site-z00002', serverOnly: true },
  { name: 'admin-inbox', path: '/admin/inbox', signIn: 'staff:staff-site-z00001', serverOnly: true },
  { name: 'admin-messages', path: '/admin/messages', signIn: 'staff:staff-msg-z00001', serverOnly: true },
  { name: 'admin-monitoring', path: '/admin/monitoring', signIn: 'staff:staff-site-z00001', serverOnly: true },
];

export async function signIn(page, base, who) {
  const url = who.startsWith('staff:')
    ? `${base}/staff/login?login_hint=${who.slice(6)}`
    : `${base}/auth/login?login_hint=${who}`;
  const res = await page.goto(url);
  if (!res.ok()) throw new Error(`sign-in as ${who} answered ${res.status()}`);
}

// actFor switches to a linked profile the way a person does: the profiles
// page, then that person's "Switch to" button.
export async function actFor(page, base, name) {
  await page.goto(`${base}/profiles?wasm=false`);
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/'),
    page.locator(`[data-profile="${name}"] form button`).click(),
  ]);
  // ?wasm=false is remembered for the browser session: forget it, so the
  // pages after come as the test asks for them.
  await page.context().clearCookies({ name: 'wasm' });
}

// sendMessage has the pilot practice's messaging clerk send a message to
// Amara, as staff do through the API; it returns the sent message.
export async function sendMessage(browser, base, subject, body) {
  const staff = await browser.newPage();
  try {
    await signIn(staff, base, 'staff:staff-msg-z00001');
    return await staff.evaluate(async ([b, m]) => {
      const r = await fetch(`${b}/api/v1/admin/practices/Z00001/messages`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ nhs_number: '9990000018', ...m }),
      });
      return r.json();
    }, [base, { subject, body }]);
  } finally {
    await staff.context().close();
  }
}
