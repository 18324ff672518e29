import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Issue 9's layering: `slack/` -> `services/` -> `store/`, `harness/` -> `domain/`. Each layer may
 * import only what lies below it (and the top-level errors/logger modules); nothing below
 * `slack/` imports from it.
 */
const SRC = path.join(__dirname, '..', '..', 'src');
const ALLOWED: Record<string, string[]> = {
  domain: ['domain'],
  store: ['domain', 'store', 'errors'],
  harness: ['domain', 'harness', 'errors'],
  services: ['domain', 'store', 'harness', 'services', 'errors', 'logger'],
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** The top-level part of src/ each relative import of `file` reaches (`errors` for src/errors.ts). */
function layersImportedBy(file: string): string[] {
  const specs = [...readFileSync(file, 'utf8').matchAll(/from '(\.[^']*)'/g)].map((m) => m[1]!);
  return specs.map((s) => path.relative(SRC, path.resolve(path.dirname(file), s)).split(path.sep)[0]!);
}

describe('layers flow one way', () => {
  for (const [layer, allowed] of Object.entries(ALLOWED)) {
    it(`src/${layer}/ imports only from ${allowed.join(', ')} (never slack/)`, () => {
      const files = filesUnder(path.join(SRC, layer));
      expect(files.length).toBeGreaterThan(0);
      const wrong = files.flatMap((f) => layersImportedBy(f).filter((l) => !allowed.includes(l)).map((l) => `${path.relative(SRC, f)} -> ${l}`));
      expect(wrong).toEqual([]);
    });
  }
});
