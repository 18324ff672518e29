import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { z } from 'zod';
import type { AppLogger } from '../logger';
import { redisKeys } from '../store/keys';
import { guard, releaseLock, renewLock } from '../store/redis';
import { AppError } from '../errors';

/**
 * A list from Harness for a picker (FirstGen user groups, NextGen service accounts), cached in
 * Redis for every replica. Harness's budget is small and its search is not what a picker needs,
 * so the picker searches this cache locally and a keystroke never reaches Harness. A stale cache
 * is still served while one replica (holding a Redis lock) refreshes it in the background.
 */
export interface DirectoryEntry {
  id: string;
  name: string;
}
const cached = z.object({ fetchedAt: z.number(), groups: z.array(z.object({ id: z.string(), name: z.string() })) });
type Cached = z.infer<typeof cached>;

const KEEP_STALE_SECONDS = 24 * 3600;
const MEMO_MS = 2000;
/** Refreshes start at most once a minute per cluster. */
const SPACING_MS = 60_000;
/**
 * While a refresh runs, its lock lives this long and is renewed every third of it: a replica
 * killed mid-refresh holds the others up for this long at most, not for the whole minute.
 */
const LEASE_MS = 15_000;

export class HarnessDirectory {
  private memo?: { at: number; value: Cached; byId: Map<string, string>; lowerNames: string[] };
  private inflight?: Promise<Cached | undefined>;
  /** This process's mark on the refresh lock, so that it only ever releases its own. */
  private readonly token = randomUUID();

  private readonly keys;

  constructor(
    private readonly redis: Redis,
    /** Every entry, from Harness (all pages). */
    private readonly fetchAll: () => Promise<DirectoryEntry[]>,
    private readonly options: { what: 'user groups' | 'service accounts'; cacheKey: string; ttlSeconds: number; logger: AppLogger },
    private readonly now: () => number = Date.now,
  ) {
    this.keys = redisKeys.directory(options.cacheKey);
  }

  private get ttlSeconds() {
    return this.options.ttlSeconds;
  }

  private get logger() {
    return this.options.logger;
  }

  /** All entries, sorted by name. Waits for Harness at most `waitMs` when nothing is cached yet. */
  async list(waitMs = 2000): Promise<DirectoryEntry[]> {
    return (await this.load(waitMs))?.groups ?? [];
  }

  /**
   * The account's groups by id, for validating a submission. Without any list (nothing cached and
   * Harness unreachable) every id would look unknown, so this says so instead of guessing.
   */
  async byId(waitMs = 2000): Promise<Map<string, string>> {
    const loaded = await this.load(waitMs);
    if (!loaded || !this.memo) throw unavailable(this.options.what, 'so the choice cannot be checked. Nothing was submitted; try again in a minute.');
    return this.memo.byId;
  }

  /** Case-insensitive match on name (or exact id), names starting with the query first. */
  async search(query: string, limit = 100): Promise<DirectoryEntry[]> {
    const loaded = await this.load(2000);
    if (!loaded) throw unavailable(this.options.what, 'so none can be picked. Try again in a minute; the bot operators can see why in its log.');
    const groups = loaded.groups;
    const lowerNames = this.memo?.value.groups === groups ? this.memo.lowerNames : groups.map((g) => g.name.toLowerCase());
    const q = query.trim().toLowerCase();
    if (!q) return groups.slice(0, limit);
    const starts: DirectoryEntry[] = [];
    const contains: DirectoryEntry[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      const name = lowerNames[i]!;
      if (name.startsWith(q) || g.id === query.trim()) starts.push(g);
      else if (name.includes(q)) contains.push(g);
      if (starts.length >= limit) break;
    }
    return [...starts, ...contains].slice(0, limit);
  }

  /** Starts a refresh if the cache is stale; never waits for Harness. */
  warm(): void {
    void this.load(0).catch((err: unknown) => this.logger.warn(`${this.options.what} cache warm-up failed`, err));
  }

  private async load(waitMs: number): Promise<Cached | undefined> {
    const t = this.now();
    if (this.memo && t - this.memo.at < MEMO_MS) return this.memo.value;
    if (this.memo) {
      // The list is ~60 KB for 1,000 groups: re-read and re-parse it only when it has changed.
      const version = await guard(() => this.redis.get(this.keys.version));
      if (version === String(this.memo.value.fetchedAt)) {
        this.memo.at = t;
        if (t - this.memo.value.fetchedAt > this.ttlSeconds * 1000) void this.refresh();
        return this.memo.value;
      }
    }
    const value = await this.readCache();
    if (value) {
      this.remember(value);
      if (t - value.fetchedAt > this.ttlSeconds * 1000) void this.refresh();
      return value;
    }
    if (waitMs <= 0) {
      void this.refresh();
      return undefined;
    }
    // Nothing cached: refresh, or, when another replica holds the refresh lock, wait for its list
    // to land. Either way at most `waitMs`: an empty picker must never stand for an empty account.
    const deadline = Date.now() + waitMs;
    const refreshed = await withTimeout(this.refresh(), waitMs);
    if (refreshed) return refreshed;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, Math.min(100, Math.max(1, deadline - Date.now()))));
      const landed = await this.readCache();
      if (landed) {
        this.remember(landed);
        return landed;
      }
    }
    return undefined;
  }

  private async readCache(): Promise<Cached | undefined> {
    const raw = await guard(() => this.redis.get(this.keys.list));
    if (!raw) return undefined;
    try {
      const parsed = cached.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  private remember(value: Cached) {
    this.memo = {
      at: this.now(),
      value,
      byId: new Map(value.groups.map((g) => [g.id, g.name])),
      lowerNames: value.groups.map((g) => g.name.toLowerCase()),
    };
  }

  /** One refresh per process at a time, and one per cluster (Redis lock) per minute at most. */
  refresh(force = false): Promise<Cached | undefined> {
    this.inflight ??= (async () => {
      try {
        const started = Date.now();
        const lock = await this.redis.set(this.keys.lock, this.token, 'PX', LEASE_MS, 'NX');
        if (lock !== 'OK' && !force) return undefined;
        const groups = await this.whileLeased(() => this.fetchAll());
        groups.sort((a, b) => a.name.localeCompare(b.name));
        const value: Cached = { fetchedAt: this.now(), groups };
        const keep = this.ttlSeconds + KEEP_STALE_SECONDS;
        await this.redis
          .multi()
          .set(this.keys.list, JSON.stringify(value), 'EX', keep)
          .set(this.keys.version, String(value.fetchedAt), 'EX', keep)
          .exec();
        this.remember(value);
        // Done: the lock now only spaces refreshes, a minute from this one's start.
        await renewLock(this.redis, this.keys.lock, this.token, Math.max(1, SPACING_MS - (Date.now() - started))).catch(() => undefined);
        this.logger.info(`${this.options.what} cache refreshed`, { entries: groups.length });
        return value;
      } catch (err) {
        this.logger.warn(`${this.options.what} cache refresh failed`, err);
        // Try again sooner than the usual minute, still without hammering a struggling Harness.
        await this.redis.set(this.keys.lock, this.token, 'PX', 10_000).catch(() => undefined);
        return undefined;
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }

  /** Runs `work` while renewing this process's refresh lease. */
  private async whileLeased<T>(work: () => Promise<T>): Promise<T> {
    const renew = setInterval(() => void renewLock(this.redis, this.keys.lock, this.token, LEASE_MS).catch(() => undefined), LEASE_MS / 3);
    try {
      return await work();
    } finally {
      clearInterval(renew);
    }
  }

  /**
   * On shutdown: a refresh cut short by the stop releases the lock it took, so that another
   * replica with nothing cached refreshes now instead of saying "unavailable" for up to a minute.
   * (A finished refresh keeps it: the lock also spaces refreshes a minute apart.)
   */
  async stop(): Promise<void> {
    if (!this.inflight) return;
    await releaseLock(this.redis, this.keys.lock, this.token).catch((err: unknown) => this.logger.warn('could not release the refresh lock', err));
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

const unavailable = (what: string, then: string) =>
  new AppError('GROUPS_UNAVAILABLE', `The list of Harness ${what} could not be loaded right now, ${then}`);
