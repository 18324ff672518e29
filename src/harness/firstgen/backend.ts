import { AppError } from '../../errors';
import type { HarnessBackend, Recovery } from '../backend';
import { baseRecord } from '../backend';
import { HarnessError } from '../harness-error';
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
    /**
     * FirstGen cannot read keys, but its answers tell: names are unique, so a create repeated after
     * a crash either creates the key (the first call never landed) or answers "Duplicate name" (it
     * did); an update is repeatable; a delete of a key that is gone means the first one landed.
     */
    async recover(request, previous, at): Promise<Recovery> {
      if (request.operation === 'update') return { kind: 'redo' };
      try {
        const result = await this.execute(request, previous, at);
        return { kind: 'done', result, note: 'The bot stopped while Harness was being called; on restart it made the change, which had not happened.' };
      } catch (err) {
        const message = err instanceof HarnessError ? err.message : '';
        if (request.operation === 'create' && /Duplicate name/i.test(message)) {
          return {
            kind: 'done',
            result: { record: { ...baseRecord(request, at), uuid: '' } },
            note: 'The bot stopped while Harness was being called; Harness shows the key exists, but its uuid is unknown to the bot: find it in Harness under Access Management → API Keys.',
          };
        }
        if (request.operation === 'delete' && /No such API key/i.test(message)) {
          return { kind: 'done', result: { record: { ...baseRecord(request, at), ...previous, uuid: request.keyUuid ?? '', requestId: request.id, updatedAt: at, deletedAt: at } }, note: 'The bot stopped while Harness was being called; Harness shows the key is gone.' };
        }
        throw err;
      }
    },
  };
}

function required(uuid: string | undefined): string {
  if (!uuid) throw new AppError('NOT_FOUND', 'The request names no API key.');
  return uuid;
}
