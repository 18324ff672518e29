import { ConfigError, loadConfig } from './config';
import { createApp } from './app';
import { withEnvFile } from './env-file';
import type { AppLogger } from './logger';
import { decideMode } from './sandbox/mode';

/**
 * Process entry: read the environment once; with no Slack and no Harness configuration run the
 * local sandbox (src/sandbox), else the bot for real; stop cleanly on SIGTERM/SIGINT.
 */
const EX_CONFIG = 78;

function refuse(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(EX_CONFIG);
}

interface Stoppable {
  stop(): Promise<void>;
  readonly logger: AppLogger;
}

/**
 * SIGTERM/SIGINT stop the service (a signal that arrives before it is handed over stops it as soon
 * as it is); a second signal exits at once.
 */
function stopOnSignals(): (service: Stoppable) => void {
  let service: Stoppable | undefined;
  let requested: string | undefined;
  const stop = () => {
    if (!service || !requested) return;
    service.logger.info('stopping', { signal: requested });
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    void service.stop().then(() => process.exit(0));
  };
  const onSignal = (signal: string) => {
    if (requested) process.exit(1); // a second Ctrl-C: stop waiting
    requested = signal;
    stop();
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  return (started) => {
    service = started;
    keepServingOnRejections(started.logger);
    stop();
  };
}

/**
 * A promise rejected where nobody awaits it (a library's async block, like Bolt's receiver on a
 * JSON `null` body) would end the process under Node's default. Log it, keep serving: every
 * request's own state lives in Redis, and the reconciler covers what an interrupted one left.
 */
function keepServingOnRejections(logger: AppLogger): void {
  process.on('unhandledRejection', (reason) => logger.error('unhandled promise rejection; still serving', reason instanceof Error ? reason : { reason: String(reason) }));
}

async function runSandbox(env: Record<string, string | undefined>, mode: Extract<ReturnType<typeof decideMode>, { kind: 'sandbox' }>): Promise<void> {
  // Loaded only here: the simulators need the dev dependencies and test/fixtures, which a
  // production image does not have.
  let sandbox: typeof import('./sandbox/start');
  try {
    sandbox = await import('./sandbox/start');
  } catch (err) {
    refuse(
      `No Slack or Harness configuration is set, so \`npm start\` would run the local sandbox, but it cannot load here (${err instanceof Error ? err.message.split('\n')[0] : String(err)}).\n` +
        'The sandbox needs a development checkout: git clone, npm ci (with dev dependencies), npm run build. To run the bot for real, configure it: README "Configuration".',
    );
  }
  const started = stopOnSignals();
  try {
    started(await sandbox.startSandbox(env, mode));
  } catch (err) {
    if (err instanceof sandbox.SandboxError || err instanceof ConfigError) refuse(err.message);
    throw err;
  }
}

async function main(): Promise<void> {
  const env = withEnvFile(process.env);
  const mode = decideMode(env);
  if (mode.kind === 'mixed' || mode.kind === 'invalid') refuse(mode.message);
  if (mode.kind === 'sandbox') return runSandbox(env, mode);
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) refuse(`${err.message}\nSee README.md "Configuration" and .env.sample.`);
    throw err;
  }
  const bot = createApp(config);
  stopOnSignals()(bot);
  await bot.start();
}

main().catch((err: unknown) => {
  process.stderr.write(`apikey bot failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
