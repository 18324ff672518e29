/**
 * Every Redis key name the bot uses, in one place. Requests alone live under `apikey:req:` (no
 * other key shares that prefix, so no request id can name another key).
 */
export const redisKeys = {
  request: (id: string) => `apikey:req:${id}`,
  openRequests: 'apikey:open-requests',
  pendingNames: 'apikey:names:pending',
  /** uuid -> id of the one open update/delete request for that key. */
  pendingKeys: 'apikey:keys:pending',
  requestsOf: (userId: string) => `apikey:requests-of:${userId}`,
  registry: 'apikey:keys',
  registryNames: 'apikey:keys:byname',
  /** A cached Harness list (user groups, service accounts), its version, and the refresh lock. */
  directory: (name: string) => ({ list: `apikey:${name}`, version: `apikey:${name}:version`, lock: `apikey:${name}:refresh` }),
  auditIndex: (stream: string, kind: 'req' | 'user' | 'key', value: string) => `${stream}:idx:${kind}:${value}`,
  /** Notifications a request (or '-' for events of no request) still owes, in order. */
  outbox: (subject: string) => `apikey:outbox:${subject}`,
  /** Subjects with something owed, scored by when it was first owed. */
  outboxIndex: 'apikey:outbox-due',
  /** Held by the replica delivering a subject's outbox, so two never deliver the same item. */
  outboxLock: (subject: string) => `apikey:outbox-lock:${subject}`,
  /** What was delivered already (DM ts, the audit thread), so a repeat updates instead of posting. */
  delivered: (subject: string) => `apikey:delivered:${subject}`,
};

/** Key names of earlier versions that shared the request prefix, and where they live now. */
export const MOVED_KEYS = {
  openRequests: { from: 'apikey:req:open', to: redisKeys.openRequests },
  requestsOf: { pattern: 'apikey:req:by-user:*', from: 'apikey:req:by-user:', to: 'apikey:requests-of:' },
} as const;
