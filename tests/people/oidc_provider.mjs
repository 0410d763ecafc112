// A real OpenID Connect provider for tests/people/test_sso_provider.py: node-oidc-provider (OpenID
// Certified) at its defaults, with its own login and consent pages. Only what any deployment has to
// give it is set here: one client (Kerne) and an account store. Everything else – PKCE required, scope
// claims in UserInfo only, RP-initiated logout, client_secret_basic, RS256 – is the provider's default.
//
// node tests/people/oidc_provider.mjs PORT KERNE_BASE_URL CLIENT_ID CLIENT_SECRET
// prints "ready ISSUER" once it listens on 127.0.0.1:PORT.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

// The package is installed in tests/node (`make test` runs npm ci there), not beside this script.
const installed = createRequire(new URL("../node/package.json", import.meta.url));
const { default: Provider } = await import(pathToFileURL(installed.resolve("oidc-provider")).href);

const [port, kerne, clientId, clientSecret] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

// The directory's people, by the login typed on the provider's own sign-in page.
const ACCOUNTS = {
  koordinator: { email: "koordinator@example.dk", email_verified: true },
  leder: { email: "leder@example.dk", email_verified: false }, // a Kerne account, an e-mail nobody confirmed
  ukendt: { email: "ukendt@example.dk", email_verified: true }, // confirmed, but no Kerne account
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [`${kerne}/login/sso/callback`],
    post_logout_redirect_uris: [`${kerne}/login`],
  }],
  // The account store: which people exist, and the e-mail scope's claims it holds for them.
  claims: { email: ["email", "email_verified"] },
  async findAccount(ctx, sub) {
    if (!(sub in ACCOUNTS)) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...ACCOUNTS[sub] }) };
  },
});

provider.listen(Number(port), "127.0.0.1", () => console.log(`ready ${issuer}`));
