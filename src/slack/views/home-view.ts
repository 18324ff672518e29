import type { ApiKeyRequest } from '../../domain/request';
import type { types } from '@slack/bolt';
import { COMMAND } from '../ids';
import type { KnownBlock } from './block-kit';
import { lineSections, mention } from './format';
import { requestLine } from './list-message';

/** The App Home tab: the caller's requests and, for approvers, what waits for them. */
export function homeView(data: { mine: ApiKeyRequest[]; waiting?: ApiKeyRequest[] }): types.HomeView {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'Harness API keys' } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `Type \`${COMMAND} help\` in any channel for the commands (create, list, audit, …). Every change waits for an approver.` },
    },
    { type: 'header', text: { type: 'plain_text', text: 'Your recent requests' } },
    ...(data.mine.length ? lineSections(data.mine.map(requestLine), 10) : [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: '_None yet._' } }]),
  ];
  if (data.waiting) {
    blocks.push(
      { type: 'header', text: { type: 'plain_text', text: `Waiting for your decision (${data.waiting.length})` } },
      ...(data.waiting.length
        ? lineSections(
            data.waiting.map((r) => `${requestLine(r)} — from ${mention(r.requesterId)}`),
            20,
          )
        : [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: '_Nothing waits for you._' } }]),
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Decide in the approvals channel.' }] },
    );
  }
  return { type: 'home', blocks };
}
