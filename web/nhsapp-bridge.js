// Companion's bridge to the NHS App's JavaScript API (nhsapp.js, v2),
// loaded only by pages inside the NHS App, after nhsapp.js. Inside the
// App's web view plain downloads, calendar files and links that leave the
// service do not work, so the bridge hands them to the App:
//
//   - a link marked data-nhsapp-home: navigation.goToHomePage();
//   - the page's back link: navigation.setBackAction, so the App's own back
//     button (Android's, iOS's swipe) goes back within Companion's flow;
//   - a link marked data-nhsapp-calendar (an .ics file):
//     storage.addEventToCalendar with the event read from the file;
//   - a link with a download attribute, or marked data-nhsapp-download:
//     storage.downloadFromBytes with the file's bytes;
//   - a link to another origin: navigation.openExternalBrowser;
//   - an element marked data-nhsapp-go-home (a session that timed out):
//     straight back to the App's home page.
//
// Every call has a fallback: when nhsapp.js did not load, says the page is
// not open in the App, lacks the function or throws, the link does what it
// would do anywhere else. Clicks
// are caught on the window in the capture phase, so the bridge decides
// before the WebAssembly app's own link handling does.
(function () {
  'use strict';

  // The bridge works only where the App says it is open (in its web view):
  // a page styled for the App in an ordinary browser keeps plain links.
  function inApp() {
    try {
      return !!(window.nhsapp && window.nhsapp.tools && window.nhsapp.tools.isOpenInNHSApp());
    } catch (e) {
      return false;
    }
  }

  function api(path) {
    if (!inApp()) return null;
    var o = window.nhsapp;
    var parts = path.split('.');
    for (var i = 0; o && i < parts.length; i++) o = o[parts[i]];
    return typeof o === 'function' ? o : null;
  }

  // call runs the App's function at path with args, and reports whether it
  // ran without throwing.
  function call(path, args) {
    var fn = api(path);
    if (!fn) return false;
    var owner = window.nhsapp[path.split('.')[0]];
    try {
      fn.apply(owner, args || []);
      return true;
    } catch (e) {
      return false;
    }
  }

  function follow(a) {
    window.location.assign(a.href);
  }

  // fetchFile reads a same-origin link's file with the session's cookie.
  function fetchFile(href) {
    return fetch(href, { credentials: 'same-origin' }).then(function (res) {
      if (!res.ok) throw new Error('HTTP ' + res.status);
      return res.blob().then(function (blob) {
        return { blob: blob, disposition: res.headers.get('Content-Disposition') || '' };
      });
    });
  }

  function base64(blob) {
    return new Promise(function (resolve, reject) {
      var r = new FileReader();
      r.onload = function () {
        var s = String(r.result);
        resolve(s.slice(s.indexOf(',') + 1));
      };
      r.onerror = function () { reject(r.error); };
      r.readAsDataURL(blob);
    });
  }

  function fileName(a, disposition) {
    var named = a.getAttribute('data-nhsapp-download') || a.getAttribute('download');
    if (named) return named;
    var m = /(?:^|;)\s*filename="?([^";]+)"?\s*(?:;|$)/i.exec(disposition);
    if (m) return m[1];
    var path = new URL(a.href).pathname;
    return path.slice(path.lastIndexOf('/') + 1) || 'download';
  }

  function download(a) {
    if (!api('storage.downloadFromBytes')) return false;
    fetchFile(a.href).then(function (f) {
      return base64(f.blob).then(function (data) {
        var type = (f.blob.type || 'application/octet-stream').split(';')[0];
        if (!call('storage.downloadFromBytes', [data, fileName(a, f.disposition), type])) follow(a);
      });
    }).catch(function () { follow(a); });
    return true;
  }

  // icsEvent reads the first VEVENT of an iCalendar file (RFC 5545):
  // unfolded lines, text unescaped, UTC times as epoch seconds.
  function icsEvent(text) {
    var lines = text.replace(/\r?\n[ \t]/g, '').split(/\r?\n/);
    var ev = {};
    var depth = 0;
    var inEvent = false;
    lines.forEach(function (line) {
      if (line === 'BEGIN:VEVENT') { inEvent = true; return; }
      if (line === 'END:VEVENT') { inEvent = false; return; }
      if (!inEvent) return;
      if (line.indexOf('BEGIN:') === 0) { depth++; return; }
      if (line.indexOf('END:') === 0) { depth--; return; }
      if (depth > 0) return; // an alarm's own DESCRIPTION is not the event's
      var colon = line.indexOf(':');
      var name = line.slice(0, colon).split(';')[0];
      if (!(name in ev)) ev[name] = line.slice(colon + 1);
    });
    function unescape(s) {
      return (s || '').replace(/\\([\\;,nN])/g, function (_, c) { return c === 'n' || c === 'N' ? '\n' : c; });
    }
    function seconds(s) {
      var m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s || '');
      if (!m) return NaN;
      return Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
    }
    return {
      subject: unescape(ev.SUMMARY), body: unescape(ev.DESCRIPTION), location: unescape(ev.LOCATION),
      start: seconds(ev.DTSTART), end: seconds(ev.DTEND),
    };
  }

  function addToCalendar(a) {
    if (!api('storage.addEventToCalendar')) return false;
    fetchFile(a.href).then(function (f) { return f.blob.text(); }).then(function (text) {
      var ev = icsEvent(text);
      if (isNaN(ev.start) || isNaN(ev.end) ||
        !call('storage.addEventToCalendar', [ev.subject, ev.body, ev.location, ev.start, ev.end])) follow(a);
    }).catch(function () { follow(a); });
    return true;
  }

  window.addEventListener('click', function (e) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    var a = e.target && e.target.closest ? e.target.closest('a[href]') : null;
    if (!a) return;
    var handled = false;
    if (a.hasAttribute('data-nhsapp-home')) {
      handled = call('navigation.goToHomePage');
    } else if (a.origin !== window.location.origin && /^https?:$/.test(a.protocol)) {
      handled = call('navigation.openExternalBrowser', [a.href]);
    } else if (a.hasAttribute('data-nhsapp-calendar')) {
      handled = addToCalendar(a);
    } else if (a.hasAttribute('download') || a.hasAttribute('data-nhsapp-download')) {
      handled = download(a);
    }
    if (handled) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);

  // The App's back button follows the page's back link, when it has one;
  // otherwise the App decides. Kept in step as the WebAssembly app changes
  // the page.
  var back = null;
  function syncBack() {
    var link = document.querySelector('a.nhsuk-back-link, .nhsuk-back-link a');
    if (link === back) return;
    back = link;
    if (link) {
      call('navigation.setBackAction', [function () {
        var now = document.querySelector('a.nhsuk-back-link, .nhsuk-back-link a');
        if (now) now.click(); else window.history.back();
      }]);
    } else {
      call('navigation.clearBackAction');
    }
  }

  var wentHome = false;
  function goHomeIfAsked() {
    if (!wentHome && document.querySelector('[data-nhsapp-go-home]')) {
      wentHome = call('navigation.goToHomePage');
    }
  }

  function sync() {
    syncBack();
    goHomeIfAsked();
  }

  function start() {
    sync();
    new MutationObserver(sync).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
