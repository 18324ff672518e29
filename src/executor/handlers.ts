import { userMessage } from '../errors';
import type { AppLogger } from '../logger';
import type { Services } from '../services/build';
import { denyModal } from '../slack/views/deny-modal';
import { homeView } from '../slack/views/home-view';
import { updateModal } from '../slack/views/key-change-modals';
import type { Job } from './jobs';

/** Runs one job. Every failure ends here: logged with its context, and told to the person where one waits. */
export async function runJob(s: Services, logger: AppLogger, job: Job): Promise<void> {
  try {
    await handle(s, job);
  } catch (err) {
    const context = { job: job.type, ...('requestId' in job ? { requestId: job.requestId } : {}) };
    if (err instanceof Error && (err.name === 'AppError' || err.name === 'HarnessError')) logger.warn(`job ${job.type} failed`, err, context);
    else logger.error(`job ${job.type} failed unexpectedly`, err, context);
    if ('actorId' in job) await s.notifier.ephemeral(job.channelId, job.actorId, userMessage(err));
    else if (job.type === 'openView') await s.notifier.ephemeral(job.channelId, job.userId, userMessage(err));
  }
}

async function handle(s: Services, job: Job): Promise<void> {
  switch (job.type) {
    case 'openView':
      // trigger_id lives 3 s and works once: open the modal before anything slow.
      await s.slack.views.open({ trigger_id: job.triggerId, view: job.view });
      if (job.warmGroups) s.groups.warm();
      return;
    case 'announce':
      return s.requests.announce(job.request, job.audit);
    case 'approve': {
      const outcome = await s.requests.approve(job.requestId, job.actorId);
      if (!outcome.ok) await s.notifier.ephemeral(job.channelId, job.actorId, outcome.message);
      return;
    }
    case 'denyClicked': {
      const allowed = await s.requests.authorize(job.requestId, job.actorId, 'deny');
      if (!allowed.ok || !allowed.request) return s.notifier.ephemeral(job.channelId, job.actorId, allowed.message);
      await s.slack.views.open({ trigger_id: job.triggerId, view: denyModal(allowed.request) });
      return;
    }
    case 'denied':
      return s.requests.notifyDenied(job.request, job.audit);
    case 'keyPicked': {
      // Harness has no query that reads keys: the registry is the only source of the prefill.
      const key = job.uuid ? await s.queries.getKey(job.uuid) : undefined;
      await s.slack.views.update({ view_id: job.viewId, hash: job.hash, view: updateModal(key && !key.deletedAt ? key : undefined) });
      return;
    }
    case 'publishHome':
      await s.slack.views.publish({ user_id: job.userId, view: homeView(await s.queries.home(job.userId)) });
      return;
  }
}
