// The time from a click on "Appointments" on the signed-in home page to the
// appointments list being drawn: in the WebAssembly app (data fetched from
// /api/v1/pages, drawn in the page) against a full server page load of the
// same page without WebAssembly, in the same run, on the same throttled
// network and CPU (Lighthouse's mobile profile: 150 ms RTT, 1.6 Mbit/s
// down, 4x CPU slowdown). Median of RUNS, each in a new browser context.
import { launch } from '../../browser/lib/browser.mjs';

const RUNS = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function throttle(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
}

// once signs in, opens home (with the app, or without it), then times the
// click on the appointments link until the list is drawn.
async function once(browser, base, app) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  try {
    await page.goto(`${base}/auth/login?login_hint=9990000018`);
    await page.goto(`${base}/${app ? '' : '?wasm=false'}`);
    if (app) await page.waitForSelector('html[data-wasm=ready]', { timeout: 60000 });
    await throttle(page);
    let documents = 0;
    page.on('request', (r) => { if (r.resourceType() === 'document') documents++; });
    const start = performance.now();
    await page.click('#maincontent a[href="/appointments"]');
    await page.waitForFunction(() => location.pathname === '/appointments' && document.querySelector('#maincontent [data-appointment], #maincontent h2'), null, { polling: 'raf', timeout: 60000 });
    const ms = performance.now() - start;
    if (app !== (documents === 0)) throw new Error(`${app ? 'the app' : 'the server page'} made ${documents} document requests`);
    return ms;
  } finally {
    await context.close();
  }
}

// clickToList measures both ways and returns their medians in ms.
export async function clickToList(base) {
  const browser = await launch();
  try {
    const app = [], server = [];
    for (let i = 0; i < RUNS; i++) {
      app.push(await once(browser, base, true));
      server.push(await once(browser, base, false));
    }
    return { runs: RUNS, app: median(app), server: median(server) };
  } finally {
    await browser.close();
  }
}

// takeover measures, on the signed-in home page, the time from the moment
// app.wasm's instantiation resolves to the app having taken the page over
// (<html data-wasm=ready>), at 4x CPU slowdown: median of RUNS, in ms.
export async function takeover(base) {
  const browser = await launch();
  try {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      try {
        await page.goto(`${base}/auth/login?login_hint=9990000018`);
        await page.addInitScript(() => {
          const mark = (p) => p.then((r) => { window.companionInstantiated = performance.now(); return r; });
          const is = WebAssembly.instantiateStreaming, i = WebAssembly.instantiate;
          if (is) WebAssembly.instantiateStreaming = (...a) => mark(is.apply(WebAssembly, a));
          WebAssembly.instantiate = (...a) => mark(i.apply(WebAssembly, a));
          new MutationObserver(() => {
            if (document.documentElement?.dataset.wasm === 'ready' && !window.companionReady) window.companionReady = performance.now();
          }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-wasm'] });
        });
        const cdp = await context.newCDPSession(page);
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
        await page.goto(base + '/');
        await page.waitForSelector('html[data-wasm=ready]', { timeout: 60000 });
        const got = await page.evaluate(() => [window.companionInstantiated, window.companionReady]);
        if (!got[0] || !got[1]) throw new Error(`takeover not timed: ${got}`);
        runs.push(await page.evaluate(() => window.companionReady - window.companionInstantiated));
      } finally {
        await context.close();
      }
    }
    return { runs: RUNS, ms: median(runs) };
  } finally {
    await browser.close();
  }
}
