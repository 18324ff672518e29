import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { validateNextGenRequest } from '../simulators/contracts';
import { makeGroups, startFakeHarness } from '../simulators/harness-firstgen';
import { makeServiceAccounts, startNextGenSimulator } from '../simulators/harness-nextgen';
import type { Generation } from './mode';
import { persistInRedis } from './persist';

/**
 * The simulated Harness the sandboxed bot talks to, on 127.0.0.1: NextGen (ng-manager, 150
 * service accounts) or FirstGen (GraphQL, 150 user groups). Its state (service accounts, API
 * keys, token hashes; FirstGen's keys) lives in the sandbox's Redis, so a restart keeps it.
 */
export const SANDBOX_ACCOUNT = 'acct_SANDBOX';
export const SEEDED = 150;

export interface SimulatedHarness {
  generation: Generation;
  /** The bot's Harness settings for this simulator. */
  env: { HARNESS_API: Generation; HARNESS_API_URL: string; HARNESS_ACCOUNT_ID: string; HARNESS_API_KEY: string };
  /** For the banner. */
  description: string;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /** Something the simulator would have refused from the real bot (a request not in the OpenAPI file...). */
  onProblem: (message: string) => void;
}

const stateKey = (generation: Generation) => `sandbox:harness:${generation}`;
const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

export async function startSimulatedHarness(generation: Generation, redis: Redis, options: HarnessOptions): Promise<SimulatedHarness> {
  // A new credential every start: nothing outside this process ever knows it.
  const apiKey = `sandbox-harness-${randomBytes(16).toString('hex')}`;
  const saved = (await redis.get(stateKey(generation))) ?? undefined;
  const onError = (err: unknown) => options.onProblem(`could not save the simulated Harness in Redis: ${err instanceof Error ? err.message : String(err)}`);

  if (generation === 'nextgen') {
    // Compiles the OpenAPI checks now (about a second of CPU), not during the bot's first calls.
    validateNextGenRequest({ method: 'GET', path: '/ng/api/serviceaccount', query: new URLSearchParams({ accountIdentifier: SANDBOX_ACCOUNT }) });
    const sim = await startNextGenSimulator({ apiKey, accountId: SANDBOX_ACCOUNT, serviceAccounts: makeServiceAccounts(SEEDED), state: saved });
    if (sim.state.accountId !== SANDBOX_ACCOUNT) throw new Error(`${stateKey(generation)} in Redis is not the sandbox's (account ${sim.state.accountId})`);
    let reported = 0;
    const persisted = persistInRedis({
      redis,
      key: stateKey(generation),
      onError,
      snapshot: () => sim.snapshot(),
      changed: () => {
        const any = sim.requests.length > 0;
        sim.requests.length = 0; // the sandbox reads the state, not the request log: keep memory flat
        for (const bad of sim.invalidRequests.slice(reported)) {
          options.onProblem(`the simulated Harness refused ${bad.method} ${bad.path}: ${bad.errors.join('; ')} (a bot bug: the real Harness would have misread it)`);
        }
        reported = sim.invalidRequests.length;
        return any;
      },
    });
    return {
      generation,
      env: { HARNESS_API: 'nextgen', HARNESS_API_URL: sim.url, HARNESS_ACCOUNT_ID: SANDBOX_ACCOUNT, HARNESS_API_KEY: apiKey },
      description: `simulated NextGen, ${count(sim.state.serviceAccounts.length, 'service account')}, ${count(sim.state.apiKeys.length, 'API key')}, ${count(sim.state.tokens.length, 'token')}`,
      async stop() {
        await persisted.stop();
        await sim.close();
      },
    };
  }

  const fake = await startFakeHarness({ apiKey, accountId: SANDBOX_ACCOUNT, groups: makeGroups(SEEDED) });
  for (const [uuid, key] of saved ? (JSON.parse(saved) as [string, { name: string; userGroupIds: string[] }][]) : []) fake.keys.set(uuid, key);
  let reported = 0;
  const persisted = persistInRedis({
    redis,
    key: stateKey(generation),
    onError,
    snapshot: () => JSON.stringify([...fake.keys.entries()]),
    changed: () => {
      const any = fake.requests.length > 0;
      fake.requests.length = 0;
      for (const bad of fake.invalidDocuments.slice(reported)) options.onProblem(`the simulated Harness refused a GraphQL document: ${bad.errors.join('; ')} (a bot bug)`);
      reported = fake.invalidDocuments.length;
      return any;
    },
  });
  return {
    generation,
    env: { HARNESS_API: 'firstgen', HARNESS_API_URL: fake.url, HARNESS_ACCOUNT_ID: SANDBOX_ACCOUNT, HARNESS_API_KEY: apiKey },
    description: `simulated FirstGen, ${count(fake.groups.length, 'user group')}, ${count(fake.keys.size, 'API key')}`,
    async stop() {
      await persisted.stop();
      await fake.close();
    },
  };
}
