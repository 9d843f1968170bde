import { useState } from 'preact/hooks';
import type { Schemas } from '../../../lib/client/client';
import { call, type Api, type ProblemDetails } from '../api';
import { PageHeading } from '../components/page-heading';
import { ProblemView } from '../components/problem-view';
import { problemOf, useConsole, useLoad } from '../context';
import { formatTime } from '../format';
import { Pager, useInFlight, usePaging, usePoll } from '../paging';

type HrEvent = Schemas['HrDeliveryEvent'];
type Status = HrEvent['status'];

const statusWords: Record<Status, string> = { received: 'Waiting to be applied', applied: 'Applied', ignored: 'Ignored (nothing to change)', failed: 'Failed' };
const providerNames: Record<string, string> = { standard: 'Standard Webhooks', gusto: 'Gusto', bamboohr: 'BambooHR' };
const providerName = (provider: string) => providerNames[provider] ?? provider;

/** What the event asked for, in words: `employee.terminated` for jane@corp.example. */
function eventWords(event: HrEvent): string {
  const asked = event.event as { type?: unknown; employee?: { externalId?: unknown; email?: unknown } } | null;
  const type = typeof asked?.type === 'string' ? asked.type : event.sourceType;
  const who = [asked?.employee?.email, asked?.employee?.externalId && `HR id ${String(asked.employee.externalId)}`].filter(Boolean).join(', ');
  return who ? `${type} for ${who}` : type;
}

const sameEvent = (a: HrEvent, b: HrEvent) => a.provider === b.provider && a.deliveryId === b.deliveryId && a.index === b.index;

/** Every event of a status, through all pages (the waiting and failed lists are short). */
async function allInStatus(api: Api, status: Status): Promise<HrEvent[]> {
  const events: HrEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await call(api.client.GET('/webhooks/deliveries', { params: { query: { status, limit: 100, ...(cursor ? { cursor } : {}) } } }));
    events.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return events;
}

type Outcome = { state: 'waiting' } | { state: 'failed'; event: HrEvent } | { state: 'settled' } | { state: 'unknown' };

/** Time a re-drive is followed before the card says to look again later. */
const FOLLOW_FOR_MS = 30_000;
/** The pause before each read while following: 1, 2, 4, 8 s, then 15 s (reads at about 1, 3, 7, 15, 30 s). */
const followDelay = (read: number) => Math.min(1_000 * 2 ** read, 15_000);

const isLater = (at: string | null, than: string | null) => at !== null && (than === null || Date.parse(at) > Date.parse(than));

/**
 * Where a re-driven event stands: waiting, failed again (with the new reason), or settled. The
 * API lists deliveries by status only, from an index that can lag behind the re-drive (in AWS), so:
 * - a failure counts as new only when it finished after the one the card showed (the lagging
 *   index still lists the old failure, with its old reason, for a moment after the re-drive);
 * - "settled" is: in neither the waiting nor the failed list, twice in a row (a lagging index can
 *   miss it from both for a moment);
 * - after FOLLOW_FOR_MS without an answer: unknown (look at the lists later).
 */
function follower(api: Api, before: HrEvent): () => Promise<Outcome> {
  const started = Date.now();
  let missing = 0;
  return async () => {
    const [waiting, failed] = await Promise.all([allInStatus(api, 'received'), allInStatus(api, 'failed')]);
    const again = failed.find((other) => sameEvent(other, before));
    if (again && isLater(again.finishedAt, before.finishedAt)) return { state: 'failed', event: again };
    if (!again && !waiting.some((other) => sameEvent(other, before))) {
      missing += 1;
      if (missing >= 2) return { state: 'settled' };
    } else missing = 0;
    return Date.now() - started > FOLLOW_FOR_MS ? { state: 'unknown' } : { state: 'waiting' };
  };
}

/**
 * HR webhook deliveries whose events could not be applied (unknown employee, a state that
 * forbids it, a taken address...), with the reason, provider and time; once the cause is fixed,
 * re-drive one and watch where it ends.
 */
export function HrDeliveriesPage() {
  const { api } = useConsole();
  const [status, setStatus] = useState<Status>('failed');
  const paging = usePaging(status);
  const [page, reload] = useLoad(
    () => call(api.client.GET('/webhooks/deliveries', { params: { query: { status, limit: 25, ...(paging.cursor ? { cursor: paging.cursor } : {}) } } })),
    [status, paging.cursor],
  );
  return (
    <>
      <PageHeading>HR deliveries</PageHeading>
      <p class="muted">
        Events HR systems sent to the directory. A failed one changed nothing: fix its cause (invite the employee it names, free the address...), then re-drive
        it.
      </p>
      <div class="filters">
        <div class="field">
          <label for="delivery-status">Show</label>
          <select id="delivery-status" value={status} onChange={(event) => setStatus((event.target as HTMLSelectElement).value as Status)}>
            <option value="failed">Failed</option>
            <option value="received">Waiting to be applied</option>
            <option value="applied">Applied</option>
            <option value="ignored">Ignored</option>
          </select>
        </div>
        <button type="button" class="quiet" onClick={reload}>
          Refresh
        </button>
      </div>
      {page.state === 'loading' ? <p class="muted">Loading deliveries…</p> : null}
      {page.state === 'failed' ? <ProblemView problem={page.problem} /> : null}
      {page.state === 'done' ? (
        <>
          <p role="status" class="muted">
            {page.data.items.length === 0
              ? status === 'failed'
                ? 'No failed HR deliveries.'
                : 'None.'
              : `${page.data.items.length} event${page.data.items.length === 1 ? '' : 's'} on page ${paging.pageNumber}.`}
          </p>
          <ul class="cards" aria-label="HR delivery events">
            {page.data.items.map((event) => (
              <DeliveryEvent key={`${event.provider}/${event.deliveryId}/${event.index}`} event={event} />
            ))}
          </ul>
          <Pager paging={paging} nextCursor={page.data.nextCursor} what="deliveries" />
        </>
      ) : null}
    </>
  );
}

function DeliveryEvent({ event: listed }: { event: HrEvent }) {
  const { api } = useConsole();
  const [problem, setProblem] = useState<ProblemDetails | undefined>();
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const [watch, setWatch] = useState<(() => Promise<Outcome>) | undefined>();
  // What the card shows: the event as listed, then as the follow-up last found it.
  const [event, setEvent] = useState(listed);
  const redriving = useInFlight();
  usePoll(
    watch,
    (now) => now.state !== 'waiting',
    (now) => {
      setOutcome(now);
      if (now.state === 'failed') setEvent(now.event);
    },
    (error) => setProblem(problemOf(error)),
    followDelay,
  );
  const label = `${providerName(event.provider)} delivery ${event.deliveryId}`;
  const following = outcome?.state === 'waiting';
  const settled = outcome?.state === 'settled';
  return (
    <li class="card" aria-label={label}>
      <p class="card-title">
        <strong>{eventWords(event)}</strong>{' '}
        {settled ? (
          <span class="badge active">No longer failing</span>
        ) : following ? (
          <span class="badge received">{statusWords.received}</span>
        ) : (
          <span class={`badge ${event.status}`}>{statusWords[event.status]}</span>
        )}
      </p>
      <dl class="facts">
        <dt>Provider</dt>
        <dd>{providerName(event.provider)}</dd>
        <dt>Delivery</dt>
        <dd>
          <code>{event.deliveryId}</code>
          {event.index > 0 ? ` (event ${event.index + 1})` : ''}
        </dd>
        <dt>Received</dt>
        <dd>{formatTime(event.receivedAt)}</dd>
        {event.finishedAt && !settled && !following ? (
          <>
            <dt>{event.status === 'failed' ? 'Failed' : 'Settled'}</dt>
            <dd>{formatTime(event.finishedAt)}</dd>
          </>
        ) : null}
        {event.reason && !settled && !following ? (
          <>
            <dt>{event.status === 'failed' ? 'Reason' : 'Note'}</dt>
            <dd>{event.reason}</dd>
          </>
        ) : null}
      </dl>
      {(event.status === 'failed' || event.status === 'received') && !settled ? (
        <div>
          <button
            type="button"
            aria-label={`Re-drive ${label}`}
            disabled={following || redriving.busy !== undefined}
            onClick={() =>
              redriving.run('redrive', async () => {
                setProblem(undefined);
                try {
                  await call(
                    api.client.POST('/webhooks/deliveries/{provider}/{deliveryId}/redrive', {
                      params: { path: { provider: event.provider, deliveryId: event.deliveryId } },
                    }),
                  );
                  setOutcome({ state: 'waiting' });
                  setWatch(() => follower(api, event));
                } catch (error) {
                  setProblem(problemOf(error));
                }
              })
            }
          >
            Re-drive
          </button>
        </div>
      ) : null}
      {problem ? <ProblemView problem={problem} /> : null}
      <p role="status" class="redrive-outcome">
        {following ? 'Re-driven: waiting to be applied…' : null}
        {outcome?.state === 'failed' ? `Re-driven, failed again: ${outcome.event.reason ?? 'no reason given'}` : null}
        {settled ? 'Re-driven: no longer failing. It was applied (or ignored, if there was nothing left to change: see Applied and Ignored).' : null}
        {outcome?.state === 'unknown' ? 'Re-driven, still not applied after 30 seconds: refresh the list later to see where it stands.' : null}
      </p>
    </li>
  );
}
