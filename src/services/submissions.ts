import { randomUUID } from 'node:crypto';
import { nameTakenMessage, reasonSchema, resolveKeyUuid, validateKeyRequest, type FieldErrors } from '../domain/key-request-input';
import type { ApiKeyRequest, Operation, UserGroupRef } from '../domain/request';
import type { KeyRecord } from '../domain/key-record';
import type { KeyRegistry } from '../store/key-registry';
import type { RequestStore } from '../store/request-store';
import type { Outbox } from './outbox';
import type { HarnessDirectory } from './harness-directory';

export type Submission = { ok: true; request: ApiKeyRequest } | { ok: false; errors: FieldErrors };

interface KeyRef {
  keyPicked?: string;
  keyTyped?: string;
}

/**
 * Turns a submitted modal into a stored pending request (whose approval message and DM the
 * outbox then delivers), or into inline errors. Validation is
 * the same for every operation (domain/key-request-input.ts); what differs is which key is meant
 * and what the registry knows about it.
 */
export class SubmissionService {
  constructor(
    private readonly deps: {
      store: RequestStore;
      registry: KeyRegistry;
      groups: HarnessDirectory;
      outbox: Outbox;
      now?: () => Date;
      newId?: () => string;
    },
  ) {}

  private now = () => (this.deps.now ?? (() => new Date()))();
  private newId = () => (this.deps.newId ?? (() => `req-${randomUUID()}`))();

  /**
   * A valid form goes straight to the store, whose atomic step checks the name where it reserves
   * it (one round trip before the ack, not two); a form with problems also hears whether the name
   * is taken, so the person sees every problem at once.
   */
  async create(requesterId: string, raw: { name: unknown; userGroupIds: unknown; reason: unknown }): Promise<Submission> {
    const groupsById = await this.deps.groups.byId();
    let checked = validateKeyRequest(raw, { nameTaken: () => false, groupsById });
    if (!checked.ok && !checked.errors.name && typeof raw.name === 'string') {
      const taken = await this.deps.registry.nameInUse(raw.name);
      checked = validateKeyRequest(raw, { nameTaken: () => taken, groupsById });
    }
    if (!checked.ok) return checked;
    return this.store(this.draft(requesterId, 'create', {
      keyName: checked.value.name,
      userGroups: refs(checked.value.userGroupIds, groupsById),
      reason: checked.value.reason,
    }));
  }

  /** Harness REPLACES name and groups: the request always carries the full new set. */
  async update(requesterId: string, raw: KeyRef & { name: unknown; userGroupIds: unknown; reason: unknown }): Promise<Submission> {
    const [key, { groupsById, nameInUse }] = await Promise.all([this.resolveKey(raw), this.lookups(raw.name)]);
    const current = key.ok ? key.current : undefined;
    const checked = validateKeyRequest(raw, { nameTaken: (n) => nameInUse && n !== current?.name, groupsById });
    const errors: FieldErrors = checked.ok ? {} : { ...checked.errors };
    if (!key.ok) errors.key = key.error;
    if (checked.ok && current && checked.value.name === current.name && sameSet(checked.value.userGroupIds, current.userGroups.map((g) => g.id))) {
      errors.name = 'Nothing would change: the name and user groups are the ones the key has now.';
    }
    if (!checked.ok || !key.ok || Object.keys(errors).length > 0) return { ok: false, errors };
    return this.store(
      this.draft(requesterId, 'update', {
        keyUuid: key.uuid,
        keyName: checked.value.name,
        userGroups: refs(checked.value.userGroupIds, groupsById),
        reason: checked.value.reason,
        ...(current ? { previousName: current.name, previousUserGroups: current.userGroups } : {}),
      }),
    );
  }

  async delete(requesterId: string, raw: KeyRef & { reason: unknown; confirmed: boolean }): Promise<Submission> {
    const key = await this.resolveKey(raw);
    const reason = reasonSchema.safeParse(raw.reason);
    const errors: FieldErrors = {};
    if (!key.ok) errors.key = key.error;
    if (!reason.success) errors.reason = reason.error.issues[0]?.message ?? 'Say why the key should be deleted.';
    if (!raw.confirmed) errors.confirm = 'Confirm that the key stops working as soon as the request is approved.';
    if (!key.ok || !reason.success || Object.keys(errors).length > 0) return { ok: false, errors };
    return this.store(
      this.draft(requesterId, 'delete', {
        keyUuid: key.uuid,
        keyName: key.current?.name ?? '',
        userGroups: key.current?.userGroups ?? [],
        reason: reason.data,
      }),
    );
  }

  /** What validating a name and a group set needs: the account's groups, and whether the name is taken. */
  private async lookups(name: unknown): Promise<{ groupsById: ReadonlyMap<string, string>; nameInUse: boolean }> {
    const [groupsById, nameInUse] = await Promise.all([
      this.deps.groups.byId(),
      typeof name === 'string' ? this.deps.registry.nameInUse(name) : Promise.resolve(false),
    ]);
    return { groupsById, nameInUse };
  }

  private async resolveKey(raw: KeyRef): Promise<{ ok: true; uuid: string; current?: KeyRecord } | { ok: false; error: string }> {
    const resolved = resolveKeyUuid(raw.keyPicked, raw.keyTyped);
    if (!resolved.ok) return resolved;
    const current = await this.deps.registry.get(resolved.uuid);
    // A picked key comes from the bot's registry: anything else in that field was not picked.
    if (raw.keyPicked !== undefined && !current) return { ok: false, error: 'Pick a key from the list.' };
    if (current?.deletedAt) return { ok: false, error: `That key (${current.name}) was already deleted on ${current.deletedAt.slice(0, 10)}.` };
    return { ok: true, uuid: resolved.uuid, current };
  }

  /** A new pending request of `requesterId` with the given fields. */
  draft(
    requesterId: string,
    operation: Operation,
    fields: Pick<ApiKeyRequest, 'keyName' | 'userGroups' | 'reason'> & Partial<Pick<ApiKeyRequest, 'keyUuid' | 'previousName' | 'previousUserGroups' | 'nextgen'>>,
  ): ApiKeyRequest {
    const at = this.now().toISOString();
    return { id: this.newId(), operation, state: 'pending', version: 0, requesterId, createdAt: at, updatedAt: at, ...fields };
  }

  /** Stores the request (owing its approval message and DM), or says why it cannot be filed. */
  async store(request: ApiKeyRequest): Promise<Submission> {
    let stored: Awaited<ReturnType<RequestStore['create']>> | { ok: true };
    try {
      stored = await this.deps.store.create(request);
    } catch (err) {
      // The reply may be lost while the request landed (a Redis timeout): look before failing.
      if (!(await this.deps.store.get(request.id).catch(() => undefined))) throw err;
      stored = { ok: true };
    }
    if (stored.ok) {
      this.deps.outbox.soon(request.id);
      return { ok: true, request };
    }
    if (stored.reason === 'KEY_BUSY') {
      return { ok: false, errors: { key: `This key already has an open request (${stored.holder}): wait until it is decided.` } };
    }
    // The name was reserved already (a create checks it only here; an update may lose a race between its check and the write).
    return { ok: false, errors: { name: nameTakenMessage(request.keyName) } };
  }
}

function refs(ids: string[], groupsById: ReadonlyMap<string, string>): UserGroupRef[] {
  return ids.map((id) => ({ id, name: groupsById.get(id) ?? id }));
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
