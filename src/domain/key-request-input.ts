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

/**
 * Characters a name must not hold: controls (Cc), invisible and direction-changing format
 * characters (Cf: zero-width joiners, RLO/LRM/RLM, tag characters, BOM), private use (Co),
 * surrogates (Cs: with the `u` flag an unpaired one matches), line and paragraph separators.
 * `fz\u202Eyek-dorp` would otherwise render reversed in the approval message.
 */
export const HIDDEN_CHARACTERS = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/u;
/** The same in free text (reasons), which may hold line breaks and tabs. */
const HIDDEN_IN_TEXT = /(?![\n\t])[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/u;

export const keyNameSchema = z
  .string({ error: 'Enter a name for the key.' })
  .max(KEY_NAME_MAX * 4, `Use at most ${KEY_NAME_MAX} characters.`)
  .transform((s) => s.normalize('NFC'))
  // First: trim() would call a BOM or a line separator mere "spaces".
  .refine((s) => !HIDDEN_CHARACTERS.test(s), 'The name cannot contain line breaks, tabs, control characters, or invisible or direction-changing characters.')
  .refine((s) => s.trim().length > 0, 'Enter a name for the key.')
  .refine((s) => s === s.trim(), 'Remove the spaces at the start or end of the name.')
  .refine((s) => [...s].length <= KEY_NAME_MAX, `Use at most ${KEY_NAME_MAX} characters.`);

/** Free text a person gives (a reason), bounded and without invisible or direction-changing characters. */
export const freeText = (what: string, max: number) =>
  z
    .string({ error: what })
    .max(max * 4, `Keep it under ${max} characters.`)
    .transform((s) => s.normalize('NFC').trim())
    .pipe(
      z
        .string()
        .min(1, what)
        .max(max, `Keep it under ${max} characters.`)
        .refine((s) => !HIDDEN_IN_TEXT.test(s), 'Remove the invisible or direction-changing characters.'),
    );

const inputSchema = z.object({
  name: keyNameSchema,
  userGroupIds: z
    .array(z.string().regex(USER_GROUP_ID, 'That is not a Harness user group id.'))
    .min(1, 'Choose at least one user group: the key gets its permissions from them.')
    .max(GROUPS_MAX, `Choose at most ${GROUPS_MAX} user groups.`)
    .transform((ids) => [...new Set(ids)]),
  reason: freeText('Say why the key is needed.', REASON_MAX),
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

/** What a person reads when the name is taken, whichever check finds it (here, or the store's reservation). */
export const nameTakenMessage = (name: string) => `A key named "${name}" already exists or is already requested. Choose another name.`;

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
    errors.name = nameTakenMessage(raw.name);
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
  if (picked !== undefined && !KEY_UUID.test(picked)) return { ok: false, error: 'Pick a key from the list.' };
  if (picked && t && picked !== t) return { ok: false, error: 'You picked one key and typed the uuid of another: keep only one.' };
  const uuid = picked ?? t;
  if (!uuid) return { ok: false, error: 'Pick a key, or type the uuid of a key created outside the bot.' };
  return { ok: true, uuid };
}

export const reasonSchema = inputSchema.shape.reason;
