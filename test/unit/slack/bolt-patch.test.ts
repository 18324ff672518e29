import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The tests run the Bolt that production runs: the installed @slack/bolt must carry our patch
 * (patches/, applied by npm's postinstall and by the Dockerfile). Without it every request
 * leaves a few dozen hidden classes in the old generation (README "Performance").
 */
describe('the installed @slack/bolt', () => {
  const root = path.join(__dirname, '..', '..', '..');
  const bolt = path.join(root, 'node_modules', '@slack', 'bolt');

  it('is the version our patch was made for', () => {
    const patches = readdirSync(path.join(root, 'patches')).filter((f) => f.startsWith('@slack+bolt+'));
    const { version } = JSON.parse(readFileSync(path.join(bolt, 'package.json'), 'utf8')) as { version: string };
    expect(patches).toEqual([`@slack+bolt+${version}.patch`]);
  });

  it('builds middleware and listener arguments with Object.assign, not an object spread (the patch is applied)', () => {
    const process = readFileSync(path.join(bolt, 'dist', 'middleware', 'process.js'), 'utf8');
    const app = readFileSync(path.join(bolt, 'dist', 'App.js'), 'utf8');
    expect(process).not.toContain('...initialArgs');
    expect(process).toContain('Object.assign({}, initialArgs, {');
    expect(app).not.toMatch(/listener\(\{\s*\.\.\.listenerArgs/);
    expect(app).toContain('listener(Object.assign({}, listenerArgs, {');
  });
});
