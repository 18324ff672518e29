import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { withEnvFile } from '../../src/env-file';

describe('.env loading', () => {
  it('adds what .env sets and the environment does not; the real environment wins', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'envfile-')), '.env');
    writeFileSync(file, '# a comment\nSLACK_BOT_TOKEN=xoxb-from-file\nPORT=4000\nQUOTED="a b"\n');
    const env = withEnvFile({ PORT: '5000', OTHER: 'x' }, file);
    expect(env).toEqual({ SLACK_BOT_TOKEN: 'xoxb-from-file', PORT: '5000', QUOTED: 'a b', OTHER: 'x' });
  });

  it('changes nothing when there is no .env', () => {
    const env = { PORT: '1' };
    expect(withEnvFile(env, path.join(tmpdir(), 'no-such-dir', '.env'))).toBe(env);
  });
});
