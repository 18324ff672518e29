import { ConfigError, loadConfig } from './config';
import { createApp } from './app';
import { withEnvFile } from './env-file';

/** Process entry: read the environment once, start, stop cleanly on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(withEnvFile(process.env));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee README.md "Configuration" and .env.sample.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const bot = createApp(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    bot.logger.info('stopping', { signal });
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    void bot.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await bot.start();
}

main().catch((err: unknown) => {
  process.stderr.write(`apikey bot failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
