import { createNextGenClient, type NextGenApi, type NextGenClientOptions } from '../../../src/harness/nextgen/client';
import { HarnessError } from '../../../src/harness/harness-error';
import { makeServiceAccounts, startNextGenSimulator, type NextGenSimulator, type NextGenSimulatorOptions } from '../../../src/simulators/harness-nextgen';

/** Shared by the NextGen client and simulator tests: a simulator, a clock it reads, a client on it. */
export const ACC = 'px7xd_BFRCi-pfWPYXVjvw';
// Shaped like a real service-account token, so that redaction of token-like text is exercised too.
export const BOT_KEY = `sat.${ACC}.65a1b2c3d4e5f60718293a4b.BotKeySecret0123456x`;

export interface Env {
  sim: NextGenSimulator;
  client: NextGenApi;
  clientWith(overrides: Partial<NextGenClientOptions>): NextGenApi;
  /** Moves the simulator's clock (expiry, rotation deadlines, the rate window). */
  advance(ms: number): void;
  /** Every error a test caught, to check that none carries a secret. */
  errors: unknown[];
  /** Token values minted during the test. */
  values: string[];
  caught(p: Promise<unknown>): Promise<HarnessError>;
}

export async function startEnv(options: Partial<NextGenSimulatorOptions> = {}): Promise<Env> {
  let offset = 0;
  const sim = await startNextGenSimulator({
    apiKey: BOT_KEY,
    accountId: ACC,
    serviceAccounts: makeServiceAccounts(150),
    now: () => Date.now() + offset,
    ...options,
  });
  const clientWith = (o: Partial<NextGenClientOptions>) => createNextGenClient({ baseUrl: sim.url, accountId: ACC, apiKey: BOT_KEY, timeoutMs: 2000, ...o });
  const errors: unknown[] = [];
  return {
    sim,
    client: clientWith({}),
    clientWith,
    advance: (ms) => {
      offset += ms;
    },
    errors,
    values: [],
    async caught(p) {
      try {
        await p;
      } catch (err) {
        errors.push(err);
        if (err instanceof HarnessError) return err;
        throw err;
      }
      throw new Error('expected the call to fail');
    },
  };
}

/** Everything about an error that could reach a person or a log. */
export function everythingSaid(err: unknown): string {
  const e = err as Error & { details?: unknown; cause?: unknown };
  const cause = e.cause instanceof Error ? `${e.cause.message} ${e.cause.stack ?? ''}` : JSON.stringify(e.cause ?? null);
  return [e.message, e.stack ?? '', JSON.stringify(e.details ?? null), cause, JSON.stringify(e)].join('\n');
}

export async function expectNoSecrets(env: Env): Promise<void> {
  for (const err of env.errors) {
    const said = everythingSaid(err);
    expect(said).not.toContain(BOT_KEY);
    expect(said).not.toContain('BotKeySecret');
    for (const v of env.values) {
      expect(said).not.toContain(v);
      expect(said).not.toContain(v.split('.')[3]!);
    }
  }
  await Promise.resolve();
}

/**
 * A fresh simulator and client for every test of the calling suite; after each, every call the
 * client made was valid against the OpenAPI file and no error carried a secret.
 */
export function eachTestOnAFreshSimulator(): { readonly env: Env; restart(options?: Partial<NextGenSimulatorOptions>): Promise<void> } {
  const held: { env?: Env } = {};
  beforeEach(async () => {
    held.env = await startEnv();
  });
  afterEach(async () => {
    const env = held.env!;
    try {
      expect(env.sim.invalidRequests).toEqual([]);
      await expectNoSecrets(env);
    } finally {
      await env.sim.close();
    }
  });
  return {
    get env() {
      return held.env!;
    },
    /** A new simulator (with other options) for the rest of the test; the old one is closed if it is not already. */
    async restart(options = {}) {
      await held.env?.sim.close().catch(() => undefined);
      held.env = await startEnv(options);
    },
  };
}
