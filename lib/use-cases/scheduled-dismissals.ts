import { dueDismissal } from '../domain/dismissal';
import { InvalidState, LastAdmin } from '../domain/errors';
import { commit } from '../data/commit';
import { getUser, listUsersByLifecycleDate } from '../data/users';
import { logger } from '../logger';
import type { Deps } from '../runtime';
import { contextOf, retryOnStale } from './steps';

export type DueDismissalsReport = { due: number; dismissed: string[]; skipped: { userId: string; reason: string }[] };

/**
 * Carries out scheduled dismissals whose time has come (run every few minutes by a schedule):
 * 1. Query the sparse index for users whose dismissal is due (reads grow with what is due);
 * 2. for each, re-read the user (and the delegate named when it was scheduled) and commit the
 *    dismissal decided by lib/domain/dismissal.ts. A rehire that cancelled the schedule meanwhile
 *    wins: the version guard makes the schedule re-decide and find nothing to do. A dismissal the
 *    directory refuses (the last active admin) stays scheduled and is reported.
 */
export async function runDueDismissals(deps: Deps, batch = 100): Promise<DueDismissalsReport> {
  const now = deps.clock();
  const report: DueDismissalsReport = { due: 0, dismissed: [], skipped: [] };
  let cursor: string | undefined;
  do {
    const page = await listUsersByLifecycleDate(deps.table, 'dismissalDue', now.toISOString(), batch, cursor);
    report.due += page.items.length;
    for (const due of page.items) {
      try {
        const outcome = await retryOnStale(async () => {
          const user = await getUser(deps.table, due.id);
          const delegateId = user?.scheduledDismissal?.delegateId;
          const delegate = delegateId ? await getUser(deps.table, delegateId) : undefined;
          const change = dueDismissal(user, delegate, { ...contextOf(deps, null, 'schedule'), now });
          if (!change) return 'nothing due any more';
          await commit(deps.table, change);
          return 'dismissed';
        });
        if (outcome === 'dismissed') report.dismissed.push(due.id);
        else report.skipped.push({ userId: due.id, reason: outcome });
      } catch (error) {
        // The schedule stays in place (nothing was written): the next run tries again.
        if (!(error instanceof InvalidState || error instanceof LastAdmin)) throw error;
        if (error instanceof LastAdmin) logger.warn('due dismissal kept: last active admin', { userId: due.id });
        report.skipped.push({ userId: due.id, reason: error.message });
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  if (report.due > 0) logger.info('due dismissals processed', { due: report.due, dismissed: report.dismissed.length, skipped: report.skipped.length });
  return report;
}
