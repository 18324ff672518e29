import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPReceiver } from '@slack/bolt';
import type Redis from 'ioredis';
import type { Config } from '../config';
import type { AppLogger } from '../logger';
import { ReplayStore } from '../store/replay-store';
import { reportError } from './listeners/errors';
import { guardRequests } from './request-guard';

/**
 * Bolt's HTTP receiver, with the request guard in front (slack/request-guard.ts) and errors that
 * escape Bolt's own processing (a malformed envelope) answered with an empty 200 and logged,
 * never a 500 and never a crash.
 */
export function httpReceiver(config: Config, redis: Redis, logger: AppLogger): HTTPReceiver {
  const signingSecret = config.slack.signingSecret ?? '';
  const receiver = new HTTPReceiver({
    signingSecret,
    port: config.port,
    logger,
    customRoutes: healthRoutes(redis),
    processEventErrorHandler: ({ error, response }) => {
      reportError(logger, error, { where: 'Bolt processEvent' });
      if (!response.headersSent) {
        response.writeHead(200);
        response.end();
      }
      return Promise.resolve(false);
    },
  });
  receiver.requestListener = guardRequests(receiver.requestListener, { signingSecret, replays: new ReplayStore(redis), logger });
  return receiver;
}

export function healthRoutes(redis: Redis) {
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req: IncomingMessage, res: ServerResponse) => send(res, 200, { status: 'ok' }),
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: async (_req: IncomingMessage, res: ServerResponse) => {
        try {
          if (redis.status !== 'ready') throw new Error(redis.status);
          await redis.ping();
          send(res, 200, { status: 'ready', redis: 'ok' });
        } catch {
          send(res, 503, { status: 'unavailable', redis: 'unreachable' });
        }
      },
    },
  ];
}
