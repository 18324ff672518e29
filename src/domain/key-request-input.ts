import { z } from 'zod';

/**
 * What a person typed into the create (and later update) modal, validated. Harness itself only
 * rejects blank names and surrounding whitespace, and does not validate user group ids at all
 * (an unknown id silently yields a key with no permissions), so the bot checks everything here.
 */
export const KEY_NAME_MAX = 128;
export const REASON_MAX = 1000;
export const GROUPS_MAX = 50;
export const USER_GROUP_ID = /^[A-Za-z0-9_-]{22}$/;

// C0/C1 control characters and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export const keyNameSchema = z
  .string({ error: 'Enter a name for the key.' })
  .refine((s) => s.trim().length > 0, 'Enter a name for the key.')
  .refine((s) => s === s.trim(), 'Remove the spaces at the start or end of the name.')
  .refine((s) => !CONTROL.test(s), 'The name cannot contain line breaks, tabs or other control characters.')
  .refine((s) => [...s].length <= KEY_NAME_MAX, `Use at most ${KEY_NAME_MAX} characters.`);

const inputSchema = z.object({
  name: keyNameSchema,
  userGroupIds: z
    .array(z.string().regex(USER_GROUP_ID, 'That is not a Harness user group id.'))
    .min(1, 'Choose at least one user group: the key gets its permissions from them.')
    .max(GROUPS_MAX, `Choose at most ${GROUPS_MAX} user groups.`)
    .transform((ids) => [...new Set(ids)]),
  reason: z
    .string({ error: 'Say why the key is needed.' })
    .transform((s) => s.trim())
    .pipe(z.string().min(1, 'Say why the key is needed.').max(REASON_MAX, `Keep the reason under ${REASON_MAX} characters.`)),
});

export type KeyRequestField = 'name' | 'userGroupIds' | 'reason' | 'key' | 'confirm';
export type KeyRequestInput = z.infer<typeof inputSchema>;
export type FieldErrors = Partial<Record<KeyRequestField, string>>;

export interface KeyRequestContext {
  /** Names the bot already knows (its key registry and requests still open). */
  nameTaken(name: string): boolean;
  /** The account's user groups, id -> name. */
  groupsById: ReadonlyMap<string, string>;
}

export function validateKeyRequest(
  raw: { name: unknown; userGroupIds: unknown; reason: unknown },
  ctx: KeyRequestContext,
): { ok: true; value: KeyRequestInput } | { ok: false; errors: FieldErrors } {
  const parsed = inputSchema.safeParse(raw);
  const errors: FieldErrors = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as KeyRequestField;
      errors[field] ??= issue.message;
    }
  }
  // Semantic checks run even when another field failed, so the person sees every problem at once.
  if (!errors.name && typeof raw.name === 'string' && ctx.nameTaken(raw.name)) {
    errors.name = `A key named "${raw.name}" already exists or is already requested. Choose another name.`;
  }
  if (!errors.userGroupIds && Array.isArray(raw.userGroupIds)) {
    const unknown = (raw.userGroupIds as string[]).filter((id) => !ctx.groupsById.has(id));
    if (unknown.length > 0) {
      errors.userGroupIds = `Not a user group in this Harness account: ${unknown.join(', ')}. Pick groups from the list.`;
    }
  }
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: parsed.data };
}

/** Harness API key uuids are opaque ids; accept the URL-safe alphabet Harness uses. */
export const KEY_UUID = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * The key an update or delete is about: picked from the bot's registry, or typed (a key created
 * outside the bot). Exactly one answer is needed; two different ones are a mistake to point out.
 */
export function resolveKeyUuid(picked: string | undefined, typed: string | undefined): { ok: true; uuid: string } | { ok: false; error: string } {
  const t = typed?.trim() || undefined;
  if (t && !KEY_UUID.test(t)) return { ok: false, error: 'That is not a Harness API key uuid (letters, digits, - and _).' };
  if (picked && t && picked !== t) return { ok: false, error: 'You picked one key and typed the uuid of another: keep only one.' };
  const uuid = picked ?? t;
  if (!uuid) return { ok: false, error: 'Pick a key, or type the uuid of a key created outside the bot.' };
  return { ok: true, uuid };
}

export const reasonSchema = inputSchema.shape.reason;
