// validate.mjs checks a FHIR R4 resource (Companion's record export, a
// Bundle) with an implementation that shares no code with the Go exporter:
// the `fhir` package's validator, which walks the R4 structure definitions
// (element names, types, cardinality, required value-set bindings, reference
// target types). It adds the rules that validator leaves loose: primitive
// formats matched whole (its own patterns are unanchored) and JSON's ban on
// empty strings, objects and arrays and on null.
//
// Usage: node validate.mjs [--verbose] [file|-]   (stdin when no file)
// Exit status: 0 valid, 1 invalid (errors on stderr), 2 unusable input.

import { readFileSync } from 'node:fs';
import fhirPkg from 'fhir';

const { Fhir } = fhirPkg;

const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const files = args.filter((a) => a !== '--verbose');
if (files.length > 1) {
  console.error('usage: node validate.mjs [--verbose] [file|-]');
  process.exit(2);
}
const file = files[0] ?? '-';

let resource;
try {
  resource = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
} catch (err) {
  console.error(`validate: cannot read JSON from ${file === '-' ? 'stdin' : file}: ${err.message}`);
  process.exit(2);
}

// The R4 specification's regular expressions, anchored (§2.24.0.1).
const yyyy = '([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)';
const tz = '(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))';
const hms = '([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?';
const formats = {
  date: new RegExp(`^${yyyy}(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?$`),
  dateTime: new RegExp(`^${yyyy}(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T${hms}${tz})?)?)?$`),
  instant: new RegExp(`^${yyyy}-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T${hms}${tz}$`),
  time: new RegExp(`^${hms}$`),
  id: /^[A-Za-z0-9\-.]{1,64}$/,
  code: /^[^\s]+( [^\s]+)*$/,
  uri: /^\S*$/,
  url: /^\S*$/,
  canonical: /^\S*$/,
  oid: /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/,
  uuid: /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  base64Binary: /^(\s*([0-9a-zA-Z+/=]){4}\s*)+$/,
  decimal: /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/,
  integer: /^-?([0]|([1-9][0-9]*))$/,
  positiveInt: /^[1-9][0-9]*$/,
  unsignedInt: /^(0|[1-9][0-9]*)$/,
};

const extra = [];
const strict = (res, property, where, value) => {
  const re = formats[property._type];
  if (!re) return [];
  const out = [];
  for (const v of Array.isArray(value) ? value : [value]) {
    const s = typeof v === 'number' ? String(v) : v;
    if (typeof s === 'string' && !re.test(s)) {
      out.push({ location: where, severity: 'error', message: `Invalid ${property._type} "${s}"` });
    }
  }
  extra.push(...out);
  return out;
};

// JSON-level rules the structure walk does not see (§2.6.2).
const walk = (v, where) => {
  if (v === null) {
    extra.push({ location: where, severity: 'error', message: 'null is not allowed' });
  } else if (typeof v === 'string') {
    if (v.trim() === '') extra.push({ location: where, severity: 'error', message: 'empty string' });
  } else if (Array.isArray(v)) {
    if (v.length === 0) extra.push({ location: where, severity: 'error', message: 'empty array' });
    v.forEach((x, i) => walk(x, `${where}[${i}]`));
  } else if (typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 0) extra.push({ location: where, severity: 'error', message: 'empty object' });
    for (const k of keys) walk(v[k], where ? `${where}.${k}` : k);
  }
};
walk(resource, '');

const result = new Fhir().validate(resource, {
  errorOnUnexpected: true,
  onBeforeValidateProperty: strict,
});

// The hook's messages are already in result.messages; the walk's are not.
const messages = [...result.messages, ...extra.filter((m) => !result.messages.includes(m))];
const bad = messages.filter((m) => m.severity === 'error' || m.severity === 'fatal');
const show = (m) => `${m.severity}: ${m.location || '(root)'}${m.resourceId ? ` [${m.resourceId}]` : ''}: ${m.message}`;
if (verbose) {
  for (const m of messages.filter((m) => !bad.includes(m))) console.error(show(m));
}
if (bad.length > 0 || !result.valid) {
  for (const m of bad) console.error(show(m));
  console.error(`validate: invalid (${bad.length} error${bad.length === 1 ? '' : 's'})`);
  process.exit(1);
}
console.log(`validate: valid ${resource.resourceType}${Array.isArray(resource.entry) ? ` (${resource.entry.length} entries)` : ''}`);
