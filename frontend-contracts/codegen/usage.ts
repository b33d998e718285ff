// Compile-time check that the generated types are usable as a front end would use them (tsc only;
// nothing runs). Kept small: one query result, one variables object per API.
import type { CreateOneFieldMutationVariables, ObjectMetadataItemsQuery } from '../types/metadata';
import type { FindManyPeopleQuery, FindManyPeopleQueryVariables } from '../types/workspace';

export const fieldVariables: CreateOneFieldMutationVariables = {
  input: { field: { objectMetadataId: '00000000-0000-4000-8000-000000000001', type: 'TEXT', name: 'codeName', label: 'Code name' } },
};

export const peopleVariables: FindManyPeopleQueryVariables = { filter: { city: { eq: 'Paris' } }, limit: 10 };

export function objectNames(data: ObjectMetadataItemsQuery): string[] {
  return data.objects.edges.map((edge) => edge.node.nameSingular);
}

export function firstNames(data: FindManyPeopleQuery): Array<string | null> {
  return (data.people?.edges ?? []).map((edge) => edge.node.name?.firstName ?? null);
}
