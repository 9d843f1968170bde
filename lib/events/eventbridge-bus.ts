import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { BusEntry, EventBus } from './bus';

/** AWS adapter: one PutEvents call per batch; the refused entries are those with an ErrorCode. */
export class EventBridgeBus implements EventBus {
  constructor(private readonly client: EventBridgeClient) {}

  async putEntries(entries: BusEntry[]): Promise<number[]> {
    if (entries.length === 0) return [];
    const result = await this.client.send(new PutEventsCommand({ Entries: entries }));
    if (!result.FailedEntryCount) return [];
    const refused = (result.Entries ?? []).flatMap((entry, index) => (entry.ErrorCode ? [index] : []));
    // A count without the entries that failed: treat the whole batch as refused.
    return refused.length > 0 ? refused : entries.map((_, index) => index);
  }
}
