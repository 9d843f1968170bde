import { createHash } from 'node:crypto';
import * as z from '../../zod';
import type { HrEvent, HrProvider, ParsedEntry } from '../events';
import { externalIdProblem } from '../identifiers';
import { hexSignatureMatches, hmacSha256Hex, signatureRejected, TOLERANCE_SECONDS } from '../signatures';

const fieldValue = z.optional(z.union([z.string(), z.number(), z.null(), z.object({ value: z.union([z.string(), z.number(), z.null()]) })]));
const employeeSchema = z.object({
  id: z.union([z.string(), z.number()]),
  timestamp: z.optional(z.string()),
  changedFields: z._default(z.array(z.string()), []),
  fields: z._default(z.record(z.string(), fieldValue), {}),
});
// No count limit: the body limit (64 KiB) bounds a batch, and every employee in it is recorded
// (in chunks, lib/data/deliveries.ts). Each employee is read on its own, so one that cannot be read
// is kept as ignored without taking the rest of the batch with it.
const fieldBasedSchema = z.object({ employees: z.array(z.unknown()) });
/** A work email longer than this is no address (lib/domain/email.ts): never looked up as one. */
const MAX_ADDRESS = 254;

/** A field sent either plainly or as `{ value }` (how it arrives depends on how the webhook was made). */
const text = (value: z.infer<typeof fieldValue>): string | undefined => {
  const raw = value !== null && typeof value === 'object' ? value.value : value;
  return raw === null || raw === undefined || raw === '' ? undefined : String(raw);
};

/** BambooHR sends "2026-01-31T18:42:00+0000"; make the offset ISO-8601 before parsing. */
const isoTime = (value: string | undefined, fallback: string) => {
  const time = value ? Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : Number.NaN;
  return Number.isNaN(time) ? fallback : new Date(time).toISOString();
};

/**
 * BambooHR: `X-BambooHR-Signature` is the hex HMAC-SHA256, keyed by the webhook's private key, of
 * the raw body followed by `X-BambooHR-Timestamp` (Unix seconds; 5-minute tolerance). BambooHR
 * sends no delivery id, so the hash of the body is one: a replay, even signed afresh, has the
 * same. Termination dates are whole days: the dismissal takes effect at the end of that day (UTC).
 * An address change in the same entry is applied before the termination. Field-
 * based payloads list employees with changed fields: `status` / `employmentHistoryStatus` /
 * `terminationDate` mark terminations and rehires, `workEmail` an address change. Event-based
 * payloads carry ids only and are kept as ignored.
 */
export const bamboohr: HrProvider = {
  name: 'bamboohr',
  receive({ rawBody, headers, secret, now }) {
    const timestamp = headers['x-bamboohr-timestamp'];
    if (!timestamp || !/^\d{1,12}$/.test(timestamp)) throw signatureRejected();
    if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) throw signatureRejected();
    if (!hexSignatureMatches(headers['x-bamboohr-signature'], hmacSha256Hex(secret, rawBody + timestamp))) throw signatureRejected();
    // The body alone: a retry BambooHR signs afresh (new timestamp) is still the same delivery.
    const deliveryId = createHash('sha256').update(rawBody).digest('hex').slice(0, 40);
    const sentAt = new Date(Number(timestamp) * 1000).toISOString();
    const parsed = fieldBasedSchema.safeParse(safeJson(rawBody));
    if (!parsed.success)
      return {
        deliveryId,
        signedAt: sentAt,
        entries: [{ sourceType: 'unknown', ignored: 'not a field-based BambooHR payload (event-based payloads carry no field values)' }],
      };
    return { deliveryId, signedAt: sentAt, entries: parsed.data.employees.flatMap((employee) => entriesFor(employee, sentAt)) };
  },
};

function entriesFor(raw: unknown, sentAt: string): ParsedEntry[] {
  const sourceType = 'employee_with_fields.updated';
  const parsed = employeeSchema.safeParse(raw);
  if (!parsed.success) return [{ sourceType, ignored: 'not a field-based BambooHR employee entry' }];
  const employee = parsed.data;
  // The id is looked up as an externalId (a key): one no user can hold is not looked up at all.
  const idProblem = externalIdProblem(String(employee.id));
  if (idProblem) return [{ sourceType, ignored: `employee id ${idProblem}: no directory user can hold it` }];
  const status = text(employee.fields.status);
  const history = text(employee.fields.employmentHistoryStatus);
  const terminationDate = text(employee.fields.terminationDate);
  const workEmail = text(employee.fields.workEmail);
  const changed = new Set(employee.changedFields);
  const email = workEmail && workEmail.length <= MAX_ADDRESS ? workEmail : undefined;
  const base = { occurredAt: isoTime(employee.timestamp, sentAt), employee: { externalId: String(employee.id), email } } satisfies Partial<HrEvent>;
  const entries: ParsedEntry[] = [];
  const statusChanged = changed.has('status') || changed.has('employmentHistoryStatus') || changed.has('terminationDate');
  if (changed.has('workEmail') && workEmail) {
    entries.push({ sourceType, event: { ...base, employee: { externalId: String(employee.id) }, type: 'employee.email_changed', contactEmail: workEmail } });
  }
  if (statusChanged && (status === 'Inactive' || history === 'Terminated')) {
    const effectiveAt = terminationDate && /^\d{4}-\d{2}-\d{2}$/.test(terminationDate) ? `${terminationDate}T23:59:59.999Z` : undefined;
    entries.push({ sourceType, event: { ...base, type: 'employee.terminated', effectiveAt } });
  } else if (changed.has('status') && status === 'Active') {
    entries.push({ sourceType, event: { ...base, type: 'employee.rehired' } });
  }
  return entries.length > 0 ? entries : [{ sourceType, ignored: `no termination, rehire or work email change for employee ${employee.id}` }];
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
