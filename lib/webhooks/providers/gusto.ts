import { createHash } from 'node:crypto';
import * as z from '../../zod';
import type { HrEventType, HrProvider } from '../events';
import { deliveryIdProblem, externalIdProblem } from '../identifiers';
import { hexSignatureMatches, hmacSha256Hex, signatureRejected } from '../signatures';

// Both ids become keys (lib/webhooks/identifiers.ts): a payload with ids no key can hold is not
// an event we read, and is kept as ignored under the hash of its body.
const payloadSchema = z.object({
  uuid: z.string().check(z.refine((id) => !deliveryIdProblem(id), 'must be a delivery id')),
  event_type: z.string(),
  entity_type: z.optional(z.string()),
  entity_uuid: z.string().check(z.refine((id) => !externalIdProblem(id), 'must be an employee id')),
  // Unix seconds; bounded so that it is a date at all (year 9999 at most).
  timestamp: z.number().check(z.int(), z.gte(0), z.lte(253_402_300_799)),
});

/**
 * Gusto's employee events that change what this directory holds. Gusto reports a termination or
 * rehire twice: when it is recorded (possibly dated weeks ahead, with no date in the payload) and
 * when it takes effect. Only the effective events act; a cancelled termination restores the
 * employee. The rest are kept as ignored.
 */
const EVENTS: Record<string, HrEventType> = {
  'employee.terminated_effective': 'employee.terminated',
  'employee.termination_effective': 'employee.terminated',
  'employee.termination_cancelled': 'employee.rehired',
  'employee.rehire_effective': 'employee.rehired',
};

/**
 * Gusto: `X-Gusto-Signature` is the hex HMAC-SHA256 of the raw body keyed by the subscription's
 * verification token. Gusto sends no timestamp header (and retries for hours with the same body),
 * so replays are stopped by the delivery id (`uuid`), not by a tolerance. That record expires, so
 * the event's own `timestamp` (signed with the body) is the delivery's signed time: the receiver
 * refuses events older than its replay window, which the record outlives. Payloads carry ids only:
 * the employee is matched by `entity_uuid` as externalId.
 */
export const gusto: HrProvider = {
  name: 'gusto',
  receive({ rawBody, headers, secret }) {
    if (!hexSignatureMatches(headers['x-gusto-signature'], hmacSha256Hex(secret, rawBody))) throw signatureRejected();
    const parsed = payloadSchema.safeParse(safeJson(rawBody));
    if (!parsed.success) {
      // Signed by Gusto but not an event we know (e.g. the subscription's verification request).
      const deliveryId = createHash('sha256').update(rawBody).digest('hex').slice(0, 40);
      return { deliveryId, signedAt: null, entries: [{ sourceType: 'unknown', ignored: 'not a Gusto event payload' }] };
    }
    const { uuid, event_type: type, entity_uuid: employeeId, timestamp } = parsed.data;
    const mapped = EVENTS[type];
    return {
      deliveryId: uuid,
      signedAt: new Date(timestamp * 1000).toISOString(),
      entries: [
        mapped
          ? { sourceType: type, event: { type: mapped, occurredAt: new Date(timestamp * 1000).toISOString(), employee: { externalId: employeeId } } }
          : { sourceType: type, ignored: `Gusto event ${type} carries no change this directory applies` },
      ],
    };
  },
};

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
