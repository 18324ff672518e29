import type { App } from '@slack/bolt';
import { FIELDS } from '../../ids';
import { groupOption } from '../../views/key-change-modals';
import type { ListenerDeps } from '../deps';

/** Type-ahead over the cached Harness user groups; never calls Harness per keystroke. */
export function registerUserGroupOptions(app: App, deps: ListenerDeps): void {
  app.options(FIELDS.groupsAction, async ({ options, ack }) => {
    try {
      const groups = await deps.groups.search(options.value ?? '', 100);
      await ack({ options: groups.map(groupOption) });
    } catch (err) {
      deps.logger.warn('user group options unavailable', err);
      await ack({ options: [] });
    }
  });
}
