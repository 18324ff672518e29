/**
 * Every GraphQL document the bot sends to Harness. Tests validate each of them against Harness's
 * schema (test/fixtures/harness-schema.graphql, a copy of shared/harness/schema.graphql).
 */
export const USER_GROUPS_PAGE = /* GraphQL */ `
  query UserGroupsPage($limit: Int!, $offset: Int) {
    userGroups(limit: $limit, offset: $offset) {
      pageInfo { hasMore total offset limit }
      nodes { id name }
    }
  }
`;

export const CREATE_API_KEY = /* GraphQL */ `
  mutation CreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) { clientMutationId name uuid }
  }
`;

export const UPDATE_API_KEY = /* GraphQL */ `
  mutation UpdateApiKey($input: UpdateApiKeyInput!) {
    updateApiKey(input: $input) { clientMutationId name uuid }
  }
`;

export const DELETE_API_KEY = /* GraphQL */ `
  mutation DeleteApiKey($input: DeleteApiKeyInput!) {
    deleteApiKey(input: $input) { clientMutationId }
  }
`;

export const ALL_DOCUMENTS = { USER_GROUPS_PAGE, CREATE_API_KEY, UPDATE_API_KEY, DELETE_API_KEY } as const;
