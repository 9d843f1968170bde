import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { afterFailure, afterSuccess, attemptable, backoffMs, mergeRequests, type PairRequest, type PairState } from '../../../lib/domain/subscriptions';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = new Date('2026-03-02T09:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);
const fresh: PairState = { lastDelivered: 4, status: 'ok', attempts: 0, nextAttemptAt: null, firstFailedAt: null };

describe('rule 13: retries of a webhook delivery', () => {
  it('waits between half and all of a ceiling that starts at a minute, doubles, and stops at four hours', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, random) => {
        const ceiling = Math.min(60_000 * 2 ** (attempt - 1), 4 * HOUR);
        const wait = backoffMs(attempt, random);
        expect(wait).toBeGreaterThanOrEqual(ceiling / 2);
        expect(wait).toBeLessThanOrEqual(ceiling);
      }),
    );
    expect([1, 2, 3, 9].map((attempt) => backoffMs(attempt, 1))).toEqual([60_000, 120_000, 240_000, 4 * HOUR]);
  });

  it('a failure schedules a retry and starts the failure clock; later failures keep the clock and count on', () => {
    const first = afterFailure(fresh, T0, DAY, 1);
    expect(first).toEqual({ lastDelivered: 4, status: 'retrying', attempts: 1, nextAttemptAt: later(60_000).toISOString(), firstFailedAt: T0.toISOString() });
    const second = afterFailure(first, later(HOUR), DAY, 0);
    expect(second).toMatchObject({ status: 'retrying', attempts: 2, nextAttemptAt: later(HOUR + 60_000).toISOString(), firstFailedAt: T0.toISOString() });
  });

  it('parks the head event once it has failed for 24 hours: no next attempt', () => {
    const failing = afterFailure(fresh, T0, DAY, 1);
    expect(afterFailure(failing, later(DAY - 1), DAY).status).toBe('retrying');
    expect(afterFailure(failing, later(DAY), DAY)).toEqual({
      lastDelivered: 4,
      status: 'parked',
      attempts: 2,
      nextAttemptAt: null,
      firstFailedAt: T0.toISOString(),
    });
  });

  it('a success moves the pair on and clears every trace of the failures', () => {
    expect(afterSuccess(5)).toEqual({ lastDelivered: 5, status: 'ok', attempts: 0, nextAttemptAt: null, firstFailedAt: null });
  });

  it('a pair is attempted unless parked or waiting for its retry time', () => {
    const retrying = afterFailure(fresh, T0, DAY, 1);
    expect(attemptable(fresh, T0)).toBe(true);
    expect(attemptable(retrying, later(59_999))).toBe(false);
    expect(attemptable(retrying, later(60_000))).toBe(true);
    expect(attemptable(afterFailure(retrying, later(DAY), DAY), later(DAY * 7))).toBe(false);
  });
});

describe('rule 13: what a delivery run is asked for', () => {
  const request = fc.record({ userId: fc.constantFrom('U1', 'U2', 'U3'), through: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }) });

  it('one request per user, reaching as far as the furthest asked (to the end when any asked without a sequence)', () => {
    fc.assert(
      fc.property(fc.array(request), (requests: PairRequest[]) => {
        const merged = mergeRequests(requests);
        expect(merged.map((r) => r.userId).sort()).toEqual([...new Set(requests.map((r) => r.userId))].sort());
        for (const { userId, through } of merged) {
          const asked = requests.filter((r) => r.userId === userId);
          if (asked.some((r) => r.through === undefined)) expect(through).toBeUndefined();
          else expect(through).toBe(Math.max(...asked.map((r) => r.through!)));
        }
      }),
    );
  });

  it('merging again changes nothing, and leaves the requests it was given as they were', () => {
    fc.assert(
      fc.property(fc.array(request), (requests: PairRequest[]) => {
        const copy = structuredClone(requests);
        const merged = mergeRequests(requests);
        expect(mergeRequests(merged)).toEqual(merged);
        expect(requests).toEqual(copy);
      }),
    );
  });
});
