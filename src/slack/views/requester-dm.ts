import type { ApiKeyRequest } from '../../domain/request';
import { ACTIONS } from '../ids';
import type { KnownBlock } from './block-kit';
import { deniedDm, doneDm, expiredDm, failedDm, pendingDm, revealExpiredDm, revealedDm } from './messages';

export type RequesterNews = 'pending' | 'done' | 'failed' | 'denied' | 'expired' | 'revealed' | 'reveal-expired';

const button = (actionId: string, text: string, value: string, style?: 'primary'): KnownBlock => ({
  type: 'actions',
  elements: [{ type: 'button', action_id: actionId, text: { type: 'plain_text', text }, value, ...(style ? { style } : {}) }],
});

/**
 * The requester's DM for each point of the request's life. A NextGen token's DM carries the
 * Reveal button (the value itself never enters a message); once the window has passed, a button
 * to ask for a rotation instead.
 */
export function requesterMessage(r: ApiKeyRequest, news: RequesterNews, at = Date.now()): { text: string; blocks?: KnownBlock[] } {
  const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
  switch (news) {
    case 'pending':
      return { text: pendingDm(r) };
    case 'failed':
      return { text: failedDm(r) };
    case 'denied':
      return { text: deniedDm(r) };
    case 'expired':
      return { text: expiredDm(r) };
    case 'done': {
      const text = doneDm(r);
      return r.revealUntil ? { text, blocks: [section(text), button(ACTIONS.reveal, 'Reveal token', r.id, 'primary')] } : { text };
    }
    case 'revealed':
      return { text: revealedDm(r, at) };
    case 'reveal-expired': {
      const text = revealExpiredDm(r);
      return { text, blocks: [section(text), button(ACTIONS.requestRotation, 'Request a rotation', r.keyUuid ?? '')] };
    }
  }
}
