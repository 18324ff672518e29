import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The sandbox page's files (src/simulators/slack/page/), read once at start-up. tsc does not copy
 * them into dist/, so from dist/simulators/slack the repo's src/ copy is used.
 */
export const PAGE_FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'mrkdwn.js': 'text/javascript; charset=utf-8',
  'picker.js': 'text/javascript; charset=utf-8',
  'blocks.js': 'text/javascript; charset=utf-8',
  'modal.js': 'text/javascript; charset=utf-8',
  'messages.js': 'text/javascript; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
};

export function pageDirectory(): string {
  const candidates = [path.join(__dirname, 'page'), path.join(__dirname, '..', '..', '..', 'src', 'simulators', 'slack', 'page')];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
  if (!found) throw new Error(`the sandbox page is missing: looked in ${candidates.join(', ')}`);
  return found;
}

export function loadPage(dir = pageDirectory()): Map<string, { type: string; body: Buffer }> {
  return new Map(Object.entries(PAGE_FILES).map(([name, type]) => [name, { type, body: readFileSync(path.join(dir, name)) }]));
}
