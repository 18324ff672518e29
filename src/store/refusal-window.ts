import type Redis from 'ioredis';
import { guard } from './redis';

/** One audit entry per person and subject per window, however often they retry. */
const WINDOW_S = 10 * 60;
/** Refusals a person may put into the audit channel per hour; the trail itself keeps all (one per window). */
const MIRRORS_PER_HOUR = 5;

/**
 * Bounds what refused attempts cost: a person clicking Approve on someone else's request a
 * thousand times leaves one audit entry per ten minutes, and at most five lines an hour in the
 * audit channel. Ids are validated before they get here, so keys stay bounded too.
 */
export class RefusalWindow {
  constructor(private readonly redis: Redis) {}

  /** True for the first refusal of `actorId` on `subject` in the window. */
  async first(subject: string, actorId: string): Promise<boolean> {
    return (await guard(() => this.redis.set(`apikey:refused:${subject}:${actorId}`, '1', 'EX', WINDOW_S, 'NX'))) === 'OK';
  }

  /** Whether this refusal may still be mirrored to the audit channel this hour. */
  async mayMirror(actorId: string): Promise<boolean> {
    const key = `apikey:refusals-mirrored:${actorId}:${Math.floor(Date.now() / 3_600_000)}`;
    const [[, count]] = ((await guard(() => this.redis.multi().incr(key).expire(key, 3600).exec())) ?? [[null, 0]]) as [[unknown, number]];
    return count <= MIRRORS_PER_HOUR;
  }
}
