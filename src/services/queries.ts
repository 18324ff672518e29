import { parseAuditQuery, type AuditQuery } from '../domain/audit-query';
import { isTerminal, type ApiKeyRequest } from '../domain/request';
import { standaloneAuditFields, type AuditEntry } from '../domain/audit';
import { isExpired, type KeyRecord } from '../domain/key-record';
import type { AuditLog } from '../store/audit-log';
import type { KeyRegistry } from '../store/key-registry';
import type { RefusalWindow } from '../store/refusal-window';
import type { RequestStore } from '../store/request-store';
import type { ApproverDirectory } from './approvers';
import type { Outbox } from './outbox';

export const AUDIT_PAGE_SIZE = 20;

export type AuditReview =
  | { ok: true; query: AuditQuery; text: string; entries: AuditEntry[]; next?: string }
  | { ok: false; message: string };

/** Read-only questions: keys the bot knows, someone's requests, the audit trail. */
export class QueryService {
  constructor(
    private readonly deps: {
      store: RequestStore;
      registry: KeyRegistry;
      audit: AuditLog;
      approvers: ApproverDirectory;
      outbox: Outbox;
      refusals: RefusalWindow;
      now?: () => number;
    },
  ) {}

  /** Live FirstGen keys whose name (or uuid) contains the query, for the key pickers. */
  async searchKeys(query: string, limit = 100): Promise<KeyRecord[]> {
    return this.search(query, limit, (k) => !k.nextgen);
  }

  /** Live NextGen tokens (not deleted, not expired) matching the query by name, service account or identifier. */
  async searchTokens(query: string, limit = 100): Promise<KeyRecord[]> {
    const now = (this.deps.now ?? Date.now)();
    return this.search(query, limit, (k) => k.nextgen !== undefined && !isExpired(k, now), (k) => [k.nextgen?.serviceAccount.name ?? '', k.nextgen?.apiKey ?? '']);
  }

  private async search(query: string, limit: number, kind: (k: KeyRecord) => boolean, more: (k: KeyRecord) => string[] = () => []): Promise<KeyRecord[]> {
    const q = query.trim().toLowerCase();
    const keys = (await this.deps.registry.all()).filter((k) => !k.deletedAt && kind(k));
    const matches = (k: KeyRecord) => [k.name, ...more(k)].some((text) => text.toLowerCase().includes(q)) || k.uuid === query.trim();
    return keys.filter((k) => !q || matches(k)).slice(0, limit);
  }

  getKey(uuid: string): Promise<KeyRecord | undefined> {
    return this.deps.registry.get(uuid);
  }

  /** `/apikey list`: every key the bot knows, and the caller's open requests. */
  async overview(userId: string): Promise<{ keys: KeyRecord[]; openRequests: ApiKeyRequest[] }> {
    const [keys, mine] = await Promise.all([this.deps.registry.all(), this.deps.store.recentOf(userId, 50)]);
    return { keys, openRequests: mine.filter((r) => !isTerminal(r.state)) };
  }

  /** The App Home: the caller's recent requests and, for approvers, what waits for them. */
  async home(userId: string): Promise<{ mine: ApiKeyRequest[]; waiting?: ApiKeyRequest[] }> {
    const [mine, approver] = await Promise.all([this.deps.store.recentOf(userId, 10), this.deps.approvers.isApprover(userId).catch(() => false)]);
    if (!approver) return { mine };
    const open = await Promise.all((await this.deps.store.openIds(200)).map((id) => this.deps.store.get(id)));
    const waiting = open.filter((r): r is ApiKeyRequest => r?.state === 'pending' && r.requesterId !== userId).slice(0, 20);
    return { mine, waiting };
  }

  /** `/apikey audit …`, for approvers only, newest first, a page at a time. */
  async auditReview(actorId: string, text: string, before?: string): Promise<AuditReview> {
    const now = (this.deps.now ?? Date.now)();
    if (!(await this.deps.approvers.isApprover(actorId))) {
      if (await this.deps.refusals.first('audit-review', actorId)) {
        const mirror = await this.deps.refusals.mayMirror(actorId);
        await this.deps.audit.append(standaloneAuditFields('refused', 'audit', actorId, new Date(now), 'audit review: NOT_APPROVER'), { mirror });
        this.deps.outbox.soon('-');
      }
      return { ok: false, message: 'Only API key approvers can review the audit trail.' };
    }
    const parsed = parseAuditQuery(text, now);
    if (!parsed.ok) return { ok: false, message: parsed.error };
    const { query } = parsed;
    const page = await this.deps.audit.eventsOf(query.target, { limit: AUDIT_PAGE_SIZE, before, sinceMs: query.sinceMs });
    return { ok: true, query, text, ...page };
  }
}
