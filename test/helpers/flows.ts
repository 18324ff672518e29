import Redis from 'ioredis';
import { ACTIONS, CREATE_MODAL } from '../../src/slack/ids';
import type { AuditEntry } from '../../src/domain/audit';
import { parseEntry } from '../../src/store/audit-log';
import type { SlackResponse, SlackSender } from '../../src/simulators/slack/requests';
import type { Environment } from './environment';
import { APPROVAL_CHANNEL } from './environment';
import type { SlackCall } from '../../src/simulators/slack/web-api';

/** Steps several tests share, each done the way a person in Slack would do it. */
export function createValues(name: string, groupIds: string[], reason: string) {
  return {
    [CREATE_MODAL.nameBlock]: { [CREATE_MODAL.nameAction]: { type: 'plain_text_input', value: name } },
    [CREATE_MODAL.groupsBlock]: {
      [CREATE_MODAL.groupsAction]: {
        type: 'multi_external_select',
        selected_options: groupIds.map((id) => ({ text: { type: 'plain_text', text: id }, value: id })),
      },
    },
    [CREATE_MODAL.reasonBlock]: { [CREATE_MODAL.reasonAction]: { type: 'plain_text_input', value: reason } },
  };
}

/** Loads the user-group picker once so the group cache is warm, as opening the modal does. */
export async function warmGroups(env: Environment, userId: string): Promise<void> {
  const res = await env.sender.options(userId, CREATE_MODAL.groupsAction, CREATE_MODAL.groupsBlock, '');
  if (res.status !== 200) throw new Error(`options load failed: ${res.status} ${res.body}`);
}

/** Submits the create modal and returns the request id from the approval message's Approve button. */
export async function submitCreate(env: Environment, userId: string, name: string, groupIds: string[], reason = 'CI deploys'): Promise<string> {
  await warmGroups(env, userId);
  const since = env.slack.calls.length;
  const res = await env.sender.viewSubmission(userId, CREATE_MODAL.callbackId, createValues(name, groupIds, reason));
  if (res.status !== 200 || res.body !== '') throw new Error(`submission not accepted: ${res.status} ${res.body}`);
  const post = await env.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === APPROVAL_CHANNEL && JSON.stringify(c.args.blocks).includes(name), 5000, since);
  const requestId = approveButtonValue(post);
  // The pending DM is sent after the approval message's location is stored: the announce is complete.
  await env.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === userId && String(c.args.text).includes(requestId), 5000, since);
  return requestId;
}

export function approveButtonValue(call: SlackCall): string {
  const blocks = call.args.blocks as { type: string; elements?: { action_id?: string; value?: string }[] }[];
  const button = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === ACTIONS.approve);
  if (!button?.value) throw new Error('approval message has no Approve button');
  return button.value;
}

export async function readAudit(env: Environment): Promise<AuditEntry[]> {
  const redis = new Redis(env.redis.url);
  try {
    const rows = await redis.xrange(env.config.auditStreamKey, '-', '+');
    return rows.map(([id, flat]) => parseEntry(id, flat));
  } finally {
    redis.disconnect();
  }
}

export async function waitUntil<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const dmsTo = (env: Environment, userId: string) =>
  env.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === userId).map((c) => String(c.args.text));

export const ephemeralsTo = (env: Environment, userId: string) =>
  env.slack.callsTo('chat.postEphemeral').filter((c) => c.args.user === userId).map((c) => String(c.args.text));

/** Where the bot posted a request's approval message (a decision is accepted only from there). */
export async function approvalMessageOf(env: Pick<Environment, 'redis'>, requestId: string): Promise<{ channelId: string; ts: string } | undefined> {
  // During an outage test Redis is down: then the click goes out without a location, as a stale one would.
  const redis = new Redis(env.redis.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  redis.on('error', () => undefined);
  try {
    const [channelId, ts] = await redis.hmget(`apikey:req:${requestId}`, 'approvalChannelId', 'approvalTs');
    return channelId && ts ? { channelId, ts } : undefined;
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

/** Clicks Approve or Deny on the request's approval message, as an approver in Slack would. */
export async function clickDecision(
  env: Pick<Environment, 'redis' | 'sender'>,
  userId: string,
  actionId: string,
  requestId: string,
  sender: SlackSender = env.sender,
): Promise<SlackResponse> {
  const at = await approvalMessageOf(env, requestId);
  return sender.button(userId, actionId, requestId, at?.channelId, at?.ts);
}

/** Approves a request and waits for the requester's result DM. */
export async function approve(env: Environment, requestId: string, approverId: string): Promise<string> {
  const since = env.slack.calls.length;
  await clickDecision(env, approverId, ACTIONS.approve, requestId);
  const dm = await env.slack.waitFor(
    (c) => c.method === 'chat.postMessage' && String(c.args.text).includes('Approved by') || (c.method === 'chat.postMessage' && String(c.args.text).includes(requestId) && String(c.args.text).includes('did not complete')),
    8000,
    since,
  );
  return String(dm.args.text);
}

/** Creates a key through the whole flow (request + approval) and returns its Harness uuid. */
export async function createKey(env: Environment, requesterId: string, approverId: string, name: string, groupIds: string[]): Promise<string> {
  const id = await submitCreate(env, requesterId, name, groupIds);
  await approve(env, id, approverId);
  const uuid = [...env.harness.keys.entries()].find(([, k]) => k.name === name)?.[0];
  if (!uuid) throw new Error(`key ${name} was not created`);
  return uuid;
}

/** Submits the update or delete modal; returns the request id or the inline errors. */
export async function submitModal(
  env: Environment,
  userId: string,
  callbackId: string,
  values: Record<string, Record<string, unknown>>,
  privateMetadata = '',
): Promise<{ requestId?: string; errors?: Record<string, string> }> {
  const since = env.slack.calls.length;
  const res = await env.sender.viewSubmission(userId, callbackId, values, privateMetadata);
  if (res.status !== 200) throw new Error(`submission failed: ${res.status}`);
  if (res.body !== '') return { errors: (res.json() as { errors: Record<string, string> }).errors };
  const post = await env.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === APPROVAL_CHANNEL, 5000, since);
  const requestId = approveButtonValue(post);
  await env.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === userId && String(c.args.text).includes(requestId), 5000, since);
  return { requestId };
}
