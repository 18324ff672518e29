import { AppError } from '../errors';
import { isApprover } from '../domain/approval-policy';

/**
 * Who is an approver right now: the configured ids, plus members of a Slack user group
 * (usergroups.users.list, cached briefly so a burst of clicks costs one Tier 2 call).
 */
export class ApproverDirectory {
  private cache?: { at: number; members: string[] };

  constructor(
    private readonly staticIds: readonly string[],
    private readonly userGroupId: string | undefined,
    private readonly fetchMembers: (userGroupId: string) => Promise<string[]>,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async isApprover(userId: string): Promise<boolean> {
    if (this.staticIds.includes(userId) || !this.userGroupId) return this.staticIds.includes(userId);
    return isApprover(userId, this.staticIds, await this.members(this.userGroupId));
  }

  private async members(groupId: string): Promise<string[]> {
    if (this.cache && this.now() - this.cache.at < this.ttlMs) return this.cache.members;
    try {
      const members = await this.fetchMembers(groupId);
      this.cache = { at: this.now(), members };
      return members;
    } catch (err) {
      throw new AppError('APPROVER_CHECK_FAILED', 'Could not check the approvers user group in Slack right now. Nothing was changed; try again in a minute.', {
        cause: err,
      });
    }
  }
}
