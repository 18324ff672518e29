import { z } from 'zod';
import { userGroupRefSchema } from './request';

/**
 * A key the bot created or changed. Harness FirstGen has no query that reads API keys back, so
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
});
export type KeyRecord = z.infer<typeof keyRecordSchema>;
