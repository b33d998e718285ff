// A local OpenID Connect provider for the SSO tests: oauth2-mock-server on 127.0.0.1 with an
// RS256 key, ID tokens carrying `email` / `email_verified` / names, and a control port that
// changes what the next ID tokens look like (to test refused logins).
//
// Usage: node oidc-idp.mjs            → prints "READY <idp port> <control port>"
// Control: POST http://127.0.0.1:<control port>/mode with JSON
//   { "email": "...", "aud": "...", "nonce": "...", "tamper": true, "emailVerified": false }
// (every key optional; each POST replaces the whole mode).
import http from 'node:http';
import { OAuth2Server } from 'oauth2-mock-server';

let mode = {};
const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');

server.service.on('beforeTokenSigning', (token) => {
  if ('scope' in token.payload) return; // the access token, not the ID token
  token.payload.email = mode.email ?? 'jane.doe@example.com';
  token.payload.email_verified = mode.emailVerified ?? true;
  token.payload.given_name = 'Jane';
  token.payload.family_name = 'Doe';
  if (mode.aud !== undefined) token.payload.aud = mode.aud;
  if (mode.nonce !== undefined) token.payload.nonce = mode.nonce;
});

server.service.on('beforeResponse', (response) => {
  const idToken = response.body.id_token;
  if (mode.tamper && typeof idToken === 'string') {
    // Change the payload (another e-mail) but keep the original signature.
    const [h, p, s] = idToken.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    claims.email = 'mallory@example.com';
    const forged = Buffer.from(JSON.stringify(claims)).toString('base64url');
    response.body.id_token = `${h}.${forged}.${s}`;
  }
});

await server.start(0, '127.0.0.1');
const port = server.address().port;
server.issuer.url = `http://127.0.0.1:${port}`;

const control = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    try {
      mode = JSON.parse(body || '{}');
      res.writeHead(200).end('ok');
    } catch (e) {
      res.writeHead(400).end(String(e));
    }
  });
});
control.listen(0, '127.0.0.1', () => {
  console.log(`READY ${port} ${control.address().port}`);
});
