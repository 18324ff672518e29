/** Every Redis key name the bot uses, in one place. */
export const redisKeys = {
  request: (id: string) => `apikey:req:${id}`,
  openRequests: 'apikey:req:open',
  pendingNames: 'apikey:names:pending',
  /** uuid -> id of the one open update/delete request for that key. */
  pendingKeys: 'apikey:keys:pending',
  requestsOf: (userId: string) => `apikey:req:by-user:${userId}`,
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
