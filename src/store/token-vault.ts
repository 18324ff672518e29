import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { AppError } from '../errors';
import { guard } from './redis';

const key = (requestId: string) => `apikey:reveal:${requestId}`;
const DUE = 'apikey:reveal-due';

/**
 * NextGen token values between Harness's answer and the requester's one reveal: AES-256-GCM
 * encrypted (the request id bound in as associated data, so a ciphertext cannot be moved to
 * another request), with a short lifetime, and taken out with GETDEL so that a second click, a
 * second replica or another person finds nothing. Redis never holds a value in plain text.
 */
export class TokenVault {
  constructor(
    private readonly redis: Redis,
    private readonly encryptionKey: Buffer,
  ) {
    if (encryptionKey.length !== 32) throw new Error('TOKEN_ENCRYPTION_KEY must be 32 bytes');
  }

  /** Keeps `value` until `untilMs`; the expiry is also filed so the reconciler can say it passed. */
  async put(requestId: string, value: string, untilMs: number): Promise<void> {
    const ttl = Math.max(1, untilMs - Date.now());
    await guard(() => this.redis.multi().set(key(requestId), this.seal(requestId, value), 'PX', ttl).zadd(DUE, untilMs, requestId).exec());
  }

  /** The value, once; undefined when it was taken already or has expired. Value and deadline leave together. */
  async take(requestId: string): Promise<string | undefined> {
    const replies = await guard(() => this.redis.multi().getdel(key(requestId)).zrem(DUE, requestId).exec());
    const sealed = replies?.[0]?.[1] as string | null | undefined;
    return sealed ? this.open(requestId, sealed) : undefined;
  }

  /** Until when a value is kept for `requestId`, if one is (a crash may have left it sealed, its outcome unrecorded). */
  async sealedUntil(requestId: string): Promise<number | undefined> {
    const [exists, due] = await guard(() => Promise.all([this.redis.exists(key(requestId)), this.redis.zscore(DUE, requestId)]));
    return exists === 1 && due !== null ? Number(due) : undefined;
  }

  /** Puts a taken value back (the reveal modal could not be opened), until its original deadline. */
  async restore(requestId: string, value: string, untilMs: number): Promise<void> {
    if (untilMs > Date.now()) await this.put(requestId, value, untilMs);
  }

  /** Request ids whose reveal deadline passed without a reveal; each is returned once. */
  async expired(now = Date.now()): Promise<string[]> {
    const ids = await guard(() => this.redis.zrangebyscore(DUE, '-inf', now, 'LIMIT', 0, 100));
    const claimed: string[] = [];
    for (const id of ids) {
      // ZREM answers 1 to exactly one replica: that one reports the expiry.
      if ((await guard(() => this.redis.zrem(DUE, id))) === 1) claimed.push(id);
    }
    return claimed;
  }

  private seal(requestId: string, value: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv);
    cipher.setAAD(Buffer.from(requestId));
    const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  private open(requestId: string, sealed: string): string {
    const raw = Buffer.from(sealed, 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(requestId));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch (err) {
      // A different TOKEN_ENCRYPTION_KEY than the one it was sealed with, or a tampered value.
      throw new AppError('STORE_CORRUPT', 'The stored token could not be decrypted (was TOKEN_ENCRYPTION_KEY changed?).', { cause: err });
    }
  }
}
