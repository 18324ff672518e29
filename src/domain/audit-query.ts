/**
 * `/apikey audit [key name | uuid | @user | request id] [--since 7d]`, parsed. Pure.
 * A bare word is a key (name or uuid); `<@U…>` (Slack's escaped mention) or `@U…` is a person;
 * `req-…` is a request. `--since` takes 30m, 12h, 7d or an ISO date.
 */
export type AuditTarget =
  | { kind: 'all' }
  | { kind: 'user'; userId: string }
  | { kind: 'request'; requestId: string }
  | { kind: 'key'; key: string };

export interface AuditQuery {
  target: AuditTarget;
  sinceMs: number;
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseSince(value: string, now: number): number | undefined {
  const rel = /^(\d{1,5})([mhdw])$/.exec(value);
  if (rel) return now - Number(rel[1]) * UNITS[rel[2]!]!;
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+Z?)?$/.test(value)) {
    const t = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** Longer than any key name, mention and flags together: anything beyond is not a query. */
export const AUDIT_QUERY_MAX = 400;

export function parseAuditQuery(text: string, now: number): { ok: true; query: AuditQuery } | { ok: false; error: string } {
  if (text.length > AUDIT_QUERY_MAX) return { ok: false, error: `That audit query is too long (at most ${AUDIT_QUERY_MAX} characters).` };
  const words = text.trim().split(/\s+/).filter(Boolean);
  let sinceMs = 0;
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--since' || w.startsWith('--since=')) {
      const value = w.includes('=') ? w.slice('--since='.length) : words[++i];
      const parsed = value ? parseSince(value, now) : undefined;
      if (parsed === undefined) return { ok: false, error: '`--since` takes a duration like `30m`, `12h`, `7d`, `2w`, or a date like `2026-01-31`.' };
      if (parsed < 0 || parsed > now) return { ok: false, error: '`--since` must be a moment between 1970 and now.' };
      sinceMs = parsed;
    } else rest.push(w);
  }
  const subject = rest.join(' ');
  if (!subject) return { ok: true, query: { target: { kind: 'all' }, sinceMs } };
  const mention = /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/.exec(subject) ?? /^@([UW][A-Z0-9]{2,})$/.exec(subject);
  if (mention) return { ok: true, query: { target: { kind: 'user', userId: mention[1]! }, sinceMs } };
  if (/^req-[\w-]+$/.test(subject)) return { ok: true, query: { target: { kind: 'request', requestId: subject }, sinceMs } };
  // Slack escapes &, < and > in command text (should_escape); a key name is compared unescaped.
  const key = subject.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return { ok: true, query: { target: { kind: 'key', key }, sinceMs } };
}

/** Stream ids `<ms>-<seq>` compared as numbers (string order is wrong across digit counts). */
export function compareStreamIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const d = BigInt(am) - BigInt(bm);
  if (d !== 0n) return d > 0n ? 1 : -1;
  const s = BigInt(as) - BigInt(bs);
  return s === 0n ? 0 : s > 0n ? 1 : -1;
}
