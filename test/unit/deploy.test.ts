import { readFileSync } from 'node:fs';
import path from 'node:path';
import { npmStart } from '../helpers/npm-start';

describe('the Dockerfile', () => {
  const dockerfile = readFileSync(path.join(__dirname, '..', '..', 'Dockerfile'), 'utf8');

  it('runs the bot as `npm start` does: the same Node flags (heap limits, V8 pool) and script', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(cmd).toBeDefined();
    const { flags, script } = npmStart();
    expect(JSON.parse(cmd!)).toEqual(['node', ...flags, script]);
  });

  it('applies patches/ to the dependencies it installs (their own install scripts stay off)', () => {
    expect(dockerfile).toMatch(/^COPY patches \.\/patches$/m);
    expect(dockerfile).toMatch(/^RUN npm ci --ignore-scripts && npx patch-package$/m);
    expect(dockerfile.indexOf('COPY patches')).toBeLessThan(dockerfile.indexOf('npx patch-package'));
  });
});
