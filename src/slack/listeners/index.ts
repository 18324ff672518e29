import type { App } from '@slack/bolt';
import type { AppLogger } from '../../logger';
import { registerApproveAction } from './actions/approve';
import { registerAuditPage } from './actions/audit-page';
import { registerDenyAction } from './actions/deny';
import { registerKeyPicked } from './actions/key-picked';
import { registerRevealAction } from './actions/reveal';
import { registerApikeyCommand } from './commands/apikey';
import type { ListenerDeps } from './deps';
import { registerErrorHandler } from './errors';
import { registerPayloadGuard } from './payload-guard';
import { registerAppHome } from './events/app-home';
import { registerTypeAheads } from './options/type-ahead';
import { registerDenySubmission } from './views/deny-submission';
import { registerKeySubmissions } from './views/key-submissions';
import { registerTokenSubmissions } from './views/token-submissions';

/** Every listener of the bot, one file each, registered the way Bolt documents (`app.action(id, …)`). */
export function registerListeners(app: App, deps: ListenerDeps & { logger: AppLogger }): void {
  registerPayloadGuard(app, deps.logger);
  registerApikeyCommand(app, deps);
  registerAppHome(app, deps);
  registerTypeAheads(app, deps);
  registerKeySubmissions(app, deps);
  registerTokenSubmissions(app, deps);
  registerRevealAction(app, deps);
  registerKeyPicked(app, deps);
  registerApproveAction(app, deps);
  registerDenyAction(app, deps);
  registerDenySubmission(app, deps);
  registerAuditPage(app, deps);
  registerErrorHandler(app, deps.logger);
}
