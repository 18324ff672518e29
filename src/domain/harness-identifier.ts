/**
 * Harness NextGen identifiers and names (shared/harness/nextgen/FACTS.md section 5).
 *
 * The server accepts `^[a-zA-Z_][0-9a-zA-Z_$]{0,127}$` minus 24 reserved words, but the Harness UI
 * refuses `$`, so the bot generates the stricter form and never takes identifiers from people.
 * Identifiers of API keys and tokens are unique case-insensitively: compare them lower-cased.
 */
export const IDENTIFIER_MAX = 128;
export const NAME_MAX = 128;

/** EntityIdentifierValidator's reserved words; exact and case-sensitive ("StepGroup" is allowed). */
export const RESERVED_IDENTIFIERS: ReadonlySet<string> = new Set([
  'or', 'and', 'eq', 'ne', 'lt', 'gt', 'le', 'ge', 'div', 'mod', 'not', 'null', 'true', 'false', 'new', 'var',
  'return', 'step', 'parallel', 'stepGroup', 'org', 'account', 'class', 'shellScriptProvisioner',
]);

const STRICT = /^[a-zA-Z_][0-9a-zA-Z_]{0,127}$/;
const SERVER = /^[a-zA-Z_][0-9a-zA-Z_$]{0,127}$/;
const NAME_CHARS = /^[a-zA-Z0-9_. /-]+$/;

/**
 * A person-readable reason why `id` cannot be a Harness identifier, or undefined when it can.
 * `allowDollar` accepts the server's wider charset, for checking identifiers that came from Harness.
 */
export function validateIdentifier(id: string, options: { allowDollar?: boolean } = {}): string | undefined {
  if (id.length === 0) return 'The identifier cannot be empty.';
  if (id.length > IDENTIFIER_MAX) return `The identifier can be at most ${IDENTIFIER_MAX} characters long.`;
  if (!/^[a-zA-Z_]/.test(id)) return 'The identifier must start with a letter or an underscore.';
  if (!(options.allowDollar ? SERVER : STRICT).test(id)) {
    return options.allowDollar
      ? 'The identifier can only contain letters, digits, underscores and $.'
      : 'The identifier can only contain letters, digits and underscores.';
  }
  if (RESERVED_IDENTIFIERS.has(id)) return `"${id}" is a reserved word in Harness and cannot be an identifier.`;
  return undefined;
}

/** Latin letters without their accents, so "Zoë" becomes "Zoe" rather than "Zo_". */
const unaccent = (s: string) => s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');

/**
 * An identifier for a display name: lower-case ASCII letters, digits and single underscores, starting
 * with a letter or underscore, at most `maxLength` characters, never a reserved word. Always valid.
 */
export function toHarnessIdentifier(displayName: string, options: { maxLength?: number; fallback?: string } = {}): string {
  const max = Math.min(options.maxLength ?? IDENTIFIER_MAX, IDENTIFIER_MAX);
  const clean = (s: string) =>
    unaccent(s)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '');
  let id = clean(displayName) || clean(options.fallback ?? '') || 'key';
  if (/^[0-9]/.test(id)) id = `_${id}`;
  id = id.slice(0, max).replace(/_+$/, '') || '_';
  if (RESERVED_IDENTIFIERS.has(id)) id = id.length < max ? `${id}_` : `_${id.slice(0, max - 1)}`;
  return id;
}

/**
 * `base`, or `base_2`, `base_3`… (cut to fit), whichever is not in `taken` ignoring case, as
 * Harness compares API key and token identifiers.
 */
export function uniqueIdentifier(base: string, taken: Iterable<string>): string {
  const used = new Set([...taken].map((t) => t.toLowerCase()));
  if (!used.has(base.toLowerCase())) return base;
  for (let n = 2; ; n++) {
    const suffix = `_${n}`;
    const candidate = `${base.slice(0, IDENTIFIER_MAX - suffix.length)}${suffix}`;
    if (!used.has(candidate.toLowerCase())) return candidate;
  }
}

/** A person-readable reason why Harness would refuse `name` for a key or token, or undefined. */
export function validateHarnessName(name: string): string | undefined {
  if (name.trim() === '') return 'The name cannot be empty.';
  if (name.length > NAME_MAX) return `The name can be at most ${NAME_MAX} characters long.`;
  if (!NAME_CHARS.test(name)) return 'The name can only contain letters, digits, spaces and . - _ /';
  return undefined;
}

/**
 * A name Harness accepts for what a person typed in Slack: accents dropped, other characters
 * Harness refuses ("Alice's key", emoji, ":" "@" "(") turned into spaces, spaces collapsed.
 */
export function toHarnessName(displayName: string, fallback = 'API key'): string {
  const name = unaccent(displayName)
    .replace(/[^a-zA-Z0-9_. /-]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim()
    .slice(0, NAME_MAX)
    .trim();
  return name === '' ? fallback : name;
}
