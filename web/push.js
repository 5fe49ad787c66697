// Companion's Web Push on this device, for the WebAssembly app
// (app/ui/notifysettings.go): turning pushes on subscribes this browser
// with the push service its maker runs (Companion's VAPID key as the
// application server key) and gives the subscription to Companion, bound
// to the signed-in person; turning them off does the reverse. Each call
// resolves to a plain answer, never rejects: "on", "off", "denied" (the
// person or the browser refused notifications), "unsupported" or
// "failed".
(() => {
  'use strict';
  const supported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  const key = (b64) => {
    const s = atob(b64.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (b64.length % 4)) % 4));
    return Uint8Array.from(s, (c) => c.charCodeAt(0));
  };
  const send = (method, body) => fetch('/api/v1/push/subscriptions', {
    method, credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const current = async () => (await navigator.serviceWorker.ready).pushManager.getSubscription();

  window.companionPush = {
    async state() {
      if (!supported()) return 'unsupported';
      if (Notification.permission === 'denied') return 'denied';
      try { return (await current()) ? 'on' : 'off'; } catch { return 'failed'; }
    },
    async on(applicationServerKey) {
      if (!supported()) return 'unsupported';
      try {
        if ((await Notification.requestPermission()) !== 'granted') return 'denied';
        const reg = await navigator.serviceWorker.ready;
        const sub = (await reg.pushManager.getSubscription()) ||
          (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(applicationServerKey) }));
        return (await send('POST', sub.toJSON())).ok ? 'on' : 'failed';
      } catch { return 'failed'; }
    },
    async off() {
      if (!supported()) return 'unsupported';
      try {
        const sub = await current();
        if (!sub) return 'off';
        const res = await send('DELETE', { endpoint: sub.endpoint });
        await sub.unsubscribe();
        return res.ok ? 'off' : 'failed';
      } catch { return 'failed'; }
    },
  };
})();
