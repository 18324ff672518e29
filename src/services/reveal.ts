import { auditFieldsFor } from '../domain/audit';
import type { ApiKeyRequest } from '../domain/request';
import type { AppLogger } from '../logger';
import type { AuditLog } from '../store/audit-log';
import type { KeyRegistry } from '../store/key-registry';
import type { OutboxStore } from '../store/outbox-store';
import type { RefusalWindow } from '../store/refusal-window';
import type { RequestStore } from '../store/request-store';
import type { TokenVault } from '../store/token-vault';
import type { Outbox } from './outbox';

export type Reveal =
  | { ok: true; request: ApiKeyRequest; value: string; validTo?: number; putBack: () => Promise<void>; shown: () => Promise<void> }
  | { ok: false; message: string };

/**
 * The one reveal of a new NextGen token's value, to its requester only. The value leaves Redis
 * with GETDEL, so a second click, a second replica or another person gets nothing. It counts as
 * revealed (audited, the DM rewritten) only once the modal is open; if anything fails before,
 * it goes back until its original deadline. Every reveal, refusal and
 * expiry is audited; the value and its secret part never are.
 */
export class RevealService {
  constructor(
    private readonly deps: {
      store: RequestStore;
      registry: KeyRegistry;
      vault: TokenVault;
      audit: AuditLog;
      outboxStore: OutboxStore;
      outbox: Outbox;
      refusals: RefusalWindow;
      logger: AppLogger;
      now: () => Date;
    },
  ) {}

  /**
   * Takes the value out for the requester. Nothing is recorded yet: the caller shows it, then
   * calls `shown` (audit + DM), or `putBack` when it could not be shown.
   */
  async reveal(requestId: string, userId: string): Promise<Reveal> {
    const request = await this.deps.store.get(requestId);
    if (!request?.revealUntil) return { ok: false, message: 'There is no token to reveal for this request.' };
    if (request.requesterId !== userId) {
      if (await this.deps.refusals.first(request.id, userId)) {
        await this.audit(request, 'refused', userId, 'reveal: NOT_REQUESTER', await this.deps.refusals.mayMirror(userId));
      }
      return { ok: false, message: 'Only the person who requested this token can reveal it.' };
    }
    const value = await this.deps.vault.take(request.id);
    if (value === undefined) {
      const expired = this.deps.now().getTime() >= request.revealUntil;
      return {
        ok: false,
        message: expired
          ? 'The time to reveal this token has passed and its value is gone. Request a rotation (/apikey rotate) to get a new value.'
          : 'This token was already revealed: it is shown only once. If you did not copy it, request a rotation (/apikey rotate).',
      };
    }
    const putBack = () => this.deps.vault.restore(request.id, value, request.revealUntil ?? 0);
    try {
      const record = request.keyUuid ? await this.deps.registry.get(request.keyUuid) : undefined;
      return {
        ok: true,
        request,
        value,
        validTo: record?.nextgen?.validTo,
        putBack,
        shown: async () => {
          await this.audit(request, 'revealed', userId, tokenLine(record?.nextgen));
          await this.deps.outboxStore.owe(request.id, { kind: 'requester-dm-update', about: 'revealed' });
          this.deps.outbox.soon(request.id);
        },
      };
    } catch (err) {
      // Taken but not shown: it goes back, whatever failed.
      await putBack();
      throw err;
    }
  }

  /** Reveal windows that passed unused: audited once (across replicas) and the DM rewritten. */
  async expireUnrevealed(): Promise<number> {
    const ids = await this.deps.vault.expired(this.deps.now().getTime());
    for (const id of ids) {
      const request = await this.deps.store.get(id);
      if (!request) continue;
      await this.audit(request, 'reveal_expired', 'system', 'the value was never revealed and is gone');
      await this.deps.outboxStore.owe(id, { kind: 'requester-dm-update', about: 'reveal-expired' });
      this.deps.outbox.soon(id);
    }
    return ids.length;
  }

  private async audit(request: ApiKeyRequest, event: 'revealed' | 'reveal_expired' | 'refused', actorId: string, detail: string, mirror = true): Promise<void> {
    await this.deps.audit.append(auditFieldsFor(request, event, actorId, this.deps.now(), { detail }), { mirror });
    this.deps.outbox.soon(request.id);
  }
}

const tokenLine = (t?: { token: string; tokenId?: string; validTo: number }) =>
  t ? `token ${t.token}${t.tokenId ? ` (id ${t.tokenId})` : ''} valid to ${new Date(t.validTo).toISOString()}` : 'token revealed';
