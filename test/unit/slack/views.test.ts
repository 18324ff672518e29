import { listMessage } from '../../../src/slack/views/list-message';
import type { ApiKeyRequest } from '../../../src/domain/request';
import { ACTIONS, CREATE_MODAL, DENY_MODAL } from '../../../src/slack/ids';
import { approvalMessage } from '../../../src/slack/views/approval-message';
import { createModal } from '../../../src/slack/views/create-modal';
import { denyModal } from '../../../src/slack/views/deny-modal';
import { auditLine, doneDm } from '../../../src/slack/views/messages';
import { escapeMrkdwn, truncate } from '../../../src/slack/views/format';

const request: ApiKeyRequest = {
  id: 'req-1',
  operation: 'create',
  state: 'pending',
  version: 1,
  requesterId: 'U0DEV',
  keyName: 'ci <!channel>',
  userGroups: [
    { id: 'g1', name: 'admins' },
    { id: 'g2', name: 'devs & ops' },
  ],
  reason: 'needs <https://evil.example|a link>',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

/** Slack's published limits (shared/slack/FACTS.md). */
function checkModalLimits(view: ReturnType<typeof createModal>) {
  expect(view.title.text.length).toBeLessThanOrEqual(24);
  expect(view.submit!.text.length).toBeLessThanOrEqual(24);
  expect(view.close!.text.length).toBeLessThanOrEqual(24);
  expect(view.blocks.length).toBeLessThanOrEqual(100);
  expect((view.private_metadata ?? '').length).toBeLessThanOrEqual(3000);
}

describe('view builders', () => {
  it('create modal: the three inputs with the ids the listeners read, within Slack limits', () => {
    const view = createModal();
    checkModalLimits(view);
    expect(view.callback_id).toBe(CREATE_MODAL.callbackId);
    const inputs = view.blocks.filter((b) => b.type === 'input') as { block_id: string; element: { type: string; action_id: string } }[];
    expect(inputs.map((b) => [b.block_id, b.element.action_id, b.element.type])).toEqual([
      [CREATE_MODAL.nameBlock, CREATE_MODAL.nameAction, 'plain_text_input'],
      [CREATE_MODAL.groupsBlock, CREATE_MODAL.groupsAction, 'multi_external_select'],
      [CREATE_MODAL.reasonBlock, CREATE_MODAL.reasonAction, 'plain_text_input'],
    ]);
  });

  it('deny modal carries the request id and an optional reason', () => {
    const view = denyModal(request);
    checkModalLimits(view);
    expect(view.private_metadata).toBe('req-1');
    expect(JSON.stringify(view.blocks)).toContain(DENY_MODAL.reasonBlock);
    expect(JSON.stringify(view.blocks)).toContain('ci &lt;!channel&gt;');
  });

  it('approval message: buttons while pending, escaped user text, a fallback text', () => {
    const { text, blocks } = approvalMessage(request);
    const json = JSON.stringify(blocks);
    expect(json).toContain(ACTIONS.approve);
    expect(json).toContain(ACTIONS.deny);
    // Everything Slack parses as mrkdwn (the fallback text and mrkdwn objects) is escaped;
    // the header is plain_text, which Slack never parses.
    const mrkdwn = [text, ...[...json.matchAll(/"type":"mrkdwn","text":"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!)];
    expect(mrkdwn.length).toBeGreaterThan(4);
    for (const t of mrkdwn) {
      expect(t).not.toContain('<!channel>');
      expect(t).not.toContain('<https://evil.example');
    }
    expect(json).toContain('devs &amp; ops');
    expect(text).toMatch(/Create API key .* requested by <@U0DEV>: pending/);
    expect(blocks.length).toBeLessThanOrEqual(50);
  });

  it('approval message after a decision: no buttons, the outcome and who decided', () => {
    const { blocks } = approvalMessage({ ...request, state: 'denied', approverId: 'U0ADMIN', denyReason: 'no <!here>' });
    const json = JSON.stringify(blocks);
    expect(json).not.toContain(ACTIONS.approve);
    expect(json).toContain('Denied by <@U0ADMIN>');
    expect(json).toContain('no &lt;!here&gt;');
  });

  it('keeps long input inside Slack text limits', () => {
    const long = { ...request, keyName: 'n'.repeat(128), reason: 'r'.repeat(5000), userGroups: Array.from({ length: 50 }, (_, i) => ({ id: `g${i}`, name: 'x'.repeat(75) })) };
    for (const block of approvalMessage(long).blocks) {
      if (block.type === 'section') {
        if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
        for (const f of block.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(2000);
        expect((block.fields ?? []).length).toBeLessThanOrEqual(10);
      }
      if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(150);
    }
  });

  it('the result DM says where to reveal the key value', () => {
    const dm = doneDm({ ...request, state: 'done', approverId: 'U0ADMIN', keyUuid: 'uuid-1' });
    expect(dm).toContain('uuid-1');
    expect(dm).toContain('Access Management → API Keys');
  });

  it('an audit line names event, key, request and people', () => {
    const line = auditLine({
      event: 'approved',
      requestId: 'req-1',
      operation: 'create',
      actorId: 'U0ADMIN',
      requesterId: 'U0DEV',
      keyName: 'ci',
      keyUuid: '',
      userGroupIds: 'g1',
      reason: 'r',
      at: '2026-01-01T00:00:00.000Z',
    });
    expect(line).toBe('`2026-01-01T00:00:00.000Z` *approved* create ci · request `req-1` · by <@U0ADMIN> for <@U0DEV>');
  });

  it('truncate counts characters and marks the cut', () => {
    expect(truncate('🔑🔑🔑', 2)).toBe('🔑…');
    expect(truncate('abc', 3)).toBe('abc');
    expect(escapeMrkdwn('<&>')).toBe('&lt;&amp;&gt;');
  });
});

describe('wording', () => {
  it('counts in words a person would write ("1 API key", not "1 API keys")', () => {
    const key = { uuid: 'u1', name: 'k', userGroups: [], requesterId: 'U0DEV', approverId: 'U0ADMIN', requestId: 'req-1', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' };
    expect(listMessage({ keys: [key], openRequests: [] }).text).toBe('1 API key, 0 open requests of yours');
    expect(listMessage({ keys: [key, { ...key, uuid: 'u2' }], openRequests: [] }).text).toBe('2 API keys, 0 open requests of yours');
  });
});
