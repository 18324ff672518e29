import type { App } from '@slack/bolt';
import { AppError } from '../../../errors';
import { FIELDS } from '../../ids';
import type { PlainTextOption } from '../../views/block-kit';
import { truncate } from '../../views/format';
import { keyOption } from '../../views/key-change-modals';
import { groupOption } from '../../views/modal-parts';
import { serviceAccountOption, tokenOption } from '../../views/token-modals';
import type { ListenerDeps } from '../deps';
import { reportError } from '../errors';

/**
 * External-select type-ahead, answered within Slack's 3 s from Redis only (never Harness per
 * keystroke). When the list cannot be loaded the picker says so in its one option, rather than
 * showing an empty list that would look like an empty account.
 */
function registerTypeAhead(app: App, deps: ListenerDeps, actionId: string, search: (query: string) => Promise<PlainTextOption[]>) {
  app.options(actionId, async ({ options, ack }) => {
    try {
      // A person types a few words; anything longer is cut rather than searched.
      await ack({ options: await search(String(options.value ?? '').slice(0, 100)) });
    } catch (err) {
      const message = reportError(deps.logger, err, { actionId });
      const said = err instanceof AppError ? message : 'The list cannot be loaded right now.';
      await ack({ options: [{ text: { type: 'plain_text', text: truncate(`⚠️ ${said}`, 75) }, value: 'unavailable' }] });
    }
  });
}

export function registerTypeAheads(app: App, deps: ListenerDeps): void {
  // The account's Harness user groups, from the shared cache.
  registerTypeAhead(app, deps, FIELDS.groupsAction, async (q) => (await deps.groups.search(q, 100)).map(groupOption));
  // The bot's key registry (update and delete modals).
  registerTypeAhead(app, deps, FIELDS.keyAction, async (q) => (await deps.queries.searchKeys(q, 100)).map(keyOption));
  // NextGen: the service accounts in scope (same shared cache), and the tokens the bot minted.
  registerTypeAhead(app, deps, FIELDS.serviceAccountAction, async (q) => (await deps.groups.search(q, 100)).map(serviceAccountOption));
  registerTypeAhead(app, deps, FIELDS.tokenAction, async (q) => (await deps.queries.searchTokens(q, 100)).map(tokenOption));
}
