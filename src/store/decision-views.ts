import type Redis from 'ioredis';
import { guard } from './redis';

/** A deny modal is accepted only when the bot opened it, from the request's approval message. */
export class DecisionViews {
  constructor(private readonly redis: Redis) {}

  async remember(viewId: string, requestId: string): Promise<void> {
    // As long as a request can wait for a decision: an approver may take a while to write the reason.
    await guard(() => this.redis.set(`apikey:deny-view:${viewId}`, requestId, 'EX', 30 * 86_400));
  }

  async opened(viewId: string, requestId: string): Promise<boolean> {
    return (await guard(() => this.redis.get(`apikey:deny-view:${viewId}`))) === requestId;
  }
}
