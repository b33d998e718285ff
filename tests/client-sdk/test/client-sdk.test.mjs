// Runs Twenty's official client generator (twenty-client-sdk/generate) against a Tessera
// workspace's schema and uses the generated client, unmodified, for a short CRUD round trip.
//
// Needs TESSERA_URL (e.g. http://127.0.0.1:3000) and TESSERA_TOKEN (an API key of a workspace).
// tests/client-sdk/run.sh starts a server and provides both.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { buildClientSchema, getIntrospectionQuery, printSchema } from 'graphql';
import { generateCoreClientFromSchema } from 'twenty-client-sdk/generate';

const url = process.env.TESSERA_URL;
const token = process.env.TESSERA_TOKEN;

async function graphql(query, variables) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  assert.equal(res.status, 200, `POST /graphql answered ${res.status}`);
  return res.json();
}

describe('twenty-client-sdk against Tessera', () => {
  let outDir;
  let client;
  const companyId = randomUUID();
  const personId = randomUUID();
  const email = `sdk-${personId.slice(0, 8)}@client-sdk.example`;

  before(async () => {
    assert.ok(url, 'TESSERA_URL is not set');
    assert.ok(token, 'TESSERA_TOKEN is not set');

    // 1. Our schema, as SDL, exactly as a Twenty user would obtain it: introspection over /graphql.
    const introspection = await graphql(getIntrospectionQuery());
    assert.equal(introspection.errors, undefined, JSON.stringify(introspection.errors));
    const sdl = printSchema(buildClientSchema(introspection.data));

    // 2. The official generator: SDL in, a bundled client (index.mjs) out.
    outDir = await mkdtemp(join(tmpdir(), 'tessera-sdk-'));
    const generated = join(outDir, 'core');
    await generateCoreClientFromSchema({ schema: sdl, outputPath: generated });
    const schemaCopy = await readFile(join(generated, 'schema.graphql'), 'utf8');
    assert.match(schemaCopy, /type Person\b/);

    // 3. The generated client, configured the way Twenty apps configure it: through the environment,
    //    read when the module is loaded (TWENTY_API_URL + "/graphql", TWENTY_API_KEY as bearer token).
    process.env.TWENTY_API_URL = url;
    process.env.TWENTY_API_KEY = token;
    const { CoreApiClient } = await import(pathToFileURL(join(generated, 'index.mjs')).href);
    client = new CoreApiClient();
  });

  after(async () => {
    if (client) {
      // Best effort: leave the workspace as it was.
      await client.mutation({ destroyPerson: { __args: { id: personId }, id: true } }).catch(() => {});
      await client.mutation({ destroyCompany: { __args: { id: companyId }, id: true } }).catch(() => {});
    }
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  test('create a company and a person', async () => {
    const { createCompany } = await client.mutation({
      createCompany: {
        __args: { data: { id: companyId, name: 'SdkCo', domainName: { primaryLinkUrl: 'https://sdk.example' } } },
        id: true,
        name: true,
      },
    });
    assert.deepEqual(createCompany, { id: companyId, name: 'SdkCo' });

    const { createPerson } = await client.mutation({
      createPerson: {
        __args: {
          data: {
            id: personId,
            name: { firstName: 'Sdk', lastName: 'Tester' },
            emails: { primaryEmail: email },
            companyId,
          },
        },
        id: true,
        name: { firstName: true, lastName: true },
        emails: { primaryEmail: true },
        companyId: true,
      },
    });
    assert.deepEqual(createPerson, {
      id: personId,
      name: { firstName: 'Sdk', lastName: 'Tester' },
      emails: { primaryEmail: email },
      companyId,
    });
  });

  test('list people (first 5, name and emails)', async () => {
    const { people } = await client.query({
      people: {
        __args: { first: 5 },
        totalCount: true,
        pageInfo: { hasNextPage: true, endCursor: true },
        edges: { cursor: true, node: { id: true, name: { firstName: true, lastName: true }, emails: { primaryEmail: true } } },
      },
    });
    assert.ok(people.totalCount >= 1, `totalCount ${people.totalCount}`);
    assert.ok(people.edges.length >= 1 && people.edges.length <= 5, `${people.edges.length} edges`);
    assert.equal(people.pageInfo.hasNextPage, people.totalCount > 5);
    for (const edge of people.edges) assert.equal(typeof edge.cursor, 'string');
    const mine = people.edges.find((e) => e.node.id === personId);
    assert.ok(mine || people.totalCount > 5, 'the new person is listed');
    if (mine) assert.deepEqual(mine.node.emails, { primaryEmail: email });
  });

  test('update the person', async () => {
    const { updatePerson } = await client.mutation({
      updatePerson: { __args: { id: personId, data: { city: 'Sdkville', jobTitle: 'Tester' } }, id: true, city: true, jobTitle: true },
    });
    assert.deepEqual(updatePerson, { id: personId, city: 'Sdkville', jobTitle: 'Tester' });
  });

  test('nested query: the company with its people', async () => {
    const { company } = await client.query({
      company: {
        __args: { filter: { id: { eq: companyId } } },
        name: true,
        people: { totalCount: true, edges: { node: { id: true, city: true, company: { id: true } } } },
      },
    });
    assert.equal(company.name, 'SdkCo');
    assert.equal(company.people.totalCount, 1);
    assert.deepEqual(company.people.edges[0].node, { id: personId, city: 'Sdkville', company: { id: companyId } });
  });

  test('filter with the generated input types', async () => {
    const { people } = await client.query({
      people: {
        __args: { filter: { emails: { primaryEmail: { eq: email } } }, orderBy: [{ city: 'AscNullsFirst' }] },
        edges: { node: { id: true } },
      },
    });
    assert.deepEqual(people.edges, [{ node: { id: personId } }]);
  });

  test('errors reach the caller with their code', async () => {
    await assert.rejects(
      client.query({ people: { __args: { first: 201 }, totalCount: true } }),
      (err) => {
        const codes = (err.errors ?? []).map((e) => e.extensions?.code);
        assert.ok(codes.includes('BAD_USER_INPUT'), `codes: ${JSON.stringify(codes)} (${err.message})`);
        return true;
      },
    );
  });

  test('delete the person (soft), then it is hidden', async () => {
    const { deletePerson } = await client.mutation({
      deletePerson: { __args: { id: personId }, id: true, deletedAt: true },
    });
    assert.equal(deletePerson.id, personId);
    assert.ok(deletePerson.deletedAt, 'deletedAt is set');

    const { people } = await client.query({
      people: { __args: { filter: { id: { eq: personId } } }, totalCount: true },
    });
    assert.equal(people.totalCount, 0);
  });
});
