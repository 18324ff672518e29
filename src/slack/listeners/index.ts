import type { App } from '@slack/bolt';
import { registerApproveAction } from './actions/approve';
import { registerAuditPage } from './actions/audit-page';
import { registerDenyAction } from './actions/deny';
import { registerKeyPicked } from './actions/key-picked';
import { registerApikeyCommand } from './commands/apikey';
import type { ListenerDeps } from './deps';
import { registerAppHome } from './events/app-home';
import { registerTypeAheads } from './options/type-ahead';
import { registerDenySubmission } from './views/deny-submission';
import { registerKeySubmissions } from './views/key-submissions';
import { ListenerRouter } from './router';

/**
 * Every listener of the bot. Actions, view submissions and options loads go through one router
 * (router.ts: Bolt runs every registered listener for every request, so fewer is faster).
 */
export function registerListeners(app: App, deps: ListenerDeps): void {
  registerApikeyCommand(app, deps);
  registerAppHome(app, deps);
  const routes = new ListenerRouter();
  registerTypeAheads(routes, deps);
  registerKeySubmissions(routes, deps);
  registerKeyPicked(routes, deps);
  registerApproveAction(routes, deps);
  registerDenyAction(routes, deps);
  registerDenySubmission(routes, deps);
  registerAuditPage(routes, deps);
  routes.mount(app);
}
