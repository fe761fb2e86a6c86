// A real, certified OpenID provider (the npm package oidc-provider) on loopback, for the OIDC tests.
// Configuration comes from the environment the Python fixture sets (provider_server.py); its own
// development sign-in and consent forms are what the tests' HTTP client fills in.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const app = process.env.OIDC_APP_URL;

// Who can sign in: a login typed in the form is an e-mail; these have more to say about themselves.
const PEOPLE = {
  'lea@example.com': {
    name: 'Léa Martin', locale: 'en-GB', department: 'Marketing', groups: ['comms', 'everyone'],
  },
  'unverified@example.com': { email_verified: false },
};

function account(login) {
  const extra = PEOPLE[login] || {};
  return {
    accountId: login,
    async claims() {
      return {
        email: login,
        email_verified: true,
        name: login.split('@')[0],
        ...extra,
      };
    },
  };
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

const client = (clientId) => ({
  client_id: clientId,
  client_secret: `${clientId}-secret-0123456789abcdef`,
  redirect_uris: [`${app}/sso/oidc/callback`],
  post_logout_redirect_uris: [`${app}/login`],
  backchannel_logout_uri: `${app}/sso/oidc/backchannel-logout`,
  backchannel_logout_session_required: true,
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
});

const provider = new Provider(issuer, {
  // 'other-app' is a second relying party: its ID tokens name another audience.
  clients: [client('advocacy'), client('other-app')],
  jwks: { keys: [signingKey] },
  findAccount: (ctx, id) => account(id),
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'locale', 'department'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  features: {
    devInteractions: { enabled: true },
    backchannelLogout: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => true },
  // Its server-to-server calls (back-channel logout) refuse loopback addresses, where the app under test
  // listens: this provider only ever runs on loopback, in the tests.
  fetch: (url, options) => globalThis.fetch(url, { ...options, dispatcher: undefined }),
  cookies: { keys: ['provider-cookie-key-0123456789'] },
  ttl: { IdToken: 300, AccessToken: 300, AuthorizationCode: 60, Session: 3600, Interaction: 300, Grant: 3600 },
});
// Development interactions print a warning once: fine here, quiet otherwise.
provider.on('server_error', (ctx, err) => { console.error('server_error', err); });
provider.on('backchannel.error', (ctx, err) => { console.error('backchannel.error', err); });

provider.listen(port, '127.0.0.1', () => { console.log(`listening ${issuer}`); });
