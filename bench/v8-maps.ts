/**
 * Whether this Node's V8 gives a new hidden class (map) to every object built the way Bolt 5.1
 * calls each middleware and listener: `{ ...args, next, context, client, logger }`
 * (@slack/bolt dist/middleware/process.js and App.js). On Node 20 (V8 11.3) it does: maps live
 * in the old generation, so every request left a few dozen of them behind (one per listener
 * Bolt tries), enough for a mark-compact every few hundred requests. The installed Bolt carries
 * patches/@slack+bolt (Object.assign instead); this line tells whether a newer Node still needs
 * it. Measured in a fresh process, so that nothing else allocates meanwhile.
 */
import { execFileSync } from 'node:child_process';

const PROBE = `
const v8 = require('v8');
const old = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_used_size;
const args = { body: {}, payload: {}, command: {}, ack() {}, respond() {}, say() {} };
const spreadCall = (i) => ({ ...args, next: i, context: 1, client: 2, logger: 3 });
const assignCall = (i) => Object.assign({}, args, { next: i, context: 1, client: 2, logger: 3 });
// Few enough calls that no mark-compact runs meanwhile (it would collect the classes measured).
const perCall = (make) => {
  const n = 10000;
  gc();
  const before = old();
  let last;
  for (let i = 0; i < n; i++) last = make(i);
  return (old() - before) / n;
};
const sameClass = (make) => %HaveSameMap(make(1), make(2));
process.stdout.write(JSON.stringify({ spread: perCall(spreadCall), assign: perCall(assignCall), spreadShares: sameClass(spreadCall), assignShares: sameClass(assignCall) }));
`;

export interface SpreadMaps {
  /** Old-generation bytes left per call, spread and Object.assign. */
  spread: number;
  assign: number;
  /** Whether two objects built the same way share a hidden class. */
  spreadShares: boolean;
  assignShares: boolean;
}

export function measureSpreadMaps(): SpreadMaps {
  return JSON.parse(execFileSync(process.execPath, ['--expose-gc', '--allow-natives-syntax', '--max-semi-space-size=1', '-e', PROBE], { encoding: 'utf8' })) as SpreadMaps;
}
