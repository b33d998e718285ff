// Uses Twenty's official metadata client (`MetadataApiClient` from `twenty-client-sdk/metadata`),
// unmodified, against Tessera's /metadata: read the data model, create a custom object with fields
// and a relation, use them through /graphql on the next request, rename and delete a field, delete
// the object, and get a validation error back with its code.
//
// Needs TESSERA_URL (e.g. http://127.0.0.1:3000) and TESSERA_TOKEN (an API key of a workspace).
// tests/client-sdk/run.sh starts a server and provides both.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

const url = process.env.TESSERA_URL;
const token = process.env.TESSERA_TOKEN;

// Plain fetch to the records API, to see schema changes from the client's side.
async function graphql(query, variables) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  assert.equal(res.status, 200, `POST /graphql answered ${res.status}`);
  return res.json();
}

async function graphqlData(query, variables) {
  const body = await graphql(query, variables);
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

const errorCodes = (err) => (err.errors ?? []).map((e) => e.extensions?.code);

describe('twenty-client-sdk MetadataApiClient against Tessera /metadata', () => {
  let client;
  let objectsByName;
  let rocketId;
  let companyObjectId;
  let thrustFieldId;
  let codeNameFieldId;
  let relationFieldId;
  const companyId = randomUUID();
  const rocketRecordId = randomUUID();

  before(async () => {
    assert.ok(url, 'TESSERA_URL is not set');
    assert.ok(token, 'TESSERA_TOKEN is not set');
    // Configured the way Twenty apps configure it: through the environment, read when the module
    // is loaded (default URL `${TWENTY_API_URL}/metadata`, TWENTY_API_KEY as bearer token).
    process.env.TWENTY_API_URL = url;
    process.env.TWENTY_API_KEY = token;
    const { MetadataApiClient } = await import('twenty-client-sdk/metadata');
    client = new MetadataApiClient();

    await graphqlData(`mutation ($d: CompanyCreateInput!) { createCompany(data: $d) { id } }`, {
      d: { id: companyId, name: 'RocketCo' },
    });
  });

  after(async () => {
    // Best effort: leave the workspace as it was.
    if (client && rocketId) {
      await client.mutation({ deleteOneObject: { __args: { input: { id: rocketId } }, id: true } }).catch(() => {});
    }
    await graphql(`mutation ($id: UUID!) { destroyCompany(id: $id) { id } }`, { id: companyId }).catch(() => {});
  });

  test('what goes over the wire: anonymous operations, typed variables, bearer token', async () => {
    const { MetadataApiClient } = await import('twenty-client-sdk/metadata');
    const sent = [];
    const recording = async (input, init) => {
      sent.push({ url: String(input), authorization: new Headers(init.headers).get('authorization'), body: JSON.parse(init.body) });
      return fetch(input, init);
    };
    // The explicit-options way to build the client: url, Authorization header, fetch.
    const explicit = new MetadataApiClient({ url: `${url}/metadata`, headers: { Authorization: `Bearer ${token}` }, fetch: recording });
    const { objects } = await explicit.query({ objects: { __args: { paging: { first: 1 } }, edges: { node: { id: true } } } });
    assert.equal(objects.edges.length, 1);
    assert.equal(sent.length, 1);
    assert.equal(sent[0].url, `${url}/metadata`);
    assert.equal(sent[0].authorization, `Bearer ${token}`);
    assert.equal(sent[0].body.query, 'query ($v1:CursorPaging!){objects(paging:$v1){edges{node{id}}}}');
    assert.deepEqual(sent[0].body.variables, { v1: { first: 1 } });
  });

  test('list objects with their fields: the standard data model', async () => {
    const { objects } = await client.query({
      objects: {
        __args: { paging: { first: 100 } },
        pageInfo: { hasNextPage: true, endCursor: true },
        edges: { cursor: true, node: { id: true, nameSingular: true, namePlural: true, isCustom: true, fieldsList: { id: true, name: true, type: true } } },
      },
    });
    assert.equal(objects.pageInfo.hasNextPage, false);
    objectsByName = new Map(objects.edges.map((e) => [e.node.nameSingular, e.node]));
    for (const name of ['company', 'person', 'opportunity', 'note', 'noteTarget', 'task', 'taskTarget', 'workspaceMember']) {
      assert.ok(objectsByName.has(name), `standard object ${name} is listed (got ${[...objectsByName.keys()]})`);
      assert.equal(objectsByName.get(name).isCustom, false, name);
    }
    assert.equal(objectsByName.get('person').namePlural, 'people');
    assert.equal(objectsByName.get('company').namePlural, 'companies');
    assert.ok(!objectsByName.has('rocket'), 'no rocket yet');

    const fieldType = (object, field) => objectsByName.get(object).fieldsList.find((f) => f.name === field)?.type;
    assert.equal(fieldType('person', 'name'), 'FULL_NAME');
    assert.equal(fieldType('person', 'emails'), 'EMAILS');
    assert.equal(fieldType('person', 'company'), 'RELATION');
    assert.equal(fieldType('company', 'domainName'), 'LINKS');
    assert.equal(fieldType('company', 'name'), 'TEXT');
    assert.equal(fieldType('company', 'createdAt'), 'DATE_TIME');
    assert.equal(fieldType('opportunity', 'amount'), 'CURRENCY');
    companyObjectId = objectsByName.get('company').id;
  });

  test('object(id), fields(filter) and field(id)', async () => {
    const personId = objectsByName.get('person').id;
    const { object } = await client.query({
      object: { __args: { id: personId }, nameSingular: true, labelSingular: true, labelIdentifierFieldMetadataId: true },
    });
    assert.equal(object.nameSingular, 'person');
    assert.equal(object.labelSingular, 'Person');

    const { fields } = await client.query({
      fields: {
        __args: { paging: { first: 100 }, filter: { objectMetadataId: { eq: personId } } },
        edges: { node: { id: true, name: true, objectMetadataId: true } },
      },
    });
    assert.ok(fields.edges.length > 5);
    for (const { node } of fields.edges) assert.equal(node.objectMetadataId, personId);
    const nameField = fields.edges.find((e) => e.node.name === 'name').node;
    assert.equal(object.labelIdentifierFieldMetadataId, nameField.id);

    const { field } = await client.query({
      field: { __args: { id: nameField.id }, name: true, type: true, label: true, object: { nameSingular: true } },
    });
    assert.deepEqual(field, { name: 'name', type: 'FULL_NAME', label: 'Name', object: { nameSingular: 'person' } });
  });

  test('createOneObject: a custom object `rocket`', async () => {
    const { createOneObject } = await client.mutation({
      createOneObject: {
        __args: {
          input: {
            object: { nameSingular: 'rocket', namePlural: 'rockets', labelSingular: 'Rocket', labelPlural: 'Rockets', icon: 'IconRocket' },
          },
        },
        id: true,
        nameSingular: true,
        namePlural: true,
        isCustom: true,
        isActive: true,
        fieldsList: { name: true, type: true },
      },
    });
    rocketId = createOneObject.id;
    assert.equal(createOneObject.nameSingular, 'rocket');
    assert.equal(createOneObject.namePlural, 'rockets');
    assert.equal(createOneObject.isCustom, true);
    assert.equal(createOneObject.isActive, true);
    const names = createOneObject.fieldsList.map((f) => f.name);
    for (const name of ['id', 'name', 'createdAt', 'updatedAt', 'deletedAt']) assert.ok(names.includes(name), `${name} in ${names}`);
  });

  test('updateOneObject: change a label', async () => {
    const { updateOneObject } = await client.mutation({
      updateOneObject: { __args: { input: { id: rocketId, update: { labelPlural: 'Rocket ships' } } }, id: true, labelPlural: true },
    });
    assert.deepEqual(updateOneObject, { id: rocketId, labelPlural: 'Rocket ships' });
  });

  test('createOneField: NUMBER and TEXT fields', async () => {
    const { createOneField: thrust } = await client.mutation({
      createOneField: {
        __args: { input: { field: { objectMetadataId: rocketId, type: 'NUMBER', name: 'thrust', label: 'Thrust' } } },
        id: true,
        type: true,
        name: true,
        label: true,
        isCustom: true,
        objectMetadataId: true,
        relation: { type: true },
      },
    });
    thrustFieldId = thrust.id;
    assert.equal(thrust.type, 'NUMBER');
    assert.equal(thrust.name, 'thrust');
    assert.equal(thrust.isCustom, true);
    assert.equal(thrust.objectMetadataId, rocketId);
    assert.equal(thrust.relation, null);

    const { createOneField: codeName } = await client.mutation({
      createOneField: {
        __args: { input: { field: { objectMetadataId: rocketId, type: 'TEXT', name: 'codeName', label: 'Code name', description: 'Its code name' } } },
        id: true,
        type: true,
        name: true,
        description: true,
      },
    });
    codeNameFieldId = codeName.id;
    assert.deepEqual({ ...codeName, id: undefined }, { id: undefined, type: 'TEXT', name: 'codeName', description: 'Its code name' });
  });

  test('createOneField: a MANY_TO_ONE relation to company (relationCreationPayload)', async () => {
    const { createOneField } = await client.mutation({
      createOneField: {
        __args: {
          input: {
            field: {
              objectMetadataId: rocketId,
              type: 'RELATION',
              name: 'company',
              label: 'Company',
              relationCreationPayload: {
                targetObjectMetadataId: companyObjectId,
                targetFieldLabel: 'Rockets',
                targetFieldIcon: 'IconRocket',
                type: 'MANY_TO_ONE',
              },
            },
          },
        },
        id: true,
        type: true,
        name: true,
        relation: {
          type: true,
          sourceObjectMetadata: { nameSingular: true },
          targetObjectMetadata: { nameSingular: true },
          sourceFieldMetadata: { name: true },
          targetFieldMetadata: { name: true },
        },
      },
    });
    relationFieldId = createOneField.id;
    assert.equal(createOneField.type, 'RELATION');
    assert.equal(createOneField.name, 'company');
    assert.deepEqual(createOneField.relation, {
      type: 'MANY_TO_ONE',
      sourceObjectMetadata: { nameSingular: 'rocket' },
      targetObjectMetadata: { nameSingular: 'company' },
      sourceFieldMetadata: { name: 'company' },
      targetFieldMetadata: { name: 'rockets' },
    });

    // Read back through field(id), and the inverse side on company.
    const { field } = await client.query({
      field: { __args: { id: relationFieldId }, relation: { type: true, targetObjectMetadata: { nameSingular: true }, targetFieldMetadata: { name: true } } },
    });
    assert.deepEqual(field.relation, { type: 'MANY_TO_ONE', targetObjectMetadata: { nameSingular: 'company' }, targetFieldMetadata: { name: 'rockets' } });

    const { object } = await client.query({
      object: { __args: { id: companyObjectId }, fieldsList: { name: true, type: true, relation: { type: true, targetObjectMetadata: { nameSingular: true } } } },
    });
    const inverse = object.fieldsList.find((f) => f.name === 'rockets');
    assert.deepEqual(inverse, { name: 'rockets', type: 'RELATION', relation: { type: 'ONE_TO_MANY', targetObjectMetadata: { nameSingular: 'rocket' } } });
  });

  test('/graphql knows rockets on the next request: create and query with the new fields', async () => {
    const { createRocket } = await graphqlData(
      `mutation ($d: RocketCreateInput!) { createRocket(data: $d) { id name thrust codeName companyId company { name } } }`,
      { d: { id: rocketRecordId, name: 'Falcon', thrust: 7607, codeName: 'F9', companyId } },
    );
    assert.deepEqual(createRocket, { id: rocketRecordId, name: 'Falcon', thrust: 7607, codeName: 'F9', companyId, company: { name: 'RocketCo' } });

    const { rockets } = await graphqlData(
      `query { rockets(filter: { thrust: { gte: 1000 } }) { totalCount edges { node { id name thrust codeName company { name } } } } }`,
    );
    assert.equal(rockets.totalCount, 1);
    assert.deepEqual(rockets.edges[0].node, { id: rocketRecordId, name: 'Falcon', thrust: 7607, codeName: 'F9', company: { name: 'RocketCo' } });

    const { company } = await graphqlData(
      `query ($id: UUID!) { company(filter: { id: { eq: $id } }) { name rockets { totalCount edges { node { name } } } } }`,
      { id: companyId },
    );
    assert.deepEqual(company, { name: 'RocketCo', rockets: { totalCount: 1, edges: [{ node: { name: 'Falcon' } }] } });
  });

  test('updateOneField: rename a field (label and name), /graphql follows', async () => {
    const { updateOneField } = await client.mutation({
      updateOneField: {
        __args: { input: { id: codeNameFieldId, update: { name: 'callSign', label: 'Call sign' } } },
        id: true,
        name: true,
        label: true,
        type: true,
      },
    });
    assert.deepEqual(updateOneField, { id: codeNameFieldId, name: 'callSign', label: 'Call sign', type: 'TEXT' });

    const { rocket } = await graphqlData(`query ($id: UUID!) { rocket(filter: { id: { eq: $id } }) { callSign } }`, { id: rocketRecordId });
    assert.deepEqual(rocket, { callSign: 'F9' }, 'the data follows the rename');
    const old = await graphql(`query { rockets { edges { node { codeName } } } }`);
    assert.ok(old.errors?.length, 'codeName is gone from /graphql');
  });

  test('deleteOneField: the field and its column go away', async () => {
    const { deleteOneField } = await client.mutation({
      deleteOneField: { __args: { input: { id: thrustFieldId } }, id: true, name: true, objectMetadataId: true },
    });
    assert.deepEqual(deleteOneField, { id: thrustFieldId, name: 'thrust', objectMetadataId: rocketId });

    const { object } = await client.query({ object: { __args: { id: rocketId }, fieldsList: { name: true } } });
    assert.ok(!object.fieldsList.some((f) => f.name === 'thrust'), 'thrust is no longer listed');
    const body = await graphql(`query { rockets { edges { node { thrust } } } }`);
    assert.ok(body.errors?.length, 'thrust is gone from /graphql');

    await assert.rejects(client.query({ field: { __args: { id: thrustFieldId }, id: true } }), (err) => {
      assert.deepEqual(errorCodes(err), ['NOT_FOUND'], err.message);
      return true;
    });
  });

  test('deleteOneObject: rockets and the inverse relation go away', async () => {
    const { deleteOneObject } = await client.mutation({
      deleteOneObject: { __args: { input: { id: rocketId } }, id: true, nameSingular: true },
    });
    assert.deepEqual(deleteOneObject, { id: rocketId, nameSingular: 'rocket' });
    rocketId = undefined;

    const { objects } = await client.query({
      objects: { __args: { paging: { first: 100 }, filter: { isCustom: { is: true } } }, edges: { node: { nameSingular: true } } },
    });
    assert.deepEqual(objects.edges, []);

    const body = await graphql(`query { rockets { totalCount } }`);
    assert.ok(body.errors?.length, '/graphql no longer knows rockets');
    assert.match(body.errors[0].message, /rockets/);
    const company = await graphql(`query ($id: UUID!) { company(filter: { id: { eq: $id } }) { rockets { totalCount } } }`, { id: companyId });
    assert.ok(company.errors?.length, 'company.rockets is gone too');

    const { object } = await client.query({ object: { __args: { id: companyObjectId }, fieldsList: { name: true } } });
    assert.ok(!object.fieldsList.some((f) => f.name === 'rockets'));
  });

  // genql's `__scalar: true` (and `everything`) selects every scalar field the SDK's type map (Twenty
  // 2.43's metadata schema) lists: the server must know all of them.
  test(
    'Object { __scalar: true }',
    async () => {
      const { objects } = await client.query({ objects: { __args: { paging: { first: 1 } }, edges: { node: { __scalar: true } } } });
      assert.equal(objects.edges.length, 1);
    },
  );

  test(
    'Field { __scalar: true }',
    async () => {
      const { fields } = await client.query({ fields: { __args: { paging: { first: 1 } }, edges: { node: { __scalar: true } } } });
      assert.equal(fields.edges.length, 1);
    },
  );

  test('an invalid object name is a GenqlError with METADATA_VALIDATION_FAILED', async () => {
    await assert.rejects(
      client.mutation({
        createOneObject: {
          __args: { input: { object: { nameSingular: 'Bad-Name', namePlural: 'badNames', labelSingular: 'Bad', labelPlural: 'Bads' } } },
          id: true,
        },
      }),
      (err) => {
        // genql's GenqlError (not exported by twenty-client-sdk/metadata): an Error whose message
        // joins the GraphQL messages, with the response's `errors` and `data`.
        assert.ok(err instanceof Error);
        assert.ok(Array.isArray(err.errors), `not a GenqlError: ${err.stack}`);
        assert.equal(err.message, err.errors.map((e) => e.message).join('\n'));
        assert.deepEqual(errorCodes(err), ['METADATA_VALIDATION_FAILED'], err.message);
        assert.match(err.message, /Bad-Name|name/i);
        return true;
      },
    );
  });
});
