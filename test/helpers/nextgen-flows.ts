import { ACTIONS, FIELDS, NEXTGEN_MODALS, REVEAL_MODAL } from '../../src/slack/ids';
import type { SlackCall } from '../../src/simulators/slack/web-api';
import type { Environment } from './environment';
import { approveButtonValue, waitUntil, clickDecision } from './flows';

/** Flows of the NextGen modals, as Slack sends them. */
const plain = (value: string) => ({ type: 'plain_text_input', value });
const selected = (value: string) => ({ type: 'static_select', selected_option: { value, text: { type: 'plain_text', text: value } } });
const reason = (text: string) => ({ [FIELDS.reasonBlock]: { [FIELDS.reasonAction]: plain(text) } });
const token = (uuid: string) => ({ [FIELDS.tokenBlock]: { [FIELDS.tokenAction]: { type: 'external_select', selected_option: { value: uuid } } } });

export const createTokenValues = (serviceAccount: string, name: string, days: string, why = 'CI deploys') => ({
  [FIELDS.serviceAccountBlock]: { [FIELDS.serviceAccountAction]: { type: 'external_select', selected_option: { value: serviceAccount } } },
  [FIELDS.nameBlock]: { [FIELDS.nameAction]: plain(name) },
  [FIELDS.validityBlock]: { [FIELDS.validityAction]: { type: 'number_input', value: days } },
  ...reason(why),
});

export const rotateValues = (uuid: string, graceHours: string, why = 'routine rotation') => ({
  ...token(uuid),
  [FIELDS.graceBlock]: { [FIELDS.graceAction]: selected(graceHours) },
  ...reason(why),
});

export const updateTokenValues = (uuid: string, name: string, days: string, why = 'longer window') => ({
  ...token(uuid),
  [FIELDS.nameBlock]: { [FIELDS.nameAction]: plain(name) },
  [FIELDS.validityBlock]: { [FIELDS.validityAction]: { type: 'number_input', value: days } },
  ...reason(why),
});

export const deleteTokenValues = (uuid: string, scope: 'token' | 'key', why = 'no longer used') => ({
  ...token(uuid),
  [FIELDS.scopeBlock]: { [FIELDS.scopeAction]: { type: 'radio_buttons', selected_option: { value: scope } } },
  ...reason(why),
  [FIELDS.confirmBlock]: { [FIELDS.confirmAction]: { type: 'checkboxes', selected_options: [{ value: 'confirmed' }] } },
});

/** Submits a NextGen modal; returns the request id, or the inline errors. */
export async function submitToken(
  env: Environment,
  userId: string,
  callbackId: (typeof NEXTGEN_MODALS)[keyof typeof NEXTGEN_MODALS],
  values: Record<string, Record<string, unknown>>,
): Promise<{ requestId?: string; errors?: Record<string, string> }> {
  // The service-account picker's list loads as the modal opens.
  await env.sender.options(userId, FIELDS.serviceAccountAction, FIELDS.serviceAccountBlock, '');
  const since = env.slack.calls.length;
  const res = await env.sender.viewSubmission(userId, callbackId, values);
  if (res.status !== 200) throw new Error(`submission failed: ${res.status}`);
  if (res.body !== '') return { errors: (res.json() as { errors: Record<string, string> }).errors };
  const post = await env.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === 'C0APPROVALS', 5000, since);
  const requestId = approveButtonValue(post);
  await env.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === userId && String(c.args.text).includes(requestId), 5000, since);
  return { requestId };
}

/** Approves and waits for the requester's result DM (its text). */
export async function approveToken(env: Environment, requestId: string, approverId: string, requesterId: string): Promise<SlackCall> {
  const since = env.slack.calls.length;
  await clickDecision(env, approverId, ACTIONS.approve, requestId);
  const call = await env.slack.waitFor(
    (c) =>
      (c.method === 'chat.postMessage' && c.args.channel === requesterId && /Approved by|did not complete/.test(String(c.args.text))) ||
      (c.method === 'chat.postEphemeral' && c.args.user === approverId),
    8000,
    since,
  );
  if (call.method === 'chat.postEphemeral') throw new Error(`approval refused: ${String(call.args.text)}`);
  return call;
}

/** Clicks Reveal in the DM; returns the value shown in the modal, or the ephemeral answer. */
export async function clickReveal(env: Environment, userId: string, requestId: string): Promise<{ value?: string; said?: string }> {
  const since = env.slack.calls.length;
  await env.sender.button(userId, ACTIONS.reveal, requestId, `D${userId.slice(1)}`);
  const call = await env.slack.waitFor(
    // A views.open that Slack refuses (a failure the test set) showed nothing: wait for what the bot says next.
    (c) =>
      (c.method === 'views.open' && !env.slack.failures.has('views.open') && (c.args.view as { callback_id?: string }).callback_id === REVEAL_MODAL.callbackId) ||
      (c.method === 'chat.postEphemeral' && c.args.user === userId),
    5000,
    since,
  );
  if (call.method === 'chat.postEphemeral') return { said: String(call.args.text) };
  const blocks = (call.args.view as { blocks: { text?: { text: string } }[] }).blocks;
  const value = blocks.map((b) => b.text?.text ?? '').find((t) => /^`(sat|pat)\./.test(t));
  return { value: value?.slice(1, -1) };
}

export const tokenOf = (env: Environment, name: string) => waitUntil(() => env.nextgen!.state.tokens.find((t) => t.name === name && !t.identifier.startsWith('rotated_')), 3000, `token ${name}`);
