// Launches Debian's chromium (never a downloaded browser) through
// playwright-core, with the flags this machine needs.
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { repoRoot } from './server.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export async function launch() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian chromium (apt-get install chromium), or run \`make test\`, which does`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      // playwright gives each launch a fresh, empty profile of its own.
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

// A page that records every request and console error, so tests can prove
// nothing leaves the machine and nothing broke.
export async function newPage(browser, { width = 390, height = 844, locale = 'en-GB' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale });
  return watchedPage(context);
}

// watchedPage opens a page in an existing context, recording as newPage's do.
export async function watchedPage(context) {
  const page = await context.newPage();
  page.requests = [];
  page.errors = [];
  page.on('request', (r) => page.requests.push(r.url()));
  page.on('pageerror', (e) => page.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(`console: ${m.text()}`); });
  return page;
}

export function externalRequests(page) {
  return page.requests.filter((u) => {
    if (u.startsWith('data:') || u.startsWith('blob:')) return false;
    const { hostname } = new URL(u);
    return hostname !== '127.0.0.1' && hostname !== 'localhost';
  });
}

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

// axe-core at WCAG 2.2 A/AA; returns readable violations (empty when clean).
export async function axe(page) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return results.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`);
}

const shots = path.join(repoRoot, 'browser', 'screenshots');
export async function screenshot(page, name) {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}
