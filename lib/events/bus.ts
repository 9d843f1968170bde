import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import type { LifecycleEvent } from '../domain/events';
import { logger } from '../logger';

/**
 * Lifecycle events on the stack's EventBridge bus (docs/events.md, "EventBridge"): every event item
 * the table's stream inserts becomes one PutEvents entry, so AWS consumers subscribe with rules and
 * replay from the bus's archive. The pure part (records to entries, entries to batches) is here;
 * the EventBridge adapter is lib/events/eventbridge-bus.ts.
 */

/** The `entity` of a lifecycle-event item (lib/data/events.ts); the stack filters the stream on it. */
export const EVENT_ENTITY = 'event';
/** The `source` of every entry: what a rule matches to take the directory's events. */
export const EVENT_BUS_SOURCE = 'employee-directory';
/** PutEvents' limits: 10 entries a call, 256 KiB an entry and a call (as EventBridge counts it). */
export const MAX_ENTRIES_PER_PUT = 10;
export const MAX_PUT_BYTES = 256 * 1024;

/** A PutEvents request entry (the fields we set). */
export type BusEntry = { EventBusName: string; Source: string; DetailType: string; Detail: string; Time: Date };
/** An entry with the stream record it came from (its sequence number reports it failed) and its size. */
export type PendingEntry = { sequence: string; eventId: string; entry: BusEntry; bytes: number };

/** Where the publisher puts entries: EventBridge in AWS. Returns the indexes that were not accepted. */
export interface EventBus {
  putEntries(entries: BusEntry[]): Promise<number[]>;
}

/**
 * An entry's size as EventBridge counts it against the 256 KiB limit: 14 bytes for `Time`, plus
 * the UTF-8 bytes of `Source`, `DetailType` and `Detail` (the bus name does not count).
 */
export function entryBytes(entry: BusEntry): number {
  return 14 + Buffer.byteLength(entry.Source) + Buffer.byteLength(entry.DetailType) + Buffer.byteLength(entry.Detail);
}

/**
 * The entries of the inserted event items among `records`, in stream order: DetailType the event's
 * type, Detail the event `{id, type, timestamp, data}` as JSON, Time its timestamp. Anything else
 * (another entity, a MODIFY or REMOVE: the filter lets none through) is skipped; an event item
 * without a well-formed event is a bug of ours that retrying cannot fix, so it is logged and dropped.
 */
export function busEntriesOf(records: readonly DynamoDBRecord[], eventBusName: string): PendingEntry[] {
  const entries: PendingEntry[] = [];
  for (const record of records) {
    const sequence = record.dynamodb?.SequenceNumber ?? '';
    const image = record.dynamodb?.NewImage ? unmarshall(record.dynamodb.NewImage as never) : undefined;
    if (record.eventName !== 'INSERT' || image?.entity !== EVENT_ENTITY) continue;
    const event = image.event as Partial<LifecycleEvent> | undefined;
    const time = new Date(event?.timestamp ?? Number.NaN);
    if (typeof event?.id !== 'string' || typeof event.type !== 'string' || !event.data || Number.isNaN(time.getTime())) {
      logger.error('malformed event item dropped', { pk: image.pk, sk: image.sk, sequence });
      continue;
    }
    const entry: BusEntry = {
      EventBusName: eventBusName,
      Source: EVENT_BUS_SOURCE,
      DetailType: event.type,
      Detail: JSON.stringify({ id: event.id, type: event.type, timestamp: event.timestamp, data: event.data }),
      Time: time,
    };
    entries.push({ sequence, eventId: event.id, entry, bytes: entryBytes(entry) });
  }
  return entries;
}

/**
 * PutEvents calls, in order: at most ten entries and 256 KiB each. An entry over the limit alone
 * gets a batch of its own, which the caller refuses without calling.
 */
export function putBatches(entries: readonly PendingEntry[]): PendingEntry[][] {
  const batches: PendingEntry[][] = [];
  let current: PendingEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (current.length > 0 && (current.length === MAX_ENTRIES_PER_PUT || bytes + entry.bytes > MAX_PUT_BYTES || entry.bytes > MAX_PUT_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Puts the inserted events of a stream batch on the bus, in stream order. When an entry is refused
 * (FailedEntryCount: throttled, an internal error) or the call fails, that record and every later
 * one are reported failed: Lambda retries the stream from the first of them (bisecting, then the
 * on-failure queue), so nothing is skipped. A retry may put an event twice; consumers deduplicate
 * on `detail.id`. An event over 256 KiB can never be put: it is reported failed too, so it ends in
 * the on-failure queue (and its alarm) rather than vanishing; the event stays in the table.
 */
export async function publishToBus(records: readonly DynamoDBRecord[], bus: EventBus, eventBusName: string): Promise<DynamoDBBatchResponse> {
  const entries = busEntriesOf(records, eventBusName);
  let done = 0;
  for (const batch of putBatches(entries)) {
    let refused: number[];
    if (batch.length === 1 && batch[0]!.bytes > MAX_PUT_BYTES) {
      logger.error('event too large for the event bus', { eventId: batch[0]!.eventId, bytes: batch[0]!.bytes, sequence: batch[0]!.sequence });
      refused = [0];
    } else {
      try {
        refused = await bus.putEntries(batch.map((pending) => pending.entry));
      } catch (error) {
        logger.error('event bus put failed', { errorName: (error as Error)?.name, entries: batch.length });
        refused = [0];
      }
    }
    if (refused.length > 0) {
      const first = done + Math.min(...refused);
      logger.warn('events not put on the bus; the stream will retry', { count: entries.length - first });
      return { batchItemFailures: entries.slice(first).map((pending) => ({ itemIdentifier: pending.sequence })) };
    }
    done += batch.length;
  }
  logger.info('events put on the bus', { events: entries.length });
  return { batchItemFailures: [] };
}
