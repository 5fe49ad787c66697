// One real server and one browser per test file, started before its tests
// and stopped after them.
import { before, after } from 'node:test';
import { startServer } from './server.mjs';
import { launch } from './browser.mjs';

export function suite(env = {}) {
  const s = { server: null, browser: null };
  before(async () => {
    s.server = await startServer(env);
    s.browser = await launch();
  });
  after(async () => {
    await s.browser?.close();
    await s.server?.stop();
  });
  return s;
}
