import { Writable } from 'node:stream';
import Redis from 'ioredis';
import { createApp } from '../../src/app';
import { exportAudit } from '../../src/cli/audit-export';
import { EXIT, runVerify } from '../../src/cli/audit-verify';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { groupId } from '../../src/simulators/harness-firstgen';
import { ACTIONS } from '../../src/slack/ids';
import { GENESIS, chainKeys, hashEntry, parseCheckpoint } from '../../src/store/audit-chain';
import { auditPairs } from '../../src/store/audit-log';
import type { AuditFields } from '../../src/domain/audit';
import { APPROVERS, AUDIT_CHANNEL, REQUESTER, botEnv, startEnvironment, type Environment } from '../helpers/environment';
import { createKey, readAudit, submitCreate, waitUntil } from '../helpers/flows';

const KEY = 'integration-audit-hmac-key-0123456789abcdef';

async function verify(env: Environment, extra: Record<string, string> = {}, argv: string[] = []) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runVerify(argv, { REDIS_URL: env.redis.url, AUDIT_HMAC_KEY: KEY, ...extra }, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('audit trail integrity, through the running bot', () => {
  let env: Environment;
  let redis: Redis;
  const checkpointPosts = () => env.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === AUDIT_CHANNEL && String(c.args.text).includes('Audit checkpoint'));
  beforeAll(async () => {
    env = await startEnvironment({ env: { AUDIT_HMAC_KEY: KEY, AUDIT_CHECKPOINT_INTERVAL: '1s' } });
    redis = new Redis(env.redis.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await env.close();
  });

  it('chains every entry it writes (create, transitions, a refused click) with HMAC-SHA256, and verifies clean', async () => {
    await createKey(env, REQUESTER, APPROVERS[0]!, 'chained-key', [groupId(1)]);
    const pending = await submitCreate(env, REQUESTER, 'self-approved', [groupId(2)]);
    await env.sender.button(REQUESTER, ACTIONS.approve, pending);
    const entries = await waitUntil(async () => {
      const all = await readAudit(env);
      return all.some((e) => e.event === 'refused') && all;
    });
    expect(entries.map((e) => e.event)).toEqual(['requested', 'approved', 'executed', 'requested', 'refused']);
    entries.forEach((e, i) => {
      expect(e.prevHash).toBe(i === 0 ? GENESIS : entries[i - 1]!.hash);
      const { id: _id, ...fields } = e;
      expect(e.hash).toBe(hashEntry(fields, e.prevHash!, KEY));
    });
    expect(await redis.get(chainKeys.head(env.config.auditStreamKey))).toBe(entries[4]!.hash);

    const { code, out } = await verify(env);
    expect(out).toContain('Result: VALID');
    expect(out).toMatch(/entries checked: +5/);
    expect(code).toBe(EXIT.ok);
  });

  it('posts a signed checkpoint to the audit channel, one per period however many replicas run', async () => {
    await env.startReplica();
    const stream = env.config.auditStreamKey;
    const lastId = (await redis.xrevrange(stream, '+', '-', 'COUNT', 1))[0]![0];
    const post = await waitUntil(() => checkpointPosts().find((c) => String(c.args.text).includes(lastId)), 5000, 'a checkpoint of the current trail');
    expect(String(post.args.text)).toMatch(/HMAC-SHA256 signature `[0-9a-f]{64}`/);
    // One more event; the next period records it, once.
    await submitCreate(env, REQUESTER, 'one-more-event', [groupId(3)]);
    const newest = await waitUntil(async () => {
      const [row] = await redis.xrevrange(stream, '+', '-', 'COUNT', 1);
      return row![0] !== lastId && row![0];
    });
    await waitUntil(() => checkpointPosts().some((c) => String(c.args.text).includes(newest)), 5000, 'the next checkpoint');
    await new Promise((r) => setTimeout(r, 1500));
    const stored = (await redis.lrange(chainKeys.checkpoints(stream), 0, -1)).map((raw) => parseCheckpoint(raw)!);
    expect(stored.map((c) => c.lastId)).toEqual([...new Set(stored.map((c) => c.lastId))]);
    expect(checkpointPosts()).toHaveLength(stored.length);
    expect(stored.every((c) => /^[0-9a-f]{64}$/.test(c.signature ?? ''))).toBe(true);
    expect((await verify(env)).out).toMatch(new RegExp(`checkpoints checked: +${stored.length} \\(${stored.length} matched\\)`));
  });

  it('exports the hashes with every entry', async () => {
    const lines: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    await exportAudit(redis, env.config.auditStreamKey, { sinceMs: 0 }, out);
    const exported = lines.map((l) => JSON.parse(l) as Record<string, string>);
    expect(exported.length).toBeGreaterThan(4);
    for (const e of exported) expect(e).toEqual(expect.objectContaining({ prevHash: expect.stringMatching(/^[0-9a-f]{64}$/) as string, hash: expect.stringMatching(/^[0-9a-f]{64}$/) as string }));
  });

  it('never sends the key to Redis, Slack or the log', async () => {
    const dump: string[] = [];
    for (const k of await redis.keys('*')) {
      const type = await redis.type(k);
      if (type === 'stream') dump.push(JSON.stringify(await redis.xrange(k, '-', '+')));
      else if (type === 'string') dump.push(String(await redis.get(k)));
      else if (type === 'list') dump.push(...(await redis.lrange(k, 0, -1)));
    }
    const everything = [dump.join('\n'), env.logs.join('\n'), JSON.stringify(env.slack.calls)].join('\n');
    expect(everything).not.toContain(KEY);
  });

  it('catches history rewritten and re-hashed even with the key, by the checkpoints (exit 1)', async () => {
    const stream = env.config.auditStreamKey;
    const rows = await redis.xrange(stream, '-', '+');
    let prev = GENESIS;
    const rewritten = rows.map(([id, flat]) => {
      const f = Object.fromEntries(flat.flatMap((v, i) => (i % 2 === 0 ? [[v, flat[i + 1]!]] : []))) as AuditFields;
      delete f.prevHash;
      delete f.hash;
      const content = { ...f, actorId: f.event === 'approved' ? 'U0SOMEONEELSE' : f.actorId };
      const hash = hashEntry(content, prev, KEY);
      const pairs = auditPairs({ ...content, prevHash: prev, hash });
      prev = hash;
      return [id, pairs] as const;
    });
    await redis.del(stream);
    for (const [id, pairs] of rewritten) await redis.xadd(stream, id, ...pairs);
    await redis.set(chainKeys.head(stream), prev);
    const { code, out } = await verify(env);
    expect(out).toMatch(/^CHANGED +\d+-\d+ +entry .* the trail up to it was rewritten$/m);
    expect(out).toContain('Result: INVALID');
    expect(code).toBe(EXIT.tampered);
  });

  it('exits 2 on a bad argument or a short key, and 69 when Redis is unreachable', async () => {
    expect((await verify(env, {}, ['--frobnicate'])).code).toBe(EXIT.usage);
    const short = await verify(env, { AUDIT_HMAC_KEY: 'short' });
    expect(short.code).toBe(EXIT.usage);
    expect(short.err).toContain('AUDIT_HMAC_KEY must be at least 32 characters');
    const noKey = await verify(env, { AUDIT_HMAC_KEY: '' });
    expect(noKey).toMatchObject({ code: EXIT.usage, err: expect.stringContaining('set AUDIT_HMAC_KEY') as string });
    expect((await verify(env, { REDIS_URL: 'redis://127.0.0.1:1' })).code).toBe(EXIT.unavailable);
  });

  it('warns at start-up when AUDIT_HMAC_KEY is unset, and not when it is set', async () => {
    const warning = (l: string) => l.includes('"warn"') && l.includes('AUDIT_HMAC_KEY is not set');
    expect(env.logs.some(warning)).toBe(false);
    const lines: string[] = [];
    const config = loadConfig(botEnv({ slackApiUrl: env.slack.apiUrl, harnessUrl: env.harness.url, redisUrl: env.redis.url }));
    const bot = createApp(config, { logger: createLogger({ level: 'info', secrets: [], write: (l) => lines.push(l) }), slackRetryConfig: { retries: 0 } });
    await bot.start();
    await bot.stop();
    expect(lines.some(warning)).toBe(true);
  });
});
