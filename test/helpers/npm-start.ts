import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `npm start` as package.json writes it: Node's flags and the script. What starts the compiled
 * bot outside npm (the sandbox-mode test, the bench; the Dockerfile, checked against it) reads the
 * flags here, so that a change to them is made once. `root`: the repository (the bench passes its
 * own, being compiled elsewhere).
 */
export function npmStart(root = path.join(__dirname, '..', '..')): { flags: string[]; script: string; line: string } {
  const line = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [node, ...args] = line.split(/\s+/);
  if (node !== 'node') throw new Error(`npm start is not "node …": ${line}`);
  const script = args.pop()!;
  return { flags: args, script, line };
}
