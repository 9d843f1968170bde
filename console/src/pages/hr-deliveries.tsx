import { useState } from 'preact/hooks';
import type { Schemas } from '../../../lib/client/client';
import { call, type Api, type ProblemDetails } from '../api';
import { PageHeading } from '../components/page-heading';
import { ProblemView } from '../components/problem-view';
import { problemOf, useConsole, useLoad } from '../context';
import { formatTime } from '../format';
import { Pager, usePaging, usePoll } from '../paging';

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

type Outcome = { state: 'waiting' } | { state: 'failed'; event: HrEvent } | { state: 'settled' };

/**
 * Where a re-driven event stands: waiting, failed again (with the new reason), or settled. The
 * API lists deliveries by status only, so "settled" is: in neither the waiting nor the failed list.
 */
async function outcomeOf(api: Api, event: HrEvent): Promise<Outcome> {
  const [waiting, failed] = await Promise.all([allInStatus(api, 'received'), allInStatus(api, 'failed')]);
  if (waiting.some((other) => sameEvent(other, event))) return { state: 'waiting' };
  const again = failed.find((other) => sameEvent(other, event));
  return again ? { state: 'failed', event: again } : { state: 'settled' };
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

function DeliveryEvent({ event }: { event: HrEvent }) {
  const { api } = useConsole();
  const [problem, setProblem] = useState<ProblemDetails | undefined>();
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const [watch, setWatch] = useState<(() => Promise<Outcome>) | undefined>();
  usePoll(
    watch,
    (now) => now.state !== 'waiting',
    setOutcome,
    (error) => setProblem(problemOf(error)),
  );
  const label = `${providerName(event.provider)} delivery ${event.deliveryId}`;
  return (
    <li class="card" aria-label={label}>
      <p class="card-title">
        <strong>{eventWords(event)}</strong> <span class={`badge ${event.status}`}>{statusWords[event.status]}</span>
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
        {event.finishedAt ? (
          <>
            <dt>{event.status === 'failed' ? 'Failed' : 'Settled'}</dt>
            <dd>{formatTime(event.finishedAt)}</dd>
          </>
        ) : null}
        {event.reason ? (
          <>
            <dt>{event.status === 'failed' ? 'Reason' : 'Note'}</dt>
            <dd>{event.reason}</dd>
          </>
        ) : null}
      </dl>
      {event.status === 'failed' || event.status === 'received' ? (
        <div>
          <button
            type="button"
            aria-label={`Re-drive ${label}`}
            disabled={outcome?.state === 'waiting'}
            onClick={async () => {
              setProblem(undefined);
              try {
                await call(
                  api.client.POST('/webhooks/deliveries/{provider}/{deliveryId}/redrive', {
                    params: { path: { provider: event.provider, deliveryId: event.deliveryId } },
                  }),
                );
                setOutcome({ state: 'waiting' });
                setWatch(() => () => outcomeOf(api, event));
              } catch (error) {
                setProblem(problemOf(error));
              }
            }}
          >
            Re-drive
          </button>
        </div>
      ) : null}
      {problem ? <ProblemView problem={problem} /> : null}
      <p role="status" class="redrive-outcome">
        {outcome?.state === 'waiting' ? 'Re-driven: waiting to be applied…' : null}
        {outcome?.state === 'failed' ? `Re-driven, failed again: ${outcome.event.reason ?? 'no reason given'}` : null}
        {outcome?.state === 'settled'
          ? 'Re-driven: no longer failing. It was applied (or ignored, if there was nothing left to change: see Applied and Ignored).'
          : null}
      </p>
    </li>
  );
}
