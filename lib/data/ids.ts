import { monotonicFactory } from 'ulid';

/** ULIDs: unique, and sorted by creation time, which the audit trail and user lists rely on. */
export const newId: () => string = monotonicFactory();
