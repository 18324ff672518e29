import { ACTIONS, APPROVAL_MESSAGE, FIELDS, NEXTGEN_MODALS, REVEAL_MODAL } from '../../src/slack/ids';
import { PageClient, type PageMessage, type PageState } from '../browser/sandbox-environment';

/**
 * NextGen flows through the sandbox page's HTTP endpoints, as the page's JavaScript drives them
 * (the same calls a person's clicks make): for tests of the whole sandbox, compiled or not.
 */
export const [DEV, ADMIN1, ADMIN2, OTHER] = ['U0DEV', 'U0ADMIN1', 'U0ADMIN2', 'U0OTHER'];

const textOf = (m: PageMessage) => JSON.stringify(m.blocks ?? []) + m.text;
export const approvalFor = (name: string) => (s: PageState) =>
  s.conversations.find((c) => c.name === 'apikey-approvals')?.messages.find((m) => textOf(m).includes(name));
const dm = (s: PageState) => s.conversations.find((c) => c.kind === 'im');

/** /apikey create as `user`: picks the service account found by `search`, names the key; returns the approval message. */
export async function requestToken(page: PageClient, name: string, search = '0007', days = '30'): Promise<PageMessage> {
  await page.post('command', { channel: 'C0GENERAL', text: '/apikey create' });
  const modal = await page.waitFor((s) => s.modal?.view.callback_id === NEXTGEN_MODALS.create && s.modal, 'the create modal');
  const found = await page.post<{ options: { text: { text: string }; value: string }[] }>('suggest', {
    view_id: modal.id, block_id: FIELDS.serviceAccountBlock, action_id: FIELDS.serviceAccountAction, value: search,
  });
  const sa = found.body.options[0];
  if (!sa) throw new Error(`no service account matches ${search}`);
  const submitted = await page.post('submit', {
    view_id: modal.id,
    values: {
      [FIELDS.serviceAccountBlock]: { [FIELDS.serviceAccountAction]: { option: { value: sa.value, text: sa.text.text } } },
      [FIELDS.nameBlock]: { [FIELDS.nameAction]: { value: name } },
      [FIELDS.validityBlock]: { [FIELDS.validityAction]: { value: days } },
      [FIELDS.reasonBlock]: { [FIELDS.reasonAction]: { value: 'CI deploys' } },
    },
  });
  if (submitted.body.ok !== true) throw new Error(`submission refused: ${JSON.stringify(submitted.body)}`);
  return new PageClient(page.baseUrl, ADMIN1).waitFor(approvalFor(name), 'the approval message');
}

/** Clicks Approve as `approver`; resolves with the requester's result DM. */
export async function approveToken(page: PageClient, requester: PageClient, name: string): Promise<PageMessage> {
  const request = await page.waitFor(approvalFor(name), 'the approval message');
  await page.post('action', { channel: 'C0APPROVALS', ts: request.ts, block_id: APPROVAL_MESSAGE.actionsBlock, action_id: ACTIONS.approve, value: buttonValue(request, ACTIONS.approve) });
  return requester.waitFor((s) => dm(s)?.messages.find((m) => m.text.includes(name) && /Approved by/.test(m.text)), 'the result DM', 10_000);
}

function buttonValue(m: PageMessage, actionId: string): string {
  const button = (m.blocks ?? []).flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId);
  if (!button) throw new Error(`no ${actionId} button in ${m.text}`);
  return button.value ?? '';
}

/** Clicks "Reveal token" in the requester's DM; returns the value the modal shows, then closes it. */
export async function revealToken(requester: PageClient, result: PageMessage): Promise<string> {
  const block = (result.blocks ?? []).find((b) => (b.elements ?? []).some((e) => e.action_id === ACTIONS.reveal));
  await requester.post('action', { channel: `D${requester.user.slice(1)}`, ts: result.ts, block_id: block?.block_id ?? '', action_id: ACTIONS.reveal, value: buttonValue(result, ACTIONS.reveal) });
  const modal = await requester.waitFor((s) => s.modal?.view.callback_id === REVEAL_MODAL.callbackId && s.modal, 'the reveal modal');
  const value = /`((?:sat|pat)\.[^`]+)`/.exec(JSON.stringify(modal.view.blocks))?.[1];
  if (!value) throw new Error('the reveal modal shows no token');
  await requester.post('close', { view_id: modal.id });
  return value;
}

/** `/apikey <text>` typed in #general; resolves with the ephemeral answer containing `expect`. */
export async function command(page: PageClient, text: string, expect: string): Promise<PageMessage> {
  await page.post('command', { channel: 'C0GENERAL', text });
  return page.waitFor((s) => s.conversations.find((c) => c.name === 'general')?.messages.find((m) => m.ephemeral && textOf(m).includes(expect)), `the answer to ${text}`);
}
