// make bench-web: Lighthouse (mobile profile, simulated throttling) on
// Companion's pages beside a go-app hello world built in this same run (the
// floor), using Debian's chromium. Prints FCP, LCP, TBT, CLS, total transfer,
// JavaScript and app.wasm transfer (median of 3 runs) and Companion's ratio
// to the floor; then the time from a click on "Appointments" to the list
// being drawn, in the app against a full server page load (clicks.mjs).
//
// Usage: node bench-web.mjs [extra Companion paths...]; "/" and the signed-in
// home and appointments pages are always measured.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { startServer, repoRoot } from '../../browser/lib/server.mjs';
import { clickToList, takeover } from './clicks.mjs';

const RUNS = 3;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

async function freePortServer(cmd, args, opts, url) {
  const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'inherit', 'inherit'] });
  for (let i = 0; i < 200; i++) {
    try { if ((await fetch(url)).ok) return child; } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill();
  throw new Error(`${cmd} did not start`);
}

// buildFloor builds the go-app hello world and serves it with go-app's Handler.
async function startFloor() {
  const dir = mkdtempSync(path.join(tmpdir(), 'companion-floor-'));
  mkdirSync(path.join(dir, 'web'));
  const env = { ...process.env, GOOS: 'js', GOARCH: 'wasm' };
  execFileSync('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', path.join(dir, 'web', 'app.wasm'), './cmd/benchhello/wasm'], { cwd: repoRoot, env, stdio: 'inherit' });
  execFileSync('go', ['build', '-o', path.join(dir, 'hello-server'), './cmd/benchhello/server'], { cwd: repoRoot, stdio: 'inherit' });
  cpSync(path.join(repoRoot, 'web', 'icons', 'icon-192.png'), path.join(dir, 'web', 'icon.png'));
  cpSync(path.join(repoRoot, 'web', 'icons', 'icon.svg'), path.join(dir, 'web', 'icon.svg'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const url = `http://127.0.0.1:${port}`;
  const child = await freePortServer(path.join(dir, 'hello-server'), [], { cwd: dir, env: { ...process.env, ADDR: '127.0.0.1', PORT: String(port) } }, url + '/');
  return { url, stop: () => { child.kill(); rmSync(dir, { recursive: true, force: true }); } };
}

// sessionCookie signs in through the sandbox NHS login, carrying every
// cookie along the way as a browser would, and returns the session cookie.
async function sessionCookie(base, nhsNumber) {
  let url = `${base}/auth/login?login_hint=${nhsNumber}`;
  const jar = new Map();
  for (let i = 0; i < 10; i++) {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { redirect: 'manual', headers: cookie ? { Cookie: cookie } : {} });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      if (value === '' || attrs.some((a) => /max-age=(0|-)/i.test(a.trim()))) jar.delete(name); else jar.set(name, value);
    }
    const loc = res.headers.get('location');
    if (!loc) break;
    url = new URL(loc, url).toString();
  }
  if (!jar.has('companion')) throw new Error('sign-in gave no session cookie');
  return `companion=${jar.get('companion')}`;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(port, url, headers) {
  const rows = [];
  for (let i = 0; i < RUNS; i++) {
    const result = await lighthouse(url, { port, output: 'json', logLevel: 'error', onlyCategories: ['performance'], extraHeaders: headers });
    const a = result.lhr.audits;
    if (result.lhr.runtimeError) throw new Error(`${url}: ${result.lhr.runtimeError.message}`);
    const requests = a['network-requests'].details?.items ?? [];
    const sum = (match) => requests.filter((r) => match(new URL(r.url).pathname)).reduce((s, r) => s + (r.transferSize ?? 0), 0);
    const wasm = sum((p) => p.endsWith('.wasm'));
    const js = sum((p) => p.endsWith('.js'));
    rows.push({
      fcp: a['first-contentful-paint'].numericValue,
      lcp: a['largest-contentful-paint'].numericValue,
      tbt: a['total-blocking-time'].numericValue,
      cls: a['cumulative-layout-shift'].numericValue,
      total: a['total-byte-weight'].numericValue,
      js,
      wasm,
    });
  }
  const out = {};
  for (const k of Object.keys(rows[0])) out[k] = median(rows.map((r) => r[k]));
  return out;
}

const fmt = (r) => [
  `${r.fcp.toFixed(0)}`.padStart(7), `${r.lcp.toFixed(0)}`.padStart(7), `${r.tbt.toFixed(0)}`.padStart(6),
  r.cls.toFixed(3).padStart(6), `${(r.total / 1024).toFixed(0)}`.padStart(8), `${(r.js / 1024).toFixed(0)}`.padStart(6), `${(r.wasm / 1024).toFixed(0)}`.padStart(8),
].join(' ');
const ratio = (a, b) => (b === 0 ? (a === 0 ? '1.00' : 'n/a') : (a / b).toFixed(2));

const floor = await startFloor();
const companion = await startServer();
const chrome = await chromeLauncher.launch({
  chromePath: CHROMIUM,
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const cookie = await sessionCookie(companion.url, '9990000018');
  const targets = [
    { name: 'floor: go-app hello', url: floor.url + '/' },
    { name: 'Companion /', url: companion.url + '/' },
    { name: 'Companion / (Amara)', url: companion.url + '/', headers: { Cookie: cookie } },
    { name: 'Companion /appointments (Amara)', url: companion.url + '/appointments', headers: { Cookie: cookie } },
    ...process.argv.slice(2).map((p) => ({ name: `Companion ${p} (Amara)`, url: companion.url + p, headers: { Cookie: cookie } })),
  ];
  const results = [];
  for (const t of targets) results.push({ ...t, r: await measure(chrome.port, t.url, t.headers) });
  const base = results[0].r;
  console.log(`Lighthouse 12, mobile profile (simulated slow 4G, 4x CPU slowdown), median of ${RUNS}; Debian chromium`);
  console.log(`${'page'.padEnd(32)}  FCP ms  LCP ms TBT ms    CLS total KB  JS KB  wasm KB`);
  for (const x of results) console.log(`${x.name.padEnd(32)} ${fmt(x.r)}`);
  console.log('\nratio to the floor (Companion ÷ hello world):');
  for (const x of results.slice(1)) {
    console.log(`${x.name.padEnd(32)}  FCP ${ratio(x.r.fcp, base.fcp)}  LCP ${ratio(x.r.lcp, base.lcp)}  TBT ${ratio(x.r.tbt, base.tbt)}  total ${ratio(x.r.total, base.total)}  JS ${ratio(x.r.js, base.js)}  wasm ${ratio(x.r.wasm, base.wasm)}`);
  }
  const clicks = await clickToList(companion.url);
  console.log(`\nclick on "Appointments" on the signed-in home page to the list drawn, median of ${clicks.runs} (slow 4G, 4x CPU):`);
  console.log(`  in the app (no document request)   ${clicks.app.toFixed(0).padStart(6)} ms`);
  console.log(`  full server page load (no wasm)    ${clicks.server.toFixed(0).padStart(6)} ms`);
  console.log(`  ratio (app ÷ server page)          ${(clicks.app / clicks.server).toFixed(2)}`);
  const t = await takeover(companion.url);
  console.log(`\napp.wasm instantiated to the page taken over, signed-in home, 4x CPU, median of ${t.runs}: ${t.ms.toFixed(0)} ms (${(t.ms / 16.7).toFixed(1)} frames at 60 Hz)`);
} finally {
  await chrome.kill();
  await companion.stop();
  floor.stop();
}
