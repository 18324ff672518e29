import type { App } from '@slack/bolt';
import { homeView } from '../../views/home-view';
import type { ListenerDeps } from '../deps';

/** The App Home tab, drawn each time someone opens it. */
export function registerAppHome(app: App, deps: ListenerDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await client.views.publish({ user_id: event.user, view: homeView(await deps.queries.home(event.user)) });
  });
}
