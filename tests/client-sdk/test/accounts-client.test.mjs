// Uses Twenty's official metadata client (`MetadataApiClient` from `twenty-client-sdk/metadata`),
// unmodified, for the accounts flow against Tessera's /metadata: sign up without a token, create a
// workspace with the workspace-agnostic token, exchange the login token, activate the workspace,
// read currentUser, rotate the refresh token (a reused one is refused), and use the user's access
// token on /graphql.
//
// Needs TESSERA_URL (tests/client-sdk/run.sh starts a server and provides it).

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';

const url = process.env.TESSERA_URL;

async function client(token) {
  const { MetadataApiClient } = await import('twenty-client-sdk/metadata');
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  return new MetadataApiClient({ url: `${url}/metadata`, headers });
}

const pair = { accessOrWorkspaceAgnosticToken: { token: true, expiresAt: true }, refreshToken: { token: true, expiresAt: true } };
const errorCodes = (err) => (err.errors ?? []).map((e) => e.extensions?.code);

describe('twenty-client-sdk MetadataApiClient: accounts against Tessera /metadata', () => {
  test('sign up, create and activate a workspace, currentUser, renewToken, /graphql', async () => {
    assert.ok(url, 'TESSERA_URL is not set');
    const email = `sdk-${randomUUID()}@example.com`;
    const password = 'Test123!@#secret';

    const anonymous = await client();
    const { signUp } = await anonymous.mutation({
      signUp: {
        __args: { email, password },
        tokens: pair,
        availableWorkspaces: {
          availableWorkspacesForSignIn: { id: true, displayName: true, workspaceUrls: { subdomainUrl: true, customUrl: true } },
          availableWorkspacesForSignUp: { id: true },
        },
      },
    });
    assert.deepEqual(signUp.availableWorkspaces.availableWorkspacesForSignIn, []);
    const agnostic = signUp.tokens.accessOrWorkspaceAgnosticToken.token;

    const asUser = await client(agnostic);
    const { signUpInNewWorkspace } = await asUser.mutation({
      signUpInNewWorkspace: {
        __args: { input: { displayName: 'SDK Co' } },
        loginToken: { token: true, expiresAt: true },
        workspace: { id: true, workspaceUrls: { subdomainUrl: true, customUrl: true } },
      },
    });
    const origin = signUpInNewWorkspace.workspace.workspaceUrls.subdomainUrl;
    const { getAuthTokensFromLoginToken } = await anonymous.mutation({
      getAuthTokensFromLoginToken: {
        __args: { loginToken: signUpInNewWorkspace.loginToken.token, origin },
        tokens: pair,
      },
    });
    const access = getAuthTokensFromLoginToken.tokens.accessOrWorkspaceAgnosticToken.token;
    const refresh = getAuthTokensFromLoginToken.tokens.refreshToken.token;

    const member = await client(access);
    const { activateWorkspace } = await member.mutation({
      activateWorkspace: { __args: { data: {} }, id: true, displayName: true, activationStatus: true },
    });
    assert.equal(activateWorkspace.activationStatus, 'ACTIVE');
    assert.equal(activateWorkspace.displayName, 'SDK Co');

    const { currentUser } = await member.query({
      currentUser: {
        id: true,
        email: true,
        workspaceMember: { id: true, userEmail: true, name: { firstName: true, lastName: true } },
        currentWorkspace: { id: true, activationStatus: true, workspaceUrls: { subdomainUrl: true } },
      },
    });
    assert.equal(currentUser.email, email);
    assert.equal(currentUser.currentWorkspace.id, signUpInNewWorkspace.workspace.id);

    const { renewToken } = await anonymous.mutation({ renewToken: { __args: { appToken: refresh }, tokens: pair } });
    assert.notEqual(renewToken.tokens.refreshToken.token, refresh);
    await assert.rejects(
      anonymous.mutation({ renewToken: { __args: { appToken: refresh }, tokens: pair } }),
      (err) => errorCodes(err).includes('UNAUTHENTICATED'),
    );

    // The user's access token on the records API: the record is the member's.
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${access}` },
      body: JSON.stringify({ query: 'mutation { createPerson(data: {city: "Lyon"}) { createdBy { source workspaceMemberId } } }' }),
    });
    const body = await res.json();
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    assert.equal(body.data.createPerson.createdBy.source, 'MANUAL');
    assert.equal(body.data.createPerson.createdBy.workspaceMemberId, currentUser.workspaceMember.id);

    // Wrong password and unknown e-mail fail alike.
    const wrong = await anonymous
      .mutation({ signIn: { __args: { email, password: 'not the password' }, tokens: pair } })
      .then(() => null, (err) => err);
    const unknown = await anonymous
      .mutation({ signIn: { __args: { email: `nobody-${randomUUID()}@example.com`, password }, tokens: pair } })
      .then(() => null, (err) => err);
    assert.deepEqual(errorCodes(wrong), ['FORBIDDEN']);
    assert.deepEqual(errorCodes(unknown), errorCodes(wrong));
    assert.equal(unknown.errors[0].message, wrong.errors[0].message);
  });
});
