// check.mjs reads one Web Push request Companion sent, as the device and
// the push service would, with code that shares nothing with Companion's:
// http_ece decrypts the body (aes128gcm, RFC 8188, keys as RFC 8291 says)
// with the device's private key and auth secret, and Node's crypto checks
// the VAPID token (RFC 8292): an ES256 JWT signed by the key in "k", for
// the push service's origin, expiring within a day, with a contact.
// It prints {"payload": …, "claims": …, "key": …} or exits 1 saying why.
//
// Usage: node check.mjs < request.json, where request.json is
// {"endpoint", "headers": {"authorization", "content-encoding", …},
//  "body" (base64), "private_key" (the device's, base64url raw P-256
//  scalar), "auth" (base64url)}.
import { readFileSync } from 'node:fs';
import { createECDH, createPublicKey, verify } from 'node:crypto';
import ece from 'http_ece';

const fail = (why) => { console.error(why); process.exit(1); };
const req = JSON.parse(readFileSync(0, 'utf8'));
const h = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
if (h['content-encoding'] !== 'aes128gcm') fail(`content-encoding ${h['content-encoding']}`);

const device = createECDH('prime256v1');
device.setPrivateKey(Buffer.from(req.private_key, 'base64url'));
let payload;
try {
  const plain = ece.decrypt(Buffer.from(req.body, 'base64'), {
    version: 'aes128gcm', privateKey: device, authSecret: req.auth,
  });
  payload = JSON.parse(plain.toString('utf8'));
} catch (err) {
  fail(`decrypt: ${err.message}`);
}

const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(h.authorization || '');
if (!m) fail(`authorization ${h.authorization}`);
const [token, k] = [m[1], m[2]];
const point = Buffer.from(k, 'base64url');
if (point.length !== 65 || point[0] !== 4) fail('k is not an uncompressed P-256 point');
const key = createPublicKey({ format: 'jwk', key: {
  kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url'),
} });
const [head, body, sig] = token.split('.');
const header = JSON.parse(Buffer.from(head, 'base64url').toString());
if (header.alg !== 'ES256') fail(`alg ${header.alg}`);
const ok = verify('sha256', Buffer.from(`${head}.${body}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'));
if (!ok) fail('VAPID signature does not verify');
const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
const origin = new URL(req.endpoint).origin;
if (claims.aud !== origin) fail(`aud ${claims.aud}, want ${origin}`);
const now = Date.now() / 1000;
if (!(claims.exp > now && claims.exp <= now + 24 * 3600)) fail(`exp ${claims.exp}`);
if (!/^(mailto:|https:)/.test(claims.sub || '')) fail(`sub ${claims.sub}`);
console.log(JSON.stringify({ payload, claims, key: k }));
