import type { App } from '@slack/bolt';
import { CREATE_MODAL } from '../../ids';
import { truncate } from '../../views/format';
import type { ListenerDeps } from '../deps';

/** Type-ahead over the cached Harness user groups; never calls Harness per keystroke. */
export function registerUserGroupOptions(app: App, deps: ListenerDeps): void {
  app.options(CREATE_MODAL.groupsAction, async ({ options, ack }) => {
    try {
      const groups = await deps.groups.search(options.value ?? '', 100);
      await ack({
        options: groups.map((g) => ({ text: { type: 'plain_text' as const, text: truncate(g.name, 75) }, value: g.id })),
      });
    } catch (err) {
      deps.logger.warn('user group options unavailable', err);
      await ack({ options: [] });
    }
  });
}
