// check.mjs reads an iCalendar file (RFC 5545) with ical.js, which shares no
// code with Companion's Go writer, and prints what it understood as JSON:
// the calendar's METHOD, and each event's UID, SEQUENCE, SUMMARY, LOCATION,
// DESCRIPTION, start and end (UTC, ISO 8601), ORGANIZER and alarm triggers.
// Any parse error exits 1.
//
// Usage: node check.mjs < file.ics
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';

const text = readFileSync(0, 'utf8');
let cal;
try {
  cal = new ICAL.Component(ICAL.parse(text));
} catch (err) {
  console.error(`ical.js: ${err.message}`);
  process.exit(1);
}
const utc = (t) => t && t.convertToZone(ICAL.Timezone.utcTimezone).toString();
const events = cal.getAllSubcomponents('vevent').map((v) => {
  const e = new ICAL.Event(v);
  return {
    uid: e.uid,
    sequence: e.sequence,
    summary: e.summary,
    location: e.location,
    description: e.description,
    start: utc(e.startDate),
    end: utc(e.endDate),
    organizer: v.getFirstPropertyValue('organizer') || '',
    alarms: v.getAllSubcomponents('valarm').map((a) => String(a.getFirstPropertyValue('trigger'))),
  };
});
console.log(JSON.stringify({ method: cal.getFirstPropertyValue('method') || '', events }));
