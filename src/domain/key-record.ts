import { z } from 'zod';
import { userGroupRefSchema } from './request';

/** A NextGen token the bot minted: where it lives, and the value's id segment (never the value). */
export const tokenRecordSchema = z.object({
  serviceAccount: z.object({ id: z.string(), name: z.string() }),
  apiKey: z.string(),
  token: z.string(),
  validTo: z.number(),
  /** The value's third segment: tells the generations of one rotated identifier apart. */
  tokenId: z.string().optional(),
  /** Where in Harness: "account", "org <id>" or "project <org>/<project>". */
  scope: z.string().optional(),
});

/**
 * A key (FirstGen) or token (NextGen) the bot created or changed. Harness FirstGen has no query that reads API keys back, so
 * the bot keeps this registry; deleted keys stay, marked, for the trail.
 */
export const keyRecordSchema = z.object({
  uuid: z.string(),
  name: z.string(),
  userGroups: z.array(userGroupRefSchema),
  requesterId: z.string(),
  approverId: z.string(),
  requestId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().optional(),
  /** NextGen: the token this record is about (`uuid` is then the token's identifier). */
  nextgen: tokenRecordSchema.optional(),
});

/** Harness deletes expired tokens by itself; the registry keeps them and says they expired. */
export const isExpired = (record: KeyRecord, now: number) => record.nextgen !== undefined && record.nextgen.validTo <= now;
export type KeyRecord = z.infer<typeof keyRecordSchema>;
