import type { ParsedEntry } from '../domain/hr-events';

export type { HrEvent, HrEventType, ParsedEntry } from '../domain/hr-events';
export { hrEventTypes } from '../domain/hr-events';

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
