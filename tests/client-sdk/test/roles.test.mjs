// Roles and API keys with Twenty's official metadata client (`MetadataApiClient` from
// `twenty-client-sdk/metadata`), unmodified, against Tessera's /metadata: list the default roles
// with every scalar the SDK knows, create a role that cannot see `person.city`, give it to a new
// API key, mint its token, see /graphql refuse the field, revoke the key, delete the role.
//
// Needs TESSERA_URL and TESSERA_TOKEN (an Admin API key); tests/client-sdk/run.sh provides both.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

const url = process.env.TESSERA_URL;
const adminToken = process.env.TESSERA_TOKEN;

async function graphql(token, query) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  assert.equal(res.status, 200, `POST /graphql answered ${res.status}`);
  return res.json();
}

describe('twenty-client-sdk MetadataApiClient: roles and API keys', () => {
  let client;
  let roleId;
  const label = `No city ${randomUUID().slice(0, 8)}`;

  before(async () => {
    assert.ok(url, 'TESSERA_URL is not set');
    assert.ok(adminToken, 'TESSERA_TOKEN is not set');
    const { MetadataApiClient } = await import('twenty-client-sdk/metadata');
    client = new MetadataApiClient({ url: `${url}/metadata`, headers: { Authorization: `Bearer ${adminToken}` } });
  });

  after(async () => {
    if (client && roleId) {
      await client.mutation({ deleteOneRole: { __args: { roleId } } }).catch(() => {});
    }
  });

  test('getRoles answers every scalar of Role, with Admin and Member first', async () => {
    const { getRoles } = await client.query({
      getRoles: { __scalar: true, permissionFlags: { __scalar: true }, objectPermissions: { __scalar: true }, apiKeys: { __scalar: true } },
    });
    assert.deepEqual(getRoles.slice(0, 2).map((r) => r.label), ['Admin', 'Member']);
    const admin = getRoles[0];
    assert.equal(admin.isEditable, false);
    assert.equal(admin.canUpdateAllSettings, true);
    assert.equal(admin.canDestroyAllObjectRecords, true);
    assert.equal(getRoles[1].canUpdateAllSettings, false);
    assert.ok(admin.apiKeys.length >= 1, 'the workspace key acts as Admin');
  });

  test('a custom role without person.city, given to a new key, is enforced by /graphql', async () => {
    const { objects } = await client.query({
      objects: { __args: { paging: { first: 100 } }, edges: { node: { id: true, nameSingular: true, fieldsList: { id: true, name: true } } } },
    });
    const person = objects.edges.map((e) => e.node).find((o) => o.nameSingular === 'person');
    const city = person.fieldsList.find((f) => f.name === 'city');

    const { createOneRole } = await client.mutation({
      createOneRole: {
        __args: { createRoleInput: { label, canReadAllObjectRecords: true, canUpdateAllObjectRecords: true } },
        id: true,
        isEditable: true,
      },
    });
    roleId = createOneRole.id;
    assert.equal(createOneRole.isEditable, true);
    const { upsertFieldPermissions } = await client.mutation({
      upsertFieldPermissions: {
        __args: {
          upsertFieldPermissionsInput: {
            roleId,
            fieldPermissions: [{ objectMetadataId: person.id, fieldMetadataId: city.id, canReadFieldValue: false, canUpdateFieldValue: false }],
          },
        },
        __scalar: true,
      },
    });
    assert.equal(upsertFieldPermissions[0].canReadFieldValue, false);

    const { createApiKey } = await client.mutation({
      createApiKey: {
        __args: { input: { name: 'sdk key', expiresAt: '2099-01-01T00:00:00.000Z', roleId } },
        __scalar: true,
        role: { id: true, label: true },
      },
    });
    assert.equal(createApiKey.role.label, label);
    const { generateApiKeyToken } = await client.mutation({
      generateApiKeyToken: { __args: { apiKeyId: createApiKey.id, expiresAt: '2099-01-01T00:00:00.000Z' }, token: true },
    });
    const keyToken = generateApiKeyToken.token;

    const allowed = await graphql(keyToken, '{ people(first: 1) { edges { node { id jobTitle } } } }');
    assert.equal(allowed.errors, undefined, JSON.stringify(allowed.errors));
    const refused = await graphql(keyToken, '{ people(first: 1) { edges { node { id city } } } }');
    assert.equal(refused.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.match(refused.errors[0].message, /field "city" on "person"/);

    const { revokeApiKey } = await client.mutation({ revokeApiKey: { __args: { input: { id: createApiKey.id } }, revokedAt: true } });
    assert.ok(revokeApiKey.revokedAt);
    const revoked = await graphql(keyToken, '{ people(first: 1) { edges { node { id } } } }');
    assert.equal(revoked.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');

    const { deleteOneRole } = await client.mutation({ deleteOneRole: { __args: { roleId } } });
    assert.equal(deleteOneRole, roleId);
    roleId = undefined;
  });
});
