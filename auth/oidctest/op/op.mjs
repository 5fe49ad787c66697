// A real OpenID Provider (oidc-provider 9) configured the way NHS login
// behaves for a relying party: authorization code flow only, PKCE S256
// required, private_key_jwt client authentication, RS512 ID tokens carrying
// the vector of trust achieved (vot), NHS login's claims, and a `vtr`
// parameter. Sign-in completes with no UI: the account is the request's
// `test_account` parameter, or the configured default.
//
// Reads its configuration (JSON) from OP_CONFIG; prints "READY <issuer>" on
// stdout once listening.
import http from 'node:http';
import Provider from 'oidc-provider';

const cfg = JSON.parse(process.env.OP_CONFIG);

const server = http.createServer();
await new Promise((resolve) => server.listen(cfg.port || 0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}${cfg.issuer_path || ''}`;

const accounts = cfg.accounts;

const provider = new Provider(issuer, {
  clients: cfg.clients.map((c) => ({
    client_id: c.client_id,
    redirect_uris: c.redirect_uris,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'RS512',
    id_token_signed_response_alg: 'RS512',
    jwks: c.jwks,
    backchannel_logout_uri: c.backchannel_logout_uri,
  })),
  clientAuthMethods: ['private_key_jwt'],
  jwks: { keys: [cfg.signing_jwk] },
  enabledJWA: {
    idTokenSigningAlgValues: ['RS512'],
    clientAuthSigningAlgValues: ['RS512'],
  },
  pkce: { required: () => true },
  responseTypes: ['code'],
  scopes: ['openid', 'profile', 'gp_registration_details', 'email', 'phone'],
  claims: {
    openid: ['sub', 'vot'],
    profile: ['family_name', 'given_name', 'birthdate', 'nhs_number', 'identity_proofing_level'],
    gp_registration_details: ['gp_registration_details'],
    email: ['email', 'email_verified'],
  },
  // Put scope claims in the ID token too, as NHS login does.
  conformIdTokenClaims: false,
  extraParams: ['vtr', 'test_account'],
  async findAccount(ctx, sub) {
    const a = accounts[sub];
    if (!a) return undefined;
    return {
      accountId: sub,
      async claims(use) {
        const out = { sub, ...a.claims };
        if (use === 'id_token') out.vot = a.vot;
        return out;
      },
    };
  },
  features: {
    devInteractions: { enabled: false },
    backchannelLogout: { enabled: true },
    rpInitiatedLogout: { enabled: false },
    introspection: { enabled: false },
    revocation: { enabled: false },
    registration: { enabled: false },
  },
  interactions: { url: (ctx, interaction) => `${cfg.issuer_path || ''}/interaction/${interaction.uid}` },
  ttl: { AccessToken: 300, IdToken: 300, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600 },
  cookies: { keys: ['oidctest-cookie-key-not-secret'] },
  renderError(ctx, out) {
    ctx.type = 'json';
    ctx.body = out;
  },
});
provider.proxy = false;

const callback = provider.callback();
const interactionPrefix = `${cfg.issuer_path || ''}/interaction/`;

server.on('request', async (req, res) => {
  if (!req.url.startsWith(interactionPrefix)) {
    callback(req, res);
    return;
  }
  try {
    const details = await provider.interactionDetails(req, res);
    const { prompt, params } = details;
    if (prompt.name === 'login') {
      const accountId = params.test_account || cfg.default_account;
      await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
      return;
    }
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  } catch (err) {
    res.statusCode = 500;
    res.end(String(err));
  }
});

process.stdout.write(`READY ${issuer}\n`);
