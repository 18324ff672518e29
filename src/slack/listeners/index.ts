import type { App } from '@slack/bolt';
import { registerApproveAction } from './actions/approve';
import { registerDenyAction } from './actions/deny';
import { registerApikeyCommand } from './commands/apikey';
import type { ListenerDeps } from './deps';
import { registerUserGroupOptions } from './options/user-groups';
import { registerCreateSubmission } from './views/create-submission';
import { registerDenySubmission } from './views/deny-submission';

export function registerListeners(app: App, deps: ListenerDeps): void {
  registerApikeyCommand(app, deps);
  registerUserGroupOptions(app, deps);
  registerCreateSubmission(app, deps);
  registerApproveAction(app, deps);
  registerDenyAction(app, deps);
  registerDenySubmission(app, deps);
}
