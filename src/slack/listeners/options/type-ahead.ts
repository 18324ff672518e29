import type { ListenerRouter } from '../router';
import { FIELDS } from '../../ids';
import { keyOption } from '../../views/key-change-modals';
import { groupOption } from '../../views/modal-parts';
import type { PlainTextOption } from '../../views/block-kit';
import type { ListenerDeps } from '../deps';

/**
 * External-select type-ahead. Answers within Slack's 3 s from Redis only (never Harness per
 * keystroke); when the store is unreachable the picker shows no options rather than an error.
 */
function registerTypeAhead(routes: ListenerRouter, deps: ListenerDeps, actionId: string, search: (query: string) => Promise<PlainTextOption[]>) {
  routes.options(actionId, async ({ options, ack }) => {
    try {
      await ack({ options: await search(options.value ?? '') });
    } catch (err) {
      deps.logger.warn('type-ahead options unavailable', err, { actionId });
      await ack({ options: [] });
    }
  });
}

export function registerTypeAheads(routes: ListenerRouter, deps: ListenerDeps): void {
  // The account's Harness user groups, from the shared cache.
  registerTypeAhead(routes, deps, FIELDS.groupsAction, async (q) => (await deps.groups.search(q, 100)).map(groupOption));
  // The bot's key registry (update and delete modals).
  registerTypeAhead(routes, deps, FIELDS.keyAction, async (q) => (await deps.queries.searchKeys(q, 100)).map(keyOption));
}
