import Redis, { ReplyError } from 'ioredis';
import { AppError, storeUnavailable } from '../errors';

/**
 * ioredis with options that keep Slack's 3-second deadline: with the defaults a command issued
 * while Redis is down waits in the offline queue for over a minute. Here it fails at once
 * (no offline queue), a hung connection fails after `commandTimeout`, and the client keeps
 * reconnecting in the background so the bot recovers by itself.
 */
export function createRedis(url: string, options: { commandTimeoutMs?: number; name?: string } = {}): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    connectionName: options.name ?? 'apikey-bot',
    lazyConnect: false,
  });
}

/** Resolves once the client is ready, or after `timeoutMs` (the bot still starts; /readyz says 503). */
export function waitForReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.on('ready', onReady);
  });
}

/**
 * Errors from a Redis call, told apart: Redis answering with an error (WRONGTYPE, a script
 * refusing a value) means the bot sent something it should not have — an input it failed to
 * validate, a bug — and is reported as such; anything else (refused, closed, timed out) is an
 * outage, which people read as "temporarily unavailable".
 */
export async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof ReplyError) {
      throw new AppError('STORE_REJECTED', 'That input could not be stored. Nothing was changed; check it (unusual characters?) and try again.', { cause: err });
    }
    throw storeUnavailable(err);
  }
}

type ScriptFn = (numKeys: number, ...args: (string | number)[]) => Promise<unknown>;

/**
 * Defines a Lua script once per connection and returns a caller taking (keys, named args): the
 * one shape every script here has.
 */
export function script(redis: Redis, name: string, lua: string): (keys: string[], args: Record<string, unknown>) => Promise<unknown> {
  const commands = redis as unknown as Record<string, ScriptFn | undefined>;
  if (!commands[name]) redis.defineCommand(name, { lua });
  return (keys, args) => guard(() => commands[name]!.call(redis, keys.length, ...keys, JSON.stringify(args)));
}

/** Lua: answers `then`'s value only while KEYS[1] still holds ARGV[1] (a lock's token), else 0. */
const whileOurs = (then: string) => `if redis.call('GET', KEYS[1]) == ARGV[1] then return ${then} end return 0`;
const RENEW = whileOurs("redis.call('PEXPIRE', KEYS[1], ARGV[2])");
const RELEASE = whileOurs("redis.call('DEL', KEYS[1])");

/** Extends a lock taken with `SET key token PX … NX` to `ttlMs` more; false when it is no longer ours. */
export async function renewLock(redis: Redis, key: string, token: string, ttlMs: number): Promise<boolean> {
  return (await guard(() => redis.eval(RENEW, 1, key, token, ttlMs))) === 1;
}

/** Deletes a lock only while it is ours: after a long pause it may have expired and been taken by another process. */
export async function releaseLock(redis: Redis, key: string, token: string): Promise<void> {
  await guard(() => redis.eval(RELEASE, 1, key, token));
}
