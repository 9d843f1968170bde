/**
 * The internal HR events every provider's payloads map onto (DOMAIN.md "HR webhooks").
 * `occurredAt` orders events per employee: an older event arriving late is not applied.
 */
export const hrEventTypes = ['employee.terminated', 'employee.rehired', 'employee.contractor_converted', 'employee.email_changed'] as const;
export type HrEventType = (typeof hrEventTypes)[number];

export type HrEvent = {
  type: HrEventType;
  occurredAt: string;
  employee: { externalId?: string | undefined; email?: string | undefined };
  effectiveAt?: string | undefined;
  delegateEmail?: string | undefined;
  workgroupIds?: string[] | undefined;
  contactEmail?: string | null | undefined;
};

/** One entry of a verified delivery: an event to apply, or a payload entry we keep as ignored with a reason. */
export type ParsedEntry = { event: HrEvent; sourceType: string } | { ignored: string; sourceType: string };

export type VerifiedDelivery = {
  deliveryId: string;
  /**
   * When the signed content says the delivery was made: the signed timestamp, or for a provider
   * whose signature covers none (Gusto) the event time inside the signed body; null only when
   * nothing in the delivery acts (every entry ignored). The receiver refuses a delivery older
   * than its replay window, so a captured one cannot outlive its replay record.
   */
  signedAt: string | null;
  entries: ParsedEntry[];
};

export type ReceiveInput = { rawBody: string; headers: Record<string, string | undefined>; secret: string; now: Date };

/**
 * A provider adapter: verifies the signature over the raw body BEFORE parsing anything, then maps
 * the payload. Adding a provider is one new file in providers/ and one line in its index.
 */
export interface HrProvider {
  readonly name: string;
  receive(input: ReceiveInput): VerifiedDelivery;
}
