#!/usr/bin/env node
// The tests, and `npm start`'s sandbox when no Redis answers on 127.0.0.1:6379, start real
// redis-server processes. On a fresh Debian machine where we are root, install Debian's package;
// anywhere else, say exactly what is missing.
const { spawnSync } = require('node:child_process');

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

if (has('redis-server')) process.exit(0);
if (process.getuid && process.getuid() === 0 && has('apt-get')) {
  console.error('redis-server not found: installing Debian package redis-server (the tests and the sandbox need a real Redis)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = update.status === 0 && spawnSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'inherit', env });
  if (install && install.status === 0 && has('redis-server')) process.exit(0);
}
console.error('redis-server is required (by the tests, and by the sandbox when no Redis runs on 127.0.0.1:6379): install it (Debian: apt-get install -y redis-server) and re-run.');
process.exit(1);
