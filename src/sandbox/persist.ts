import type Redis from 'ioredis';
import type { Message, Workspace } from '../simulators/slack/workspace';

/**
 * What the simulators hold in memory, kept in the sandbox's Redis so that a restart finds it
 * again: a snapshot is written soon after a change (polled every 200 ms), at least every 2 s when
 * it differs from the last one written, and once more on stop. Keys: `sandbox:*`, beside the bot's
 * own `apikey:*`.
 */
export interface Persisted {
  /** Writes the current snapshot now (if it changed). */
  flush(): Promise<void>;
  /** Stops the timer and writes a last time. */
  stop(): Promise<void>;
}

export function persistInRedis(options: {
  redis: Redis;
  key: string;
  snapshot: () => string;
  /** True when something may have changed since the last call (it resets its own flag). */
  changed?: () => boolean;
  onError?: (err: unknown) => void;
  pollMs?: number;
  intervalMs?: number;
}): Persisted {
  const { redis, key } = options;
  let written: string | undefined;
  let lastCheck = Date.now();
  let inFlight: Promise<void> = Promise.resolve();
  let failing = false;

  const write = (): Promise<void> => {
    inFlight = inFlight.then(async () => {
      lastCheck = Date.now();
      const text = options.snapshot();
      if (text === written) return;
      try {
        await redis.set(key, text);
        written = text;
        failing = false;
      } catch (err) {
        if (!failing) options.onError?.(err); // once per outage
        failing = true;
      }
    });
    return inFlight;
  };
  const timer = setInterval(() => {
    if (options.changed?.() || Date.now() - lastCheck >= (options.intervalMs ?? 2000)) void write();
  }, options.pollMs ?? 200);
  timer.unref();
  return {
    flush: write,
    async stop() {
      clearInterval(timer);
      await write();
    },
  };
}

const WORKSPACE_KEY = 'sandbox:slack:workspace';

type SavedConversation = { id: string; messages: Message[] };

/**
 * The simulated Slack workspace's channels and DMs (not ephemeral messages, which Slack forgets
 * too, nor open modals): after a restart the approval requests still carry their buttons, and
 * the bot's chat.update calls find the messages they update.
 */
export async function persistWorkspace(ws: Workspace, redis: Redis, onError?: (err: unknown) => void): Promise<Persisted> {
  const saved = await redis.get(WORKSPACE_KEY);
  if (saved) {
    for (const { id, messages } of JSON.parse(saved) as SavedConversation[]) {
      const conversation = ws.conversations.get(id);
      if (!conversation || !Array.isArray(messages)) continue;
      conversation.messages = messages;
      ws.emit({ kind: 'messages', channel: id });
    }
  }
  let dirty = false;
  ws.changes.on('change', (change: { kind: string }) => {
    if (change.kind === 'messages') dirty = true;
  });
  return persistInRedis({
    redis,
    key: WORKSPACE_KEY,
    onError,
    changed: () => {
      const was = dirty;
      dirty = false;
      return was;
    },
    snapshot: () =>
      JSON.stringify([...ws.conversations.values()].map((c): SavedConversation => ({ id: c.id, messages: c.messages.filter((m) => !m.ephemeralFor) }))),
  });
}
