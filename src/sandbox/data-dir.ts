import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The sandbox's directory (`.sandbox/` in the working directory): a lock so two sandboxes never
 * share it, the keys the sandboxed bot needs across restarts (TOKEN_ENCRYPTION_KEY seals each new
 * NextGen token until its one reveal, AUDIT_HMAC_KEY signs the audit chain: new ones after a
 * restart would make the data already in Redis unreadable), and the child Redis's files.
 * `rm -rf .sandbox` (with the sandbox stopped) starts afresh.
 */
export class SandboxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxError';
  }
}

export interface SandboxKeys {
  tokenEncryptionKey: string;
  auditHmacKey: string;
}

export interface DataDir {
  dir: string;
  keys: SandboxKeys;
  keysFile: string;
  release(): void;
}

const HEX32 = /^[0-9a-f]{64}$/;

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lock(file: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new SandboxError(`Another sandbox (process ${pid}) is running with ${path.dirname(file)}: stop it first (Ctrl-C in its terminal).`);
      }
      rmSync(file, { force: true }); // left by a sandbox that did not stop cleanly
    }
  }
  throw new SandboxError(`Could not lock ${path.dirname(file)}`);
}

function loadKeys(file: string): SandboxKeys {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<SandboxKeys>;
    if (HEX32.test(saved.tokenEncryptionKey ?? '') && HEX32.test(saved.auditHmacKey ?? '')) {
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
      return saved as SandboxKeys;
    }
    throw new SandboxError(`${file} is damaged: stop the sandbox and rm -rf ${path.dirname(file)} to start afresh`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const keys = { tokenEncryptionKey: randomBytes(32).toString('hex'), auditHmacKey: randomBytes(32).toString('hex') };
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
  return keys;
}

/** Creates (mode 0700) and locks the directory; generates the keys once, into keys.json (0600). */
export function openDataDir(dir: string): DataDir {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const release = lock(path.join(dir, 'sandbox.pid'));
  try {
    const keysFile = path.join(dir, 'keys.json');
    return { dir, keys: loadKeys(keysFile), keysFile, release };
  } catch (err) {
    release();
    throw err;
  }
}
