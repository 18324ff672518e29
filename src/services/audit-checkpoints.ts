import type Redis from 'ioredis';
import type { AppLogger } from '../logger';
import { chainKeys, chainSnapshot, parseCheckpoint, signCheckpoint, type AuditCheckpoint } from '../store/audit-chain';
import { guard } from '../store/redis';
import type { Notifier } from './notifier';

/**
 * Once a period (AUDIT_CHECKPOINT_INTERVAL), one replica records where the audit chain stands:
 * the stream's length, its newest id and that entry's hash, HMAC-signed when keyed. It is kept in
 * Redis (`<stream>:checkpoints`, for `npm run audit:verify`) and posted to the audit channel, a
 * copy out of reach of anyone who can only write Redis. Someone who rewrites history and
 * recomputes the chain still contradicts the checkpoints taken before.
 *
 * Every replica wakes at each period boundary; SET NX on the period lets only one record it. A
 * period in which the trail did not grow records nothing: the previous checkpoint still holds.
 */
export class AuditCheckpoints {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = true;

  constructor(
    private readonly deps: {
      redis: Redis;
      streamKey: string;
      hmacKey?: string;
      intervalMs: number;
      notifier: Notifier;
      logger: AppLogger;
      now: () => Date;
    },
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Records this period's checkpoint unless another replica did, or the trail did not grow; returns it when recorded here. */
  async record(): Promise<AuditCheckpoint | undefined> {
    const { redis, streamKey, intervalMs, hmacKey, notifier, logger } = this.deps;
    const now = this.deps.now();
    const period = Math.floor(now.getTime() / intervalMs);
    const claimed = await guard(() => redis.set(chainKeys.checkpointClaim(streamKey, period), '1', 'PX', intervalMs * 2, 'NX'));
    if (claimed !== 'OK') return undefined;
    const snap = await chainSnapshot(redis, streamKey);
    if (!snap.lastId) return undefined;
    const previous = parseCheckpoint((await guard(() => redis.lindex(chainKeys.checkpoints(streamKey), -1))) ?? '');
    if (previous?.lastId === snap.lastId) return undefined;
    const checkpoint: AuditCheckpoint = { at: now.toISOString(), length: snap.length, lastId: snap.lastId, headHash: snap.lastHash ?? '' };
    if (hmacKey) checkpoint.signature = signCheckpoint(checkpoint, hmacKey);
    await guard(() => redis.rpush(chainKeys.checkpoints(streamKey), JSON.stringify(checkpoint)));
    logger.info('audit checkpoint recorded', { length: checkpoint.length, lastId: checkpoint.lastId, headHash: checkpoint.headHash, signed: Boolean(hmacKey) });
    try {
      await notifier.checkpointRecorded(checkpoint);
    } catch (err) {
      logger.warn('could not post the audit checkpoint to Slack; it is kept in Redis', err);
    }
    return checkpoint;
  }

  /** Wakes just after the next period boundary (plus a little jitter, so replicas do not all race at once). */
  private schedule(): void {
    if (this.stopped) return;
    const { intervalMs } = this.deps;
    const t = this.deps.now().getTime();
    const wait = (Math.floor(t / intervalMs) + 1) * intervalMs - t + Math.random() * Math.min(1000, intervalMs / 10);
    this.timer = setTimeout(() => {
      this.running = this.record()
        .catch((err: unknown) => this.deps.logger.warn('audit checkpoint failed (the next period tries again)', err))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, wait);
    this.timer.unref();
  }
}
