import { auditKeys } from './audit';
import { claimKeys } from './claims';
import { deliveryKeys } from './deliveries';
import { jobKeys } from './jobs';
import { outboxKey } from './outbox-item';
import { eventKeys } from './events';
import { pendingKeys } from './pending-tokens';
import { searchKeys } from './search';
import { userKeys } from './users';
import { workKeys } from './work';
import { workgroupKeys } from './workgroups';

export { LIFECYCLE, userIndexAttributes } from './users';
export { workIndexAttributes } from './work';

/**
 * Every key of the single table, in one place to look them up: each entity module declares its
 * own keys next to its item mapping (users.ts, claims.ts, work.ts, ...); this gathers them.
 */
export const keys = {
  ...userKeys,
  ...claimKeys,
  ...pendingKeys,
  ...eventKeys,
  searchTerm: searchKeys.searchTerm,
  ...workgroupKeys,
  ...workKeys,
  ...jobKeys,
  ...deliveryKeys,
  ...auditKeys,
  outbox: outboxKey,
};
