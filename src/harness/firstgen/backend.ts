import { AppError } from '../../errors';
import type { HarnessBackend } from '../backend';
import { baseRecord } from '../backend';
import type { HarnessApi } from './client';

/** FirstGen: API keys with user groups, through GraphQL. Harness never returns a key's value here. */
export function firstGenBackend(api: HarnessApi): HarnessBackend {
  return {
    generation: 'firstgen',
    checkAccess: () => api.checkAccess(),
    async execute(request, previous, at) {
      const base = baseRecord(request, at);
      const groupIds = request.userGroups.map((g) => g.id);
      switch (request.operation) {
        case 'create': {
          const key = await api.createApiKey({ name: request.keyName, userGroupIds: groupIds, clientMutationId: request.id });
          return { record: { ...base, uuid: key.uuid, name: key.name } };
        }
        case 'update': {
          const uuid = required(request.keyUuid);
          const key = await api.updateApiKey({ uuid, name: request.keyName, userGroupIds: groupIds, clientMutationId: request.id });
          return { record: { ...base, uuid, name: key.name, createdAt: previous?.createdAt ?? at } };
        }
        case 'delete': {
          const uuid = required(request.keyUuid);
          await api.deleteApiKey({ uuid, clientMutationId: request.id });
          return { record: { ...base, ...previous, uuid, requestId: request.id, updatedAt: at, deletedAt: at } };
        }
        case 'rotate':
          throw new AppError('NOT_FOUND', 'Harness FirstGen API keys cannot be rotated: delete the key and create a new one.');
      }
    },
  };
}

function required(uuid: string | undefined): string {
  if (!uuid) throw new AppError('NOT_FOUND', 'The request names no API key.');
  return uuid;
}
