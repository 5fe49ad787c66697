"""check.py reads an iCalendar file (RFC 5545) with python-icalendar, which
shares no code with Companion's Go writer, and prints what it understood as
JSON, in the same shape as check.mjs. Any parse error exits 1.

Usage: python3 check.py < file.ics
"""
import json
import sys

import icalendar


def utc(prop):
    if prop is None:
        return None
    return prop.dt.astimezone(__import__("datetime").timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    try:
        cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
    except ValueError as err:
        print("python-icalendar:", err, file=sys.stderr)
        sys.exit(1)
    events = []
    for ev in cal.walk("VEVENT"):
        events.append({
            "uid": str(ev.get("UID")),
            "sequence": int(ev.get("SEQUENCE", 0)),
            "summary": str(ev.get("SUMMARY")),
            "location": str(ev.get("LOCATION")),
            "description": str(ev.get("DESCRIPTION")),
            "start": utc(ev.get("DTSTART")),
            "end": utc(ev.get("DTEND")),
            "organizer": str(ev.get("ORGANIZER", "")),
            "alarms": [a.get("TRIGGER").to_ical().decode() for a in ev.walk("VALARM")],
        })
    print(json.dumps({"method": str(cal.get("METHOD", "")), "events": events}))


main()
