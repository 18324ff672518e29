import type { ApiKeyRequest } from '../../src/domain/request';

/** A pending create request of U0DEV named after its id, as the store tests need one; `fields` replace any part. */
export const pendingRequest = (id: string, fields: Partial<ApiKeyRequest> = {}): ApiKeyRequest => ({
  id,
  operation: 'create',
  state: 'pending',
  version: 0,
  requesterId: 'U0DEV',
  keyName: id,
  userGroups: [{ id: 'g1', name: 'admins' }],
  reason: 'why',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...fields,
});
