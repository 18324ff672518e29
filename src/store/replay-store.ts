import type Redis from 'ioredis';

/** Signatures of Slack requests already acted on, shared by every replica (SET NX with expiry). */
export class ReplayStore {
  constructor(private readonly redis: Redis) {}

  async firstSeen(key: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(`apikey:seen:${key}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
  }
}
