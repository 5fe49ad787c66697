// Starts the real Companion server binary on a free loopback port for a test
// file, and stops it afterwards.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startServer(env = {}) {
  // COMPANION_BIN is relative to browser/ (npm test's directory) or absolute.
  const bin = process.env.COMPANION_BIN ? path.resolve(repoRoot, 'browser', process.env.COMPANION_BIN) : path.join(repoRoot, 'bin', 'companion');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(bin, [], {
    cwd: repoRoot,
    // The suite signs in far more often than one person could from one
    // address; the sign-in rate limit has its own Go tests.
    env: { ...process.env, ADDR: '127.0.0.1', PORT: String(port), METRICS_ADDR: '', PUBLIC_URL: url, LOG_LEVEL: 'warn', RATE_LIMIT_SIGNIN: '10000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 20000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`companion exited with ${child.exitCode} (run \`make build\` first?):\n${output}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`companion did not become healthy in 20s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
