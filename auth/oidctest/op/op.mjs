// A real OpenID Provider (oidc-provider 9) configured the way NHS login
// behaves towards a relying party, for Companion's integration tests (the Go
// package ../ starts it; see oidctest.go):
//
//   - authorization code flow only, query response mode, `state`, `nonce` and
//     PKCE S256 required, the redirect_uri always sent;
//   - client authentication private_key_jwt only (RS512 assertions);
//   - ID tokens signed RS512 only, carrying `vot` (the account's configured
//     vector of trust, whatever `vtr` asked for, so relying parties' checks
//     are exercised) and `vtm`;
//   - NHS login's scopes and claims, and its `vtr` parameter; NHS CIS2's
//     too (nationalrbacaccess, selectedrole, nhsperson, assurance levels),
//     so the same provider stands in for staff sign-in;
//   - back-channel logout, triggered by tests through a test-only endpoint;
//   - single sign-on from the NHS App (cfg.nhsapp): an authorization request
//     carrying asserted_login_identity, a JWT the App signed (RS512, iss the
//     App's client ID, iat, jti, an exp at most 60 s on) whose code names
//     one of the App's sessions, signs that session's account in with no
//     UI even under prompt=none, once per jti; a session whose person will
//     not share their details answers access_denied, ConsentNotGiven, as
//     NHS login does. An assertion that fails any check is ignored, so
//     prompt=none with nobody signed in answers login_required.
//
// Sign-in completes with no UI: the account is the authorization request's
// `test_account` parameter (which also ends any provider session held for
// someone else), or the configured default account.
//
// Configuration (JSON) comes from the OP_CONFIG environment variable or a file
// named by the first argument. Prints exactly one line, "READY <issuer>", on
// stdout once listening; everything else (oidc-provider's warnings, errors)
// goes to stderr. With OP_EXIT_ON_STDIN_EOF=1 it exits when stdin closes, so
// it never outlives the test process that started it.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { createPublicKey, verify } from 'node:crypto';
import Provider, { errors } from 'oidc-provider';

const cfg = JSON.parse(process.argv[2] ? readFileSync(process.argv[2], 'utf8') : process.env.OP_CONFIG);
const accounts = cfg.accounts || {};
const issuerPath = (cfg.issuer_path || '').replace(/\/$/, '');

// The vectors of trust NHS login accepts in `vtr`: identity proofing level
// P0, P5 or P9, each with its authentication components.
const knownVectors = new Set(['P0', 'P5', 'P9'].flatMap((p) => [`${p}.Cp.Cd`, `${p}.Cp.Ck`, `${p}.Cm`]));

const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(cfg.port || 0, '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}${issuerPath}`;

const provider = new Provider(issuer, {
  clients: cfg.clients.map((c) => ({
    client_id: c.client_id,
    redirect_uris: c.redirect_uris || [],
    // A backend client (SMART Backend Services) has no browser flow.
    response_types: (c.grant_types || ['authorization_code']).includes('authorization_code') ? ['code'] : [],
    grant_types: c.grant_types || ['authorization_code'],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: c.auth_alg || 'RS512',
    ...(c.scope ? { scope: c.scope } : {}),
    id_token_signed_response_alg: 'RS512',
    jwks: c.jwks,
    ...(c.backchannel_logout_uri ? { backchannel_logout_uri: c.backchannel_logout_uri } : {}),
  })),
  clientAuthMethods: ['private_key_jwt'],
  jwks: { keys: [cfg.signing_jwk] },
  enabledJWA: {
    idTokenSigningAlgValues: ['RS512'],
    // NHS login takes RS512 only; a provider also serving backend clients
    // (SMART Backend Services, cfg.backend) takes RS384 too.
    clientAuthSigningAlgValues: cfg.backend ? ['RS512', 'RS384'] : ['RS512'],
  },
  responseTypes: ['code'],
  pkce: { required: () => true },
  allowOmittingSingleRegisteredRedirectUri: false,
  scopes: ['openid', 'profile', 'gp_registration_details', 'email', 'system/*.read', 'system/*.write',
    'nationalrbacaccess', 'selectedrole', 'nhsperson'],
  // NHS login's scopes and claims, and NHS CIS2's (an account has one
  // kind or the other): CIS2 puts the assurance levels in the ID token,
  // the National RBAC roles under nationalrbacaccess and the role chosen
  // at sign-in under selectedrole.
  claims: {
    openid: ['sub', 'vot', 'vtm', 'authentication_assurance_level', 'id_assurance_level'],
    profile: ['family_name', 'given_name', 'birthdate', 'nhs_number', 'identity_proofing_level', 'name'],
    gp_registration_details: ['gp_registration_details'],
    email: ['email', 'email_verified'],
    nationalrbacaccess: ['nhsid_nrbac_roles'],
    selectedrole: ['selected_roleid'],
    nhsperson: ['nhsid_useruid'],
  },
  // ID tokens carry the granted scopes' claims too, not only sub and vot.
  conformIdTokenClaims: false,
  extraParams: {
    // Validators run for every authorization request, whether or not the
    // parameter is present; vtr's also enforces what NHS login requires of
    // every request. Errors go back to the redirect_uri as invalid_request.
    vtr(ctx, value) {
      const { params } = ctx.oidc;
      if (!params.state) throw new errors.InvalidRequest('state is required');
      if (!params.nonce) throw new errors.InvalidRequest('nonce is required');
      if (params.response_mode && params.response_mode !== 'query') {
        throw new errors.InvalidRequest('only response_mode=query is supported');
      }
      if (value === undefined) return;
      let vtr;
      try {
        vtr = JSON.parse(value);
      } catch {
        throw new errors.InvalidRequest('vtr must be a JSON array');
      }
      if (!Array.isArray(vtr) || vtr.length === 0 || !vtr.every((v) => knownVectors.has(v))) {
        throw new errors.InvalidRequest('vtr must be a JSON array of NHS login vectors of trust');
      }
    },
    test_account(ctx, value) {
      if (value !== undefined && !Object.hasOwn(accounts, value)) {
        throw new errors.InvalidRequest('unknown test_account');
      }
    },
  },
  async findAccount(ctx, sub) {
    if (!Object.hasOwn(accounts, sub)) return undefined;
    const a = accounts[sub];
    return {
      accountId: sub,
      async claims(use) {
        const out = { ...a.claims, sub };
        if (use === 'id_token') {
          out.vot = a.vot;
          out.vtm = `${issuer}/trustmark/127.0.0.1`;
        }
        return out;
      },
    };
  },
  features: {
    devInteractions: { enabled: false },
    backchannelLogout: { enabled: true },
    rpInitiatedLogout: { enabled: false },
    introspection: { enabled: !!cfg.backend },
    clientCredentials: { enabled: !!cfg.backend },
    revocation: { enabled: false },
    registration: { enabled: false },
    pushedAuthorizationRequests: { enabled: false },
    resourceIndicators: { enabled: false },
    dPoP: { enabled: false },
    userinfo: { enabled: true },
  },
  interactions: {
    url: (ctx, interaction) => `${issuerPath}/interaction/${interaction.uid}`,
  },
  ttl: {
    AccessToken: 300,
    IdToken: 300,
    AuthorizationCode: 60,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
  cookies: { keys: ['oidctest-cookie-key-not-a-secret'] },
  // oidc-provider refuses to fetch loopback addresses (SSRF protection), and
  // test relying parties' back-channel logout URIs are all on 127.0.0.1.
  fetch: (url, { dispatcher, ...options }) => globalThis.fetch(url, options),
  renderError(ctx, out) {
    ctx.type = 'json';
    ctx.body = out;
  },
});

for (const event of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error', 'backchannel.error']) {
  provider.on(event, (ctx, err) => {
    console.error(`oidctest op: ${event}: ${err?.name || ''} ${err?.message || err} ${err?.error_description || ''}`);
  });
}

// The NHS App's sessions its assertions may name, and the assertions used.
const nhsapp = cfg.nhsapp ? { ...cfg.nhsapp, key: createPublicKey({ key: cfg.nhsapp.jwk, format: 'jwk' }) } : null;
const usedAssertions = new Set();

// assertedSession is the NHS App session an assertion names, when the
// assertion passes every check NHS login makes; otherwise null.
function assertedSession(raw) {
  const parts = raw.split('.');
  if (!nhsapp || parts.length !== 3) return null;
  let header;
  let claims;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url'));
    claims = JSON.parse(Buffer.from(parts[1], 'base64url'));
  } catch {
    return null;
  }
  if (header.alg !== 'RS512' ||
    !verify('sha512', Buffer.from(`${parts[0]}.${parts[1]}`), nhsapp.key, Buffer.from(parts[2], 'base64url'))) {
    return null;
  }
  const now = Math.floor(Date.now() / 1000);
  if (claims.iss !== nhsapp.client_id || !Number.isInteger(claims.iat) || !Number.isInteger(claims.exp) ||
    claims.exp <= now || claims.exp - claims.iat > 60 || typeof claims.jti !== 'string' || !claims.jti ||
    usedAssertions.has(claims.jti)) {
    return null;
  }
  usedAssertions.add(claims.jti);
  return Object.hasOwn(nhsapp.sessions || {}, claims.code) ? nhsapp.sessions[claims.code] : null;
}

// Single sign-on: a good assertion becomes the account to sign in (and
// lifts prompt=none, the interaction completing with no UI); the
// parameter itself goes no further.
provider.use(async (ctx, next) => {
  const raw = ctx.path === '/auth' ? ctx.query.asserted_login_identity : undefined;
  if (typeof raw === 'string') {
    const q = { ...ctx.query };
    delete q.asserted_login_identity;
    const session = assertedSession(raw);
    const client = cfg.clients.find((c) => c.client_id === q.client_id);
    if (session && session.no_consent && client && (client.redirect_uris || []).includes(q.redirect_uri)) {
      const back = new URL(q.redirect_uri);
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'ConsentNotGiven');
      if (q.state) back.searchParams.set('state', q.state);
      ctx.redirect(back.href);
      return;
    }
    if (session) {
      if (q.prompt === 'none') delete q.prompt;
      q.test_account = session.account;
    }
    ctx.query = q;
  }
  await next();
});

// A test naming an account signs that person in afresh: any provider session
// held for someone else is dropped before the authorization request is
// handled. (Left in place, oidc-provider would answer the account switch with
// a logout confirmation form.)
provider.use(async (ctx, next) => {
  const wanted = ctx.path === '/auth' ? ctx.query.test_account : undefined;
  if (typeof wanted === 'string' && wanted) {
    const session = await provider.Session.get(ctx);
    if (session.accountId && session.accountId !== wanted && session.jti) {
      await session.destroy();
    }
  }
  await next();
});

const callback = provider.callback();

// Every interaction completes at once: log in the requested (or default)
// account and grant whatever the request asked for.
async function interact(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params } = details;
  const result = {};
  let accountId = details.session?.accountId;
  if (prompt.name === 'login') {
    // Keep the signed-in person on a forced re-login (prompt=login): naming
    // someone else would make oidc-provider ask to log out first.
    accountId = params.test_account || accountId || cfg.default_account;
    result.login = { accountId };
  }
  let grant;
  if (details.grantId) {
    grant = await provider.Grant.find(details.grantId);
  }
  if (!grant || grant.accountId !== accountId) {
    grant = new provider.Grant({ accountId, clientId: params.client_id });
  }
  grant.addOIDCScope(String(params.scope || 'openid'));
  if (prompt.details?.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  result.consent = { grantId: await grant.save() };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

// Test-only: POST client_id, sub (and sid) to make the provider send that
// client a back-channel logout token, as it would when the person signs out.
async function backchannelLogout(req, res) {
  let body = '';
  for await (const chunk of req) body += chunk;
  const form = new URLSearchParams(body);
  const client = await provider.Client.find(form.get('client_id') || '');
  if (!client || !client.backchannelLogoutUri) {
    res.writeHead(400, { 'content-type': 'text/plain' }).end('unknown client, or no backchannel_logout_uri');
    return;
  }
  try {
    await client.backchannelLogout(form.get('sub') || '', form.get('sid') || undefined);
    res.writeHead(204).end();
  } catch (err) {
    res.writeHead(502, { 'content-type': 'text/plain' }).end(String(err?.message || err));
  }
}

server.on('request', async (req, res) => {
  // Serve the issuer's path as oidc-provider's mount point.
  if (issuerPath) {
    const rest = req.url.slice(issuerPath.length);
    if (!req.url.startsWith(issuerPath) || !(rest === '' || rest.startsWith('/') || rest.startsWith('?'))) {
      res.writeHead(404).end();
      return;
    }
    req.originalUrl = req.url;
    req.url = rest.startsWith('/') ? rest : `/${rest}`;
  }
  try {
    if (req.url.startsWith('/interaction/')) {
      await interact(req, res);
    } else if (req.method === 'POST' && req.url === '/__test/backchannel-logout') {
      await backchannelLogout(req, res);
    } else {
      callback(req, res);
    }
  } catch (err) {
    console.error(`oidctest op: ${req.method} ${req.url}: ${err?.stack || err}`);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(err?.message || err));
  }
});

if (process.env.OP_EXIT_ON_STDIN_EOF === '1') {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}
process.on('SIGTERM', () => process.exit(0));

process.stdout.write(`READY ${issuer}\n`);
