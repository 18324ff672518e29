import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../deps';

/** The App Home tab, drawn (as a job) each time someone opens it. */
export function registerAppHome(app: App, deps: ListenerDeps): void {
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab === 'home') deps.jobs.run({ type: 'publishHome', userId: event.user });
    return Promise.resolve();
  });
}
