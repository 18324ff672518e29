import type Redis from 'ioredis';
import { guard } from './redis';

/** A deny modal is accepted only when the bot opened it, from the request's approval message. */
export class DecisionViews {
  constructor(private readonly redis: Redis) {}

  async remember(viewId: string, requestId: string): Promise<void> {
    await guard(() => this.redis.set(`apikey:deny-view:${viewId}`, requestId, 'EX', 3600));
  }

  async opened(viewId: string, requestId: string): Promise<boolean> {
    return (await guard(() => this.redis.get(`apikey:deny-view:${viewId}`))) === requestId;
  }
}
