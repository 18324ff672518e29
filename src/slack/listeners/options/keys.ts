import type { App } from '@slack/bolt';
import { FIELDS } from '../../ids';
import { keyOption } from '../../views/key-change-modals';
import type { ListenerDeps } from '../deps';

/** Type-ahead over the bot's key registry (update and delete modals). */
export function registerKeyOptions(app: App, deps: ListenerDeps): void {
  app.options(FIELDS.keyAction, async ({ options, ack }) => {
    try {
      const keys = await deps.queries.searchKeys(options.value ?? '', 100);
      await ack({ options: keys.map(keyOption) });
    } catch (err) {
      deps.logger.warn('key options unavailable', err);
      await ack({ options: [] });
    }
  });
}
