import { checkOptionsAnswer, checkView } from './block-limits';
import { PageError, type Outcome, type SlackClient } from './client';
import { clientErrors, findElement, optionsOf, toStateValue, type PageInput } from './modal-state';
import { actionEntry, blockActionsPayload, blockSuggestionPayload, viewClosedPayload, viewSubmissionPayload } from './payloads';
import type { OpenView } from './workspace';

/**
 * Modals from the Slack client's side: typing and choosing (kept in the view's state as Slack
 * keeps it), dispatched block actions, type-ahead (block_suggestion, from min_query_length on),
 * submission (Slack's own required-field checks first, then the bot's response_action), close.
 */
const TROUBLE = 'We had some trouble connecting. Try again?';
const callbackId = (view: OpenView) => (typeof view.definition.callback_id === 'string' ? view.definition.callback_id : '');

function topView(client: SlackClient, userId: string, viewId: string): OpenView {
  client.person(userId);
  const view = client.ws.topView(userId);
  if (!view || view.id !== viewId) throw new PageError('that view is not open (on top) for this person');
  return view;
}

function setValue(view: OpenView, blockId: string, actionId: string, input: PageInput): boolean {
  const found = findElement(view.definition.blocks, blockId, actionId);
  if (!found || found.block.type !== 'input') return false;
  (view.values[blockId] ??= {})[actionId] = toStateValue(found.element, input, view.suggested[`${blockId}/${actionId}`]);
  return true;
}

/** Values typed or chosen, not dispatched (Slack keeps them until the submission). */
export function setInputs(client: SlackClient, userId: string, viewId: string, values: Record<string, Record<string, PageInput>>): Outcome {
  client.person(userId);
  const view = client.ws.topView(userId);
  // A keystroke that arrives after the modal closed (or moved on) is dropped, as Slack's client drops it.
  if (!view || view.id !== viewId) return { ok: false, error: 'view_not_open' };
  for (const [blockId, actions] of Object.entries(values ?? {})) {
    for (const [actionId, input] of Object.entries(actions ?? {})) setValue(view, blockId, actionId, input ?? {});
  }
  return { ok: true };
}

/** A click, or a choice that Slack dispatches (elements outside input blocks, or `dispatch_action`). */
export async function viewAction(client: SlackClient, userId: string, viewId: string, blockId: string, actionId: string, input: PageInput): Promise<Outcome> {
  const view = topView(client, userId, viewId);
  const found = findElement(view.definition.blocks, blockId, actionId);
  const inInput = found?.block.type === 'input';
  if (inInput) setValue(view, blockId, actionId, input);
  if (inInput && found.block.dispatch_action !== true) return { ok: true };
  const state = inInput ? view.values[blockId]?.[actionId] : found ? toStateValue(found.element, input) : undefined;
  const action = actionEntry(blockId, found?.element, actionId, state, { value: typeof input.value === 'string' ? input.value : undefined });
  const payload = blockActionsPayload(client.ws, { person: client.person(userId), triggerId: client.ws.issueTrigger(userId), actions: [action], view });
  return client.interact(payload, `${actionId} in ${blockId}`);
}

export async function submitView(client: SlackClient, userId: string, viewId: string, values?: Record<string, Record<string, PageInput>>): Promise<Outcome> {
  const view = topView(client, userId, viewId);
  if (values) setInputs(client, userId, viewId, values);
  const local = clientErrors(view.definition.blocks, view.values);
  view.errors = local;
  view.appError = undefined;
  client.ws.emit({ kind: 'modal', user: userId });
  if (Object.keys(local).length > 0) return { ok: false, error: 'required', errors: local };

  const payload = viewSubmissionPayload(client.ws, { person: client.person(userId), triggerId: client.ws.issueTrigger(userId), view });
  const res = await client.interact(payload, callbackId(view));
  if (!res.ok) return fail(client, view, res);
  if (!res.text) {
    client.ws.closeViews(userId, false);
    return { ok: true, status: 200 };
  }
  let ack: Record<string, unknown>;
  try {
    ack = JSON.parse(res.text) as Record<string, unknown>;
  } catch {
    client.ws.problem('view_submission answered with a body that is not JSON', [res.text.slice(0, 200)]);
    return fail(client, view, { ...res, ok: false, error: 'invalid_response' });
  }
  return applyResponseAction(client, view, ack);
}

function fail(client: SlackClient, view: OpenView, res: Outcome): Outcome {
  view.appError = TROUBLE;
  client.ws.emit({ kind: 'modal', user: view.user });
  return res;
}

function applyResponseAction(client: SlackClient, view: OpenView, ack: Record<string, unknown>): Outcome {
  const ws = client.ws;
  const outcome = { ok: true, status: 200, ack };
  switch (ack.response_action) {
    case 'errors': {
      const errors = (ack.errors && typeof ack.errors === 'object' ? ack.errors : {}) as Record<string, unknown>;
      const inputs = new Set(((view.definition.blocks ?? []) as { type?: string; block_id?: string }[]).filter((b) => b.type === 'input').map((b) => b.block_id));
      const unknown = Object.keys(errors).filter((id) => !inputs.has(id));
      if (unknown.length > 0 || Object.keys(errors).length === 0) {
        ws.problem('response_action errors names blocks that are not input blocks of the view: Slack shows no error', unknown);
        return fail(client, view, { ...outcome, ok: false, error: 'invalid_response' });
      }
      view.errors = Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, String(v)]));
      ws.emit({ kind: 'modal', user: view.user });
      return { ...outcome, ok: false, errors: view.errors };
    }
    case 'update':
    case 'push': {
      const problems = checkView(ack.view, 'modal');
      if (ack.response_action === 'push' && ws.stack(view.user).length >= 3) problems.push('push_limit_reached');
      if (problems.length > 0) {
        ws.problem(`response_action ${ack.response_action} refused`, problems);
        return fail(client, view, { ...outcome, ok: false, error: 'invalid_response' });
      }
      ws.placeView(view.user, ack.view as Record<string, unknown>, ack.response_action === 'push' ? 'push' : { replace: view });
      return outcome;
    }
    case 'clear':
      ws.closeViews(view.user, true);
      return outcome;
    default:
      ws.problem(`view_submission answered with an unknown response_action ${JSON.stringify(ack.response_action)}`);
      return fail(client, view, { ...outcome, ok: false, error: 'invalid_response' });
  }
}

/** Type-ahead of an external select: nothing is sent below its min_query_length (default 3). */
export async function suggest(client: SlackClient, userId: string, viewId: string, blockId: string, actionId: string, value: string): Promise<Outcome> {
  const view = topView(client, userId, viewId);
  const found = findElement(view.definition.blocks, blockId, actionId);
  if (!found || !String(found.element.type).includes('external')) throw new PageError('no external select there');
  const min = typeof found.element.min_query_length === 'number' ? found.element.min_query_length : 3;
  if ([...value].length < min) return { ok: true, options: [] };
  const payload = blockSuggestionPayload(client.ws, { person: client.person(userId), view, blockId, actionId, value });
  const res = await client.interact(payload, `${actionId} "${value}"`);
  if (!res.ok) return res;
  let answer: { options?: unknown[]; option_groups?: unknown[] } = {};
  try {
    answer = res.text ? (JSON.parse(res.text) as typeof answer) : {};
  } catch {
    client.ws.problem('an options load answered with a body that is not JSON', [res.text?.slice(0, 200) ?? '']);
  }
  const problems = checkOptionsAnswer(answer);
  if (problems.length > 0) {
    client.ws.problem(`the options for ${actionId} were refused: Slack shows none`, problems);
    return { ok: false, error: 'invalid_options', options: [] };
  }
  view.suggested[`${blockId}/${actionId}`] = optionsOf(answer);
  return { ok: true, status: 200, ...(answer.option_groups ? { optionGroups: answer.option_groups } : { options: answer.options ?? [] }) };
}

/** Cancel / ×: back to the previous view (all of them with clear_on_close); view_closed if asked for. */
export async function closeView(client: SlackClient, userId: string, viewId: string): Promise<Outcome> {
  const view = topView(client, userId, viewId);
  const all = view.definition.clear_on_close === true;
  const stack = client.ws.stack(userId);
  const closing = all ? [...stack] : [view];
  client.ws.closeViews(userId, all);
  if (view.definition.notify_on_close === true) {
    const payload = viewClosedPayload(client.ws, { person: client.person(userId), view, cleared: all && closing.length > 1 });
    return client.interact(payload, callbackId(view));
  }
  return { ok: true };
}
