// Companion's offline copies, for the WebAssembly app (app/ui/offline.go):
// the state of the last-seen appointments, prescriptions and record
// summary, kept so a person who goes offline can still read them.
//
// Each copy is encrypted with AES-GCM under a key made for the person and
// the profile in use (their scope), generated non-extractable by WebCrypto
// and held in IndexedDB beside the copies; the scope and the page's address
// are bound to each copy as additional data. wipe deletes the whole
// database: the app calls it at sign-out, at timeout and whenever the
// server says the session has ended. Nothing is kept anywhere else.
(() => {
  'use strict';
  const DB = 'companion-offline';
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  let chain = Promise.resolve();
  // run runs f after every earlier operation, so a key is made once.
  const run = (f) => { const p = chain.then(f); chain = p.catch(() => {}); return p; };
  const done = (r) => new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const open = () => new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => { r.result.createObjectStore('keys'); r.result.createObjectStore('pages'); };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const store = (db, name, mode = 'readonly') => db.transaction(name, mode).objectStore(name);
  async function keyFor(db, scope, make) {
    let key = await done(store(db, 'keys').get(scope));
    if (!key && make) {
      key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
      await done(store(db, 'keys', 'readwrite').put(key, scope));
    }
    return key;
  }
  async function withDB(f) {
    const db = await open();
    try { return await f(db); } finally { db.close(); }
  }
  // save keeps json, the state of the page at target, for scope.
  const save = (scope, target, json) => run(() => withDB(async (db) => {
    const key = await keyFor(db, scope, true);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: enc.encode(`${scope}|${target}`) }, key, enc.encode(json));
    await done(store(db, 'pages', 'readwrite').put({ iv, data, at: Date.now() }, `${scope}|${target}`));
  }));
  // load is the copy of the page at target kept for scope, as
  // {json, at}, or null.
  const load = (scope, target) => run(() => withDB(async (db) => {
    const key = await keyFor(db, scope, false);
    const kept = await done(store(db, 'pages').get(`${scope}|${target}`));
    if (!key || !kept) return null;
    try {
      const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: kept.iv, additionalData: enc.encode(`${scope}|${target}`) }, key, kept.data);
      return { json: dec.decode(plain), at: kept.at };
    } catch {
      return null;
    }
  }));
  // wipe deletes every copy and every key.
  const wipe = () => run(() => new Promise((resolve) => {
    const r = indexedDB.deleteDatabase(DB);
    r.onsuccess = r.onerror = r.onblocked = () => resolve();
  }));
  window.companionOffline = { save, load, wipe };
})();
