import { randomBytes } from 'node:crypto';
import { toHarnessIdentifier, validateHarnessName } from '../domain/harness-identifier';
import { isExpired, type KeyRecord } from '../domain/key-record';
import { keyNameSchema, reasonSchema } from '../domain/key-request-input';
import type { NextGenTarget } from '../domain/request';
import type { KeyRegistry } from '../store/key-registry';
import type { HarnessDirectory } from './harness-directory';
import type { SubmissionService } from './submissions';

export type TokenField = 'serviceAccount' | 'name' | 'validity' | 'token' | 'grace' | 'scope' | 'reason' | 'confirm';
export type TokenFieldErrors = Partial<Record<TokenField, string>>;
type Filed = { ok: true; requestId: string } | { ok: false; errors: TokenFieldErrors };

/** The grace periods a rotation offers, in hours (the modal's choices). */
export const GRACE_HOURS = [0, 1, 24, 72, 168] as const;

/**
 * NextGen submissions: a token under an API key under a service account. Validation happens here,
 * on the server, whatever the modal allowed; identifiers are generated, never typed.
 */
export class TokenSubmissionService {
  constructor(
    private readonly deps: {
      submissions: SubmissionService;
      registry: KeyRegistry;
      serviceAccounts: HarnessDirectory;
      maxDays: number;
      now?: () => number;
    },
  ) {}

  private readonly now = () => (this.deps.now ?? Date.now)();

  async create(requesterId: string, raw: { serviceAccountId?: string; name: unknown; days: unknown; reason: unknown }): Promise<Filed> {
    const errors: TokenFieldErrors = {};
    const accounts = await this.deps.serviceAccounts.byId();
    const saName = raw.serviceAccountId === undefined ? undefined : accounts.get(raw.serviceAccountId);
    if (!raw.serviceAccountId) errors.serviceAccount = 'Choose the service account the token acts as.';
    else if (saName === undefined) errors.serviceAccount = 'That is not a service account the bot can see. Pick one from the list.';
    const name = this.name(raw.name, errors);
    const days = this.days(raw.days, errors, true);
    const reason = this.reason(raw.reason, errors);
    if (Object.keys(errors).length > 0 || !name || !days || !reason || !raw.serviceAccountId || saName === undefined) return { ok: false, errors };
    return this.file(
      this.deps.submissions.draft(requesterId, 'create', {
        keyName: name,
        userGroups: [],
        reason,
        nextgen: { serviceAccount: { id: raw.serviceAccountId, name: saName }, apiKey: toHarnessIdentifier(name), token: `tok_${randomBytes(8).toString('hex')}`, days },
      }),
    );
  }

  async rotate(requesterId: string, raw: { token?: string; graceHours?: string; reason: unknown }): Promise<Filed> {
    const errors: TokenFieldErrors = {};
    const token = await this.token(raw.token, errors);
    const grace = Number(raw.graceHours);
    if (!GRACE_HOURS.includes(grace as (typeof GRACE_HOURS)[number])) errors.grace = 'Choose how long the old value keeps working.';
    const reason = this.reason(raw.reason, errors);
    // The new value goes to whoever asks: only the token's own requester may.
    if (token && token.requesterId !== requesterId) {
      errors.token = `Only <@${token.requesterId}>, who requested this token, can ask for its rotation: the new value goes to whoever asks. To cut it off, use /apikey delete.`;
    }
    if (Object.keys(errors).length > 0 || !token?.nextgen || !reason) return { ok: false, errors };
    return this.fileOn(token, token.nextgen, requesterId, 'rotate', reason, { graceMs: grace * 3_600_000 });
  }

  async update(requesterId: string, raw: { token?: string; name: unknown; days: unknown; reason: unknown }): Promise<Filed> {
    const errors: TokenFieldErrors = {};
    const token = await this.token(raw.token, errors);
    const name = raw.name === undefined || raw.name === '' ? undefined : this.name(raw.name, errors);
    const days = raw.days === undefined || raw.days === '' ? undefined : this.days(raw.days, errors, false);
    const reason = this.reason(raw.reason, errors);
    if (!errors.name && !errors.validity && name === undefined && days === undefined) errors.name = 'Nothing would change: give a new name, a new validity, or both.';
    if (Object.keys(errors).length > 0 || !token?.nextgen || !reason) return { ok: false, errors };
    return this.fileOn(token, token.nextgen, requesterId, 'update', reason, days ? { days } : {}, { keyName: name ?? token.name, previousName: token.name });
  }

  async delete(requesterId: string, raw: { token?: string; scope?: string; reason: unknown; confirmed: boolean }): Promise<Filed> {
    const errors: TokenFieldErrors = {};
    const token = await this.token(raw.token, errors, { expiredOk: true });
    if (raw.scope !== 'token' && raw.scope !== 'key') errors.scope = 'Choose whether to delete the token or the whole API key.';
    const reason = this.reason(raw.reason, errors);
    if (!raw.confirmed) errors.confirm = 'Confirm that it stops working as soon as the request is approved.';
    if (Object.keys(errors).length > 0 || !token?.nextgen || !reason || (raw.scope !== 'token' && raw.scope !== 'key')) return { ok: false, errors };
    return this.fileOn(token, token.nextgen, requesterId, 'delete', reason, { scope: raw.scope });
  }

  /** A request about a token the bot knows: where it lives comes from its record, `extra` says what to do. */
  private fileOn(
    token: KeyRecord,
    t: NonNullable<KeyRecord['nextgen']>,
    requesterId: string,
    operation: 'rotate' | 'update' | 'delete',
    reason: string,
    extra: Partial<NextGenTarget>,
    fields: { keyName?: string; previousName?: string } = {},
  ): Promise<Filed> {
    return this.file(
      this.deps.submissions.draft(requesterId, operation, {
        keyUuid: token.uuid,
        keyName: token.name,
        userGroups: [],
        reason,
        ...fields,
        nextgen: { serviceAccount: t.serviceAccount, apiKey: t.apiKey, token: t.token, validTo: t.validTo, ...extra },
      }),
    );
  }

  private async file(request: Parameters<SubmissionService['store']>[0]): Promise<Filed> {
    const stored = await this.deps.submissions.store(request);
    if (stored.ok) return { ok: true, requestId: stored.request.id };
    return { ok: false, errors: { token: stored.errors.key ?? stored.errors.name ?? 'This request could not be filed.' } };
  }

  private name(raw: unknown, errors: TokenFieldErrors): string | undefined {
    const parsed = keyNameSchema.safeParse(raw);
    const problem = parsed.success ? validateHarnessName(parsed.data) : parsed.error.issues[0]?.message;
    if (problem || !parsed.success) errors.name = problem ?? 'Enter a name.';
    return parsed.success && !problem ? parsed.data : undefined;
  }

  private days(raw: unknown, errors: TokenFieldErrors, required: boolean): number | undefined {
    const text = typeof raw === 'string' ? raw.trim() : '';
    const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > this.deps.maxDays) {
      if (required || text !== '') errors.validity = `Give a whole number of days from 1 to ${this.deps.maxDays}.`;
      return undefined;
    }
    return n;
  }

  private reason(raw: unknown, errors: TokenFieldErrors): string | undefined {
    const parsed = reasonSchema.safeParse(raw);
    if (!parsed.success) errors.reason = parsed.error.issues[0]?.message ?? 'Say why.';
    return parsed.success ? parsed.data : undefined;
  }

  /** A token the bot minted and that still exists (Harness deletes expired tokens by itself). */
  private async token(uuid: string | undefined, errors: TokenFieldErrors, options: { expiredOk?: boolean } = {}): Promise<KeyRecord | undefined> {
    const record = uuid && /^[A-Za-z_][\w]{0,127}$/.test(uuid) ? await this.deps.registry.get(uuid) : undefined;
    if (!record?.nextgen) errors.token = 'Pick a token from the list (tokens the bot created).';
    else if (record.deletedAt) errors.token = `That token was deleted on ${record.deletedAt.slice(0, 10)}.`;
    else if (!options.expiredOk && isExpired(record, this.now())) errors.token = 'That token has expired and Harness has removed it: request a new one with /apikey create.';
    else return record;
    return undefined;
  }
}
