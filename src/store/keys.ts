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
  userGroups: 'apikey:usergroups',
  userGroupsVersion: 'apikey:usergroups:version',
  userGroupsRefreshLock: 'apikey:usergroups:refresh',
  auditIndex: (stream: string, kind: 'req' | 'user' | 'key', value: string) => `${stream}:idx:${kind}:${value}`,
  auditMirror: (stream: string, requestId: string) => `${stream}:mirror:${requestId}`,
};
