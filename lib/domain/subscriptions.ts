import { randomBytes } from 'node:crypto';
import * as z from '../zod';
import type { Change, Context } from './change';
import { InvalidRequest } from './errors';
import { textProblem } from './text';
import { targetProblem, type EventTargets } from './target-url';

/**
 * Rule 13, the subscribers' side: webhook subscriptions to lifecycle events (docs/events.md).
 * Pure decisions; the secrets are generated here and shown once, in the answer that creates or
 * rotates them, and never in a view, a log line, an event or an audit entry.
 */

/* @__NO_SIDE_EFFECTS__ */
function pure<T>(build: () => T): T {
  return build();
}

const id = pure(() => z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an id (ULID)')));

/** Event types are dotted lower-case names (`user.dismissed`); an unknown one simply never matches. */
const eventType = pure(() => z.string().check(z.regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, 'must be an event type such as user.dismissed')));

export const createSubscriptionSchema = pure(() =>
  z
    .strictObject({
      url: z.string().check(z.minLength(1), z.maxLength(2048), z.describe('Where events are POSTed: https (loopback http locally)')),
      eventTypes: z.optional(z.array(eventType).check(z.minLength(1), z.maxLength(50), z.describe('Only these event types; omitted: every event'))),
      description: z.optional(
        z.string().check(
          z.trim(),
          z.maxLength(500),
          z.superRefine((text, ctx) => {
            const problem = textProblem(text);
            if (text !== '' && problem) ctx.addIssue({ code: 'custom', message: problem });
          }),
        ),
      ),
    })
    .check(z.meta({ id: 'CreateEventSubscription' })),
);
export type CreateSubscriptionInput = z.output<typeof createSubscriptionSchema>;

export const subscriptionParamSchema = pure(() => z.strictObject({ id: id.check(z.describe('An event subscription id (ULID)')) }));
export const deliveryRetryParamSchema = pure(() => z.strictObject({ id, eventId: id.check(z.describe('A lifecycle event id (ULID)')) }));

/**
 * A signing secret as stored: sealed (lib/secrets/box.ts; only the delivery functions open it);
 * `expiresAt` set on the one a rotation replaced (it keeps signing until then).
 */
export type SigningSecret = { sealed: string; expiresAt: string | null };

/** What a subscription's sealed secrets are bound to: a sealed value copied onto another does not open. */
export const subscriptionSecretPurpose = (subscriptionId: string) => `subscription:${subscriptionId}`;

export type Subscription = {
  id: string;
  url: string;
  /** null: every event type. */
  eventTypes: string[] | null;
  description: string | null;
  secrets: SigningSecret[];
  createdAt: string;
  updatedAt: string;
  /** Since when every attempt has failed (cleared by any success); null while healthy. */
  failingSince: string | null;
};

export const subscriptionViewSchema = pure(() =>
  z
    .object({
      id: z.string(),
      url: z.string(),
      eventTypes: z.nullable(z.array(z.string())).check(z.describe('null: every event type')),
      description: z.nullable(z.string()),
      createdAt: z.string(),
      updatedAt: z.string(),
      secretRotationEndsAt: z.nullable(z.string()).check(z.describe('While set, the previous secret signs too (24 h after a rotation)')),
      failingSince: z.nullable(z.string()).check(z.describe('Since when every delivery attempt has failed; null while deliveries succeed')),
      flagged: z.boolean().check(z.describe('true when every attempt has failed for 24 hours: events are being parked')),
    })
    .check(z.meta({ id: 'EventSubscription' })),
);
export type SubscriptionView = z.infer<typeof subscriptionViewSchema>;

/** How long a subscription may fail continuously before it is flagged, and a head event parked. */
export const FAILING_FLAG_MS = 24 * 3_600_000;
/** How long a rotated-out secret keeps signing. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

/** The (sealed) secrets that sign at `now`: the current one, and a rotated-out one until it expires. */
export function liveSecrets(subscription: Pick<Subscription, 'secrets'>, now: Date): string[] {
  return subscription.secrets.filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > now.getTime()).map((s) => s.sealed);
}

/** A subscription as the API shows it: never a secret. */
export function toSubscriptionView(subscription: Subscription, now: Date): SubscriptionView {
  const rotation = subscription.secrets.find((s) => s.expiresAt !== null && Date.parse(s.expiresAt) > now.getTime());
  return {
    id: subscription.id,
    url: subscription.url,
    eventTypes: subscription.eventTypes,
    description: subscription.description,
    createdAt: subscription.createdAt,
    updatedAt: subscription.updatedAt,
    secretRotationEndsAt: rotation?.expiresAt ?? null,
    failingSince: subscription.failingSince,
    flagged: subscription.failingSince !== null && now.getTime() - Date.parse(subscription.failingSince) >= FAILING_FLAG_MS,
  };
}

/** Whether a subscription wants an event of this type. */
export function wants(subscription: Pick<Subscription, 'eventTypes'>, type: string): boolean {
  return subscription.eventTypes === null || subscription.eventTypes.includes(type);
}

/** `whsec_` and the base64 of 32 random bytes: the Standard Webhooks secret format. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The audit entry of a subscription change: what changed, never a secret. */
function noteOf(subscription: Subscription, action: string, details: Record<string, unknown>) {
  return { type: 'note' as const, subject: { kind: 'subscription' as const, id: subscription.id }, action, details };
}

function changeWith(context: Context, effect: ReturnType<typeof noteOf>): Change {
  return { actorId: context.actorId, source: context.source, asAdmin: true, at: context.now, users: [], effects: [effect] };
}

/** Whether the URL is a target the settings allow (checked before anything is generated or sealed). */
export function checkSubscriptionUrl(input: CreateSubscriptionInput, targets: EventTargets): void {
  const problem = targetProblem(input.url, targets);
  if (problem) throw new InvalidRequest([{ path: 'url', message: problem }]);
}

/** A new subscription `id` with its first secret, already sealed to that id; the URL must be a target the settings allow. */
export function createSubscription(input: CreateSubscriptionInput, targets: EventTargets, context: Context, first: { id: string; sealed: string }) {
  checkSubscriptionUrl(input, targets);
  const at = context.now.toISOString();
  const subscription: Subscription = {
    id: first.id,
    url: new URL(input.url).href,
    eventTypes: input.eventTypes ? [...new Set(input.eventTypes)] : null,
    description: input.description ? input.description : null,
    secrets: [{ sealed: first.sealed, expiresAt: null }],
    createdAt: at,
    updatedAt: at,
    failingSince: null,
  };
  const change = changeWith(
    context,
    noteOf(subscription, 'subscription.created', { url: subscription.url, eventTypes: subscription.eventTypes, description: subscription.description }),
  );
  return { subscription, change };
}

/** A new current secret (sealed); the previous one keeps signing for 24 hours (older ones stop now). */
export function rotateSecret(subscription: Subscription, sealed: string, context: Context) {
  const at = context.now.toISOString();
  const previous = subscription.secrets.find((s) => s.expiresAt === null);
  const expiresAt = new Date(context.now.getTime() + ROTATION_OVERLAP_MS).toISOString();
  const rotated: Subscription = {
    ...subscription,
    secrets: [{ sealed, expiresAt: null }, ...(previous ? [{ sealed: previous.sealed, expiresAt }] : [])],
    updatedAt: at,
  };
  return {
    subscription: rotated,
    change: changeWith(context, noteOf(subscription, 'subscription.secret_rotated', { previousSecretExpiresAt: expiresAt })),
  };
}

export function deleteSubscription(subscription: Subscription, context: Context): Change {
  return changeWith(context, noteOf(subscription, 'subscription.deleted', { url: subscription.url }));
}

export function retryDelivery(subscription: Subscription, eventId: string, context: Context): Change {
  return changeWith(context, noteOf(subscription, 'subscription.delivery_retried', { eventId }));
}

/**
 * Retry timing: the first retry within about a minute, doubling up to four hours, each wait drawn
 * between half and all of it (jitter), so subscribers that fail together do not retry together.
 */
export function backoffMs(attempt: number, random: number = Math.random()): number {
  const ceiling = Math.min(60_000 * 2 ** Math.max(0, attempt - 1), 4 * 3_600_000);
  return Math.round(ceiling * (0.5 + random / 2));
}

/** Where a pair stands after an attempt, as its progress item records it. */
export type PairState = {
  lastDelivered: number;
  status: 'ok' | 'retrying' | 'parked';
  attempts: number;
  nextAttemptAt: string | null;
  firstFailedAt: string | null;
};

/**
 * After a failed attempt at a pair's head event: retry with {@link backoffMs}, or, once it has
 * failed for `parkAfterMs` (24 h), park it (no more attempts until an admin retries it). The
 * failure clock starts at the first failure of this event and is kept across retries.
 */
export function afterFailure(state: PairState, now: Date, parkAfterMs: number, random: number = Math.random()): PairState {
  const attempts = state.attempts + 1;
  const firstFailedAt = state.firstFailedAt ?? now.toISOString();
  if (now.getTime() - Date.parse(firstFailedAt) >= parkAfterMs) return { ...state, status: 'parked', attempts, nextAttemptAt: null, firstFailedAt };
  return { ...state, status: 'retrying', attempts, nextAttemptAt: new Date(now.getTime() + backoffMs(attempts, random)).toISOString(), firstFailedAt };
}

/** After an event was accepted (2xx) or stepped over (not wanted): the pair moves on, its failure state cleared. */
export function afterSuccess(sequence: number): PairState {
  return { lastDelivered: sequence, status: 'ok', attempts: 0, nextAttemptAt: null, firstFailedAt: null };
}

/**
 * Whether a pair can be attempted now: not parked (it waits for an admin), and not waiting for a
 * retry's time (the schedule brings it back then).
 */
export function attemptable(state: Pick<PairState, 'status' | 'nextAttemptAt'>, now: Date): boolean {
  if (state.status === 'parked') return false;
  return state.status !== 'retrying' || state.nextAttemptAt === null || Date.parse(state.nextAttemptAt) <= now.getTime();
}

/** A pair a delivery run is asked to deliver: that user's events, through `through` when the asker knew the sequence. */
export type PairRequest = { userId: string; through?: number | undefined };

/** Requests for the same user merged: the furthest `through`, or none (read to the end) if any had none. */
export function mergeRequests(requests: PairRequest[]): PairRequest[] {
  const merged = new Map<string, PairRequest>();
  for (const request of requests) {
    const seen = merged.get(request.userId);
    if (!seen) merged.set(request.userId, { ...request });
    else if (seen.through !== undefined) seen.through = request.through === undefined ? undefined : Math.max(seen.through, request.through);
  }
  return [...merged.values()];
}
