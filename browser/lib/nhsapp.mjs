// A stand-in for the NHS App around Companion in the browser tests. The
// real nhsapp.js is served only by the NHS App, so this serves one with
// the same API surface (v2: tools, navigation, storage) from its own
// origin, which records every call in window.nhsappCalls instead of
// talking to a native app; the back action it is given is kept in
// window.nhsappBack, to press the App's back button with.
import { createServer } from 'node:http';

// The App's web views add their name and version to the user agent.
export const iosApp = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 nhsapp-ios/2.40.0';
export const androidApp = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36 nhsapp-android/2.40.0';

const script = `(function () {
  var calls = window.nhsappCalls = [];
  function record(name) {
    return function () {
      var args = Array.prototype.slice.call(arguments);
      calls.push([name].concat(args.map(function (a) { return typeof a === 'function' ? 'function' : a; })));
      if (name === 'navigation.setBackAction') window.nhsappBack = args[0];
      if (name === 'navigation.clearBackAction') window.nhsappBack = null;
    };
  }
  window.nhsapp = {
    tools: {
      isOpenInNHSApp: function () { return navigator.userAgent.indexOf('nhsapp') !== -1; },
      getAppPlatform: function () { return /nhsapp-ios/.test(navigator.userAgent) ? 'ios' : /nhsapp-android/.test(navigator.userAgent) ? 'android' : 'none'; },
    },
    navigation: {
      AppPage: { HOME_PAGE: 'HOME_PAGE', SERVICES: 'SERVICES', YOUR_HEALTH: 'YOUR_HEALTH', MESSAGES: 'MESSAGES', UPLIFT: 'UPLIFT', ACCOUNT: 'ACCOUNT', GO_BACK: 'GO_BACK' },
      goToHomePage: record('navigation.goToHomePage'),
      goToPage: record('navigation.goToPage'),
      setBackAction: record('navigation.setBackAction'),
      clearBackAction: record('navigation.clearBackAction'),
      openBrowserOverlay: record('navigation.openBrowserOverlay'),
      openExternalBrowser: record('navigation.openExternalBrowser'),
    },
    storage: {
      addEventToCalendar: record('storage.addEventToCalendar'),
      downloadFromBytes: record('storage.downloadFromBytes'),
    },
  };
})();
`;

// startNHSApp serves the stand-in nhsapp.js; url is its address.
export function startNHSApp() {
  return new Promise((resolve, reject) => {
    const requests = [];
    const server = createServer((req, res) => {
      requests.push(req.url);
      if (req.url.split('?')[0] !== '/js/v2/nhsapp.js') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' }).end(script);
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const origin = `http://127.0.0.1:${server.address().port}`;
      resolve({ origin, url: `${origin}/js/v2/nhsapp.js`, requests, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

// calls are the NHS App calls the page has made, by name.
export async function calls(page, name) {
  return page.evaluate((n) => (window.nhsappCalls || []).filter((c) => c[0] === n), name);
}

// waitForCall waits for the page to make the named call and returns its
// arguments.
export async function waitForCall(page, name) {
  await page.waitForFunction((n) => (window.nhsappCalls || []).some((c) => c[0] === n), name, { timeout: 15000 });
  const all = await calls(page, name);
  return all[all.length - 1].slice(1);
}
