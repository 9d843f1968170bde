import type { z } from '../zod';
import type { cleanupRunSchema } from '../domain/commands';
import { retentionCutoff, sweep } from '../domain/cleanup';
import { Forbidden, InvalidState } from '../domain/errors';
import type { User } from '../domain/user';
import { commit } from '../data/commit';
import { getUser, listUsersByLifecycleDate } from '../data/users';
import { logger } from '../logger';
import type { Deps } from '../runtime';
import { contextOf, readAsAdmin, retryOnStale } from './steps';
/** Sweeps in flight at once: enough to hide latency, few enough not to throttle the table. */
const SWEEP_CONCURRENCY = 8;

async function forEachConcurrently<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export type CleanupReport = {
  dryRun: boolean;
  retentionDays: number;
  cutoff: string;
  candidates: number;
  swept: number;
  userIds: string[];
  skipped: { userId: string; reason: string }[];
  /** Index entries read to find the candidates: grows with stale accounts, not with the table. */
  itemsRead: number;
  durationMs: number;
  /** False when the run stopped early to stay inside its time limit; the next run continues. */
  complete: boolean;
};

/**
 * Sweeps accounts dismissed longer than the retention (rule 12):
 * 1. Query the sparse index for accounts dismissed before the cutoff (reads grow with the stale
 *    accounts, not the table);
 * 2. skip those under legal hold; in a dry run, report the rest and change nothing;
 * 3. otherwise, per account (eight at a time), ONE transaction (guarded by the version listed, so a rehire or a new
 *    hold meanwhile wins; then the account is re-read and re-decided): release its address claims and external id, replace its login with
 *    a non-routable tombstone, clear personal fields, drop pending tokens, and audit the sweep
 *    (which fields, not their values). The audit trail stays. A swept account leaves the index,
 *    so a run cut off half-way resumes on the next run and sweeps nothing twice.
 */
export async function runCleanup(
  deps: Deps,
  options: { dryRun: boolean; retentionDays: number; actorId: string | null; shouldYield?: () => boolean },
): Promise<CleanupReport> {
  const started = performance.now();
  const now = deps.clock();
  const cutoff = retentionCutoff(now, options.retentionDays);
  const report: CleanupReport = {
    dryRun: options.dryRun,
    retentionDays: options.retentionDays,
    cutoff,
    candidates: 0,
    swept: 0,
    userIds: [],
    skipped: [],
    itemsRead: 0,
    durationMs: 0,
    complete: true,
  };
  let cursor: string | undefined;
  do {
    if (options.shouldYield?.()) {
      report.complete = false;
      break;
    }
    const page = await listUsersByLifecycleDate(deps.table, 'dismissed', cutoff, 100, cursor);
    report.itemsRead += page.items.length;
    // Accounts are independent transactions: sweep a page a few at a time.
    await forEachConcurrently(page.items, SWEEP_CONCURRENCY, async (listed) => {
      if (listed.legalHold) {
        report.skipped.push({ userId: listed.id, reason: 'legal hold' });
        return;
      }
      report.candidates += 1;
      if (options.dryRun) {
        report.userIds.push(listed.id);
        return;
      }
      try {
        // The index projects the whole item, version included: sweep from the listed copy and
        // re-read (consistently) only if the version guard says it changed since.
        let fresh: User | undefined = listed;
        await retryOnStale(async () => {
          const user = fresh ?? (await getUser(deps.table, listed.id));
          fresh = undefined;
          // An admin's run acts as that admin: it stops sweeping the moment their rights go.
          const context = { ...contextOf(deps, options.actorId, options.actorId ? 'admin' : 'cleanup'), now };
          await commit(deps.table, sweep(user, cutoff, options.retentionDays, context));
        });
        report.swept += 1;
        report.userIds.push(listed.id);
      } catch (error) {
        // One account that cannot be swept now (contention, throttling, an inconsistency) must
        // not stop the others: it is reported and tried again on the next run.
        if (error instanceof Forbidden) throw error;
        report.candidates -= 1;
        report.skipped.push({
          userId: listed.id,
          reason: error instanceof InvalidState ? error.message : `not swept this run: ${(error as Error)?.name ?? 'error'}`,
        });
        if (!(error instanceof InvalidState)) logger.warn('account not swept', { userId: listed.id, errorName: (error as Error)?.name });
      }
    });
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  report.durationMs = Math.round(performance.now() - started);
  logger.info('cleanup finished', {
    dryRun: report.dryRun,
    candidates: report.candidates,
    swept: report.swept,
    skipped: report.skipped.length,
    itemsRead: report.itemsRead,
  });
  return report;
}

/** `POST /cleanup/run` for admins: the same sweep, or a dry run. */
export async function runCleanupAsAdmin(
  deps: Deps,
  actorId: string,
  input: z.output<typeof cleanupRunSchema>,
  shouldYield?: () => boolean,
): Promise<CleanupReport> {
  await readAsAdmin(deps, actorId);
  return runCleanup(deps, {
    dryRun: input.dryRun,
    retentionDays: input.retentionDays ?? deps.settings.retentionDays,
    actorId,
    ...(shouldYield ? { shouldYield } : {}),
  });
}
