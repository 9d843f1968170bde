import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { eventPut } from '../../lib/data/events';
import type { LifecycleEvent } from '../../lib/domain/events';
import type { UserView } from '../../lib/domain/user';
import { type BusEntry, busEntriesOf, EVENT_BUS_SOURCE, type EventBus, entryBytes, MAX_PUT_BYTES, publishToBus, putBatches } from '../../lib/events/bus';
import { EventBridgeBus } from '../../lib/events/eventbridge-bus';

const BUS = 'directory-events';

/** An event as the commit step builds it; `padding` makes it as large as a test needs. */
const lifecycleEvent = (n: number, padding = 0): LifecycleEvent => ({
  id: `EVT${String(n).padStart(4, '0')}`,
  type: n % 2 === 0 ? 'user.dismissed' : 'user.invited',
  timestamp: `2026-12-0${1 + (n % 9)}T10:00:00.000Z`,
  data: {
    userId: `USER${n}`,
    sequence: n,
    actorId: 'ADMIN1',
    source: 'admin',
    user: { id: `USER${n}`, firstName: 'Jane', lastName: 'x'.repeat(padding) } as unknown as UserView,
    changes: [{ field: 'status', before: 'active', after: 'dismissed' }],
  },
});

/** The stream record of an item as the table writes it (NEW_IMAGE view). */
const recordOf = (item: Record<string, unknown>, sequence: string, eventName: 'INSERT' | 'MODIFY' | 'REMOVE' = 'INSERT') =>
  ({ eventName, dynamodb: { SequenceNumber: sequence, NewImage: marshall(item, { removeUndefinedValues: true }) } }) as unknown as DynamoDBRecord;
/** The stream record of an event item exactly as lib/data/events.ts writes it. */
const eventRecord = (event: LifecycleEvent, sequence = String(event.data.sequence).padStart(6, '0')) =>
  recordOf(eventPut(event).item.Put!.Item as Record<string, unknown>, sequence);

const fakeBus = (refuse: (entries: BusEntry[], call: number) => number[] | Error = () => []) => {
  const calls: BusEntry[][] = [];
  const bus: EventBus & { calls: BusEntry[][] } = {
    calls,
    putEntries: async (entries) => {
      calls.push(entries);
      const outcome = refuse(entries, calls.length);
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
  };
  return bus;
};

describe('event bus entries from stream records (pure)', () => {
  it('maps an inserted event item to one entry: source, the type as detail-type, the event as detail, its time', () => {
    const event = lifecycleEvent(3);
    const [pending] = busEntriesOf([eventRecord(event, '42')], BUS);
    expect(pending).toEqual({
      sequence: '42',
      eventId: event.id,
      bytes: expect.any(Number),
      entry: {
        EventBusName: BUS,
        Source: EVENT_BUS_SOURCE,
        DetailType: 'user.invited',
        Detail: JSON.stringify({ id: event.id, type: event.type, timestamp: event.timestamp, data: event.data }),
        Time: new Date(event.timestamp),
      },
    });
    expect(JSON.parse(pending!.entry.Detail)).toEqual(event);
    // EventBridge's count: 14 bytes for Time, then Source, DetailType and Detail in UTF-8.
    expect(pending!.bytes).toBe(14 + EVENT_BUS_SOURCE.length + 'user.invited'.length + Buffer.byteLength(pending!.entry.Detail));
  });

  it('skips other entities, modifications and removals, in stream order otherwise, and drops malformed event items', () => {
    const records = [
      eventRecord(lifecycleEvent(1), '1'),
      recordOf({ pk: 'OUTBOX#1', sk: 'OUTBOX', entity: 'outbox', message: {} }, '2'),
      recordOf(eventPut(lifecycleEvent(2)).item.Put!.Item as Record<string, unknown>, '3', 'MODIFY'),
      recordOf({ pk: 'USER#U', sk: 'EVENT#000000000009', entity: 'event', eventId: 'E', type: 'x', event: { id: 'E' } }, '4'),
      eventRecord(lifecycleEvent(5), '5'),
    ];
    expect(busEntriesOf(records, BUS).map((p) => p.sequence)).toEqual(['1', '5']);
  });

  it('counts multi-byte characters as UTF-8 bytes', () => {
    const entry = { EventBusName: BUS, Source: 's', DetailType: 't', Detail: '"é"', Time: new Date() };
    expect(entryBytes(entry)).toBe(14 + 1 + 1 + 4);
  });

  it('batches at most ten entries and 256 KiB a call, an oversized entry alone', () => {
    const pending = (n: number, bytes: number) => ({ ...busEntriesOf([eventRecord(lifecycleEvent(n))], BUS)[0]!, bytes });
    const small = Array.from({ length: 23 }, (_, i) => pending(i, 1_000));
    expect(putBatches(small).map((b) => b.length)).toEqual([10, 10, 3]);

    const large = [pending(1, 100_000), pending(2, 100_000), pending(3, 100_000), pending(4, MAX_PUT_BYTES + 1), pending(5, 10)];
    expect(putBatches(large).map((b) => b.map((p) => p.bytes))).toEqual([[100_000, 100_000], [100_000], [MAX_PUT_BYTES + 1], [10]]);
    expect(putBatches([])).toEqual([]);
  });
});

describe('publishing to the bus', () => {
  it('puts every event in stream order, ten at a time, and reports no failure', async () => {
    const bus = fakeBus();
    const records = Array.from({ length: 25 }, (_, i) => eventRecord(lifecycleEvent(i + 1)));
    await expect(publishToBus(records, bus, BUS)).resolves.toEqual({ batchItemFailures: [] });
    expect(bus.calls.map((c) => c.length)).toEqual([10, 10, 5]);
    expect(bus.calls.flat().map((e) => JSON.parse(e.Detail).data.sequence)).toEqual(records.map((_, i) => i + 1));
  });

  it('reports the first refused entry and every later record, and puts nothing after it', async () => {
    // The second call refuses its 4th and 7th entries (records 14 and 17).
    const bus = fakeBus((_, call) => (call === 2 ? [6, 3] : []));
    const records = Array.from({ length: 25 }, (_, i) => eventRecord(lifecycleEvent(i + 1), `S${String(i + 1).padStart(3, '0')}`));
    const response = await publishToBus(records, bus, BUS);
    expect(bus.calls).toHaveLength(2);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(records.slice(13).map((r) => r.dynamodb!.SequenceNumber));
  });

  it('reports the whole batch and the rest when the call fails (throttled after the SDK retries)', async () => {
    const bus = fakeBus(() => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const records = [eventRecord(lifecycleEvent(1), 'A'), eventRecord(lifecycleEvent(2), 'B')];
    const response = await publishToBus(records, bus, BUS);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'A' }, { itemIdentifier: 'B' }]);
  });

  it('reports an event too large for EventBridge without calling it, so it ends in the on-failure queue', async () => {
    const bus = fakeBus();
    const records = [eventRecord(lifecycleEvent(1), 'A'), eventRecord(lifecycleEvent(2, MAX_PUT_BYTES), 'B'), eventRecord(lifecycleEvent(3), 'C')];
    const response = await publishToBus(records, bus, BUS);
    expect(bus.calls.map((c) => c.map((e) => JSON.parse(e.Detail).id))).toEqual([['EVT0001']]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'B' }, { itemIdentifier: 'C' }]);
  });
});

describe('EventBridge adapter', () => {
  const client = () => new EventBridgeClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const entries = busEntriesOf([eventRecord(lifecycleEvent(1)), eventRecord(lifecycleEvent(2))], BUS).map((p) => p.entry);

  it('sends the entries in one PutEvents call and reports those with an error code', async () => {
    const eventBridge = client();
    const mock = mockClient(eventBridge);
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ EventId: 'e1' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }] });
    await expect(new EventBridgeBus(eventBridge).putEntries(entries)).resolves.toEqual([1]);
    expect(mock.commandCalls(PutEventsCommand)[0]!.args[0].input).toEqual({ Entries: entries });
  });

  it('reports nothing when all are accepted, everything when the count has no entries to say which', async () => {
    const eventBridge = client();
    const mock = mockClient(eventBridge);
    mock
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }, { EventId: 'e2' }] })
      .resolvesOnce({ FailedEntryCount: 2 });
    await expect(new EventBridgeBus(eventBridge).putEntries(entries)).resolves.toEqual([]);
    await expect(new EventBridgeBus(eventBridge).putEntries(entries)).resolves.toEqual([0, 1]);
    await expect(new EventBridgeBus(eventBridge).putEntries([])).resolves.toEqual([]);
    expect(mock.commandCalls(PutEventsCommand)).toHaveLength(2);
  });
});
