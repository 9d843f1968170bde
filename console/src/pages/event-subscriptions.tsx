import { useState } from 'preact/hooks';
import type { Schemas } from '../../../lib/client/client';
import { call, type Api, type ProblemDetails } from '../api';
import { ConfirmDialog } from '../components/dialog-box';
import { Link } from '../components/link';
import { PageHeading } from '../components/page-heading';
import { ProblemView } from '../components/problem-view';
import { SecretOnce } from '../components/secret-once';
import { problemOf, useConsole, useLoad } from '../context';
import { formatTime } from '../format';
import { Pager, useInFlight, usePaging } from '../paging';
import { navigate } from '../router';

type Subscription = Schemas['EventSubscription'];
type Delivery = Schemas['EventDelivery'];

/** The contract's event types (docs/events.md); a subscription may name others, which never match. */
const EVENT_TYPES = [
  'user.invited',
  'user.activated',
  'user.dismissed',
  'user.dismissal_scheduled',
  'user.rehired',
  'user.contact_email_changed',
  'user.login_email_changed',
  'user.moved_to_extranet',
  'user.admin_granted',
  'user.admin_revoked',
  'user.workgroups_changed',
  'user.swept',
  'user.erased',
  'email.transferred',
];

const SECRET_NOTE = 'Copy it into your receiver now: it verifies the webhook-signature header of every delivery. The directory cannot show it again.';

const deliveryWords: Record<Delivery['status'], string> = {
  pending: 'Pending',
  delivered: 'Delivered',
  retrying: 'Retrying',
  parked: 'Parked (stopped retrying)',
};

/** The subscriber's last answer: its status code, and why the attempt failed when it did. */
function lastAnswer(delivery: Delivery): string {
  const code = delivery.lastStatusCode === null ? '' : `answered ${delivery.lastStatusCode}`;
  // The error often says the status already ("answered 500"): say it once.
  if (code && delivery.lastError) return delivery.lastError.includes(String(delivery.lastStatusCode)) ? delivery.lastError : `${code}: ${delivery.lastError}`;
  return code || delivery.lastError || 'none yet';
}

/** Failing: every attempt fails since then; flagged: for 24 hours, so events are being parked. */
function Health({ subscription }: { subscription: Subscription }) {
  if (subscription.flagged) return <span class="badge failed">Failing since {formatTime(subscription.failingSince)}: events are being parked</span>;
  if (subscription.failingSince) return <span class="badge failed">Failing since {formatTime(subscription.failingSince)}</span>;
  return <span class="badge active">Healthy</span>;
}

/** Webhook receivers of lifecycle events: the list, and a form to subscribe one (its secret shown once). */
export function EventSubscriptionsPage() {
  const { api } = useConsole();
  const paging = usePaging();
  const [page, reload] = useLoad(
    () => call(api.client.GET('/event-subscriptions', { params: { query: { limit: 25, ...(paging.cursor ? { cursor: paging.cursor } : {}) } } })),
    [paging.cursor],
  );
  const [created, setCreated] = useState<Schemas['CreatedEventSubscription'] | undefined>();
  return (
    <>
      <PageHeading>Event subscriptions</PageHeading>
      <p class="muted">
        Every change to a user is sent to each subscribed URL as a signed Standard Webhooks request, in order per user, retried for at least 24 hours and then
        parked for re-delivery.
      </p>
      {created ? (
        <SecretOnce secret={created.secret} title={`Subscription to ${created.url} created`} note={SECRET_NOTE} onDone={() => setCreated(undefined)} />
      ) : (
        <CreateSubscription
          api={api}
          onCreated={(subscription) => {
            setCreated(subscription);
            reload();
          }}
        />
      )}
      <section aria-labelledby="subscription-list">
        <h2 id="subscription-list">Subscriptions</h2>
        {page.state === 'loading' ? <p class="muted">Loading subscriptions…</p> : null}
        {page.state === 'failed' ? <ProblemView problem={page.problem} /> : null}
        {page.state === 'done' ? (
          <>
            {page.data.items.length === 0 ? <p class="muted">No subscriptions yet.</p> : null}
            <ul class="results" aria-label="Subscriptions">
              {page.data.items.map((subscription) => (
                <li key={subscription.id}>
                  <Link to={`/event-subscriptions/${subscription.id}`}>{subscription.url}</Link>
                  {subscription.description ? <span class="muted">{subscription.description}</span> : null}
                  <span class="badges">
                    <Health subscription={subscription} />
                  </span>
                  <span class="muted">{subscription.eventTypes ? subscription.eventTypes.join(', ') : 'every event'}</span>
                </li>
              ))}
            </ul>
            <Pager paging={paging} nextCursor={page.data.nextCursor} what="subscriptions" />
          </>
        ) : null}
      </section>
    </>
  );
}

function CreateSubscription({ api, onCreated }: { api: Api; onCreated: (created: Schemas['CreatedEventSubscription']) => void }) {
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [types, setTypes] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemDetails | undefined>();
  return (
    <form
      class="panel"
      aria-labelledby="create-subscription"
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setProblem(undefined);
        try {
          onCreated(
            await call(
              api.client.POST('/event-subscriptions', {
                body: { url: url.trim(), ...(types.length ? { eventTypes: types } : {}), ...(description.trim() ? { description: description.trim() } : {}) },
              }),
            ),
          );
        } catch (error) {
          setProblem(problemOf(error));
        } finally {
          setBusy(false);
        }
      }}
    >
      <h2 id="create-subscription">Subscribe a receiver</h2>
      <div class="field">
        <label for="subscription-url">Receiver URL (https)</label>
        <input id="subscription-url" type="url" required value={url} autoComplete="off" onInput={(event) => setUrl((event.target as HTMLInputElement).value)} />
      </div>
      <div class="field">
        <label for="subscription-description">Description (optional)</label>
        <input id="subscription-description" value={description} onInput={(event) => setDescription((event.target as HTMLInputElement).value)} />
      </div>
      <fieldset class="choices">
        <legend>Event types (none ticked: every event)</legend>
        {EVENT_TYPES.map((type) => (
          <div class="check-field" key={type}>
            <input
              id={`type-${type}`}
              type="checkbox"
              checked={types.includes(type)}
              onChange={(event) => setTypes((event.target as HTMLInputElement).checked ? [...types, type] : types.filter((other) => other !== type))}
            />
            <label for={`type-${type}`}>{type}</label>
          </div>
        ))}
      </fieldset>
      {problem ? <ProblemView problem={problem} /> : null}
      <div>
        <button type="submit" disabled={busy}>
          Create subscription
        </button>
      </div>
    </form>
  );
}

/** One subscription: its state, its deliveries (re-deliver a parked one), rotate its secret, delete it. */
export function EventSubscriptionPage({ id }: { id: string }) {
  const { api } = useConsole();
  const [subscription, reload] = useLoad(() => call(api.client.GET('/event-subscriptions/{id}', { params: { path: { id } } })), [id]);
  const [asking, setAsking] = useState<'rotate' | 'delete' | undefined>();
  const [rotated, setRotated] = useState<Schemas['RotatedSecret'] | undefined>();
  if (subscription.state === 'loading')
    return (
      <p role="status" class="muted">
        Loading…
      </p>
    );
  if (subscription.state === 'failed')
    return (
      <>
        <PageHeading>Subscription not shown</PageHeading>
        <ProblemView problem={subscription.problem} />
        <p>
          <Link to="/event-subscriptions">All subscriptions</Link>
        </p>
      </>
    );
  const sub = subscription.data;
  return (
    <>
      <PageHeading>Subscription to {sub.url}</PageHeading>
      <p class="badges">
        <Health subscription={sub} />
      </p>
      <p>
        <Link to="/event-subscriptions">All subscriptions</Link>
      </p>
      {rotated ? (
        <SecretOnce
          secret={rotated.secret}
          title="New signing secret"
          note={`The previous secret keeps signing beside it until ${formatTime(rotated.previousSecretExpiresAt)} (24 hours): update your receiver before then. The directory cannot show this secret again.`}
          onDone={() => setRotated(undefined)}
        />
      ) : null}
      <section aria-labelledby="subscription-details">
        <h2 id="subscription-details">Details</h2>
        <dl class="facts">
          <dt>URL</dt>
          <dd>{sub.url}</dd>
          <dt>Description</dt>
          <dd>{sub.description ?? 'none'}</dd>
          <dt>Event types</dt>
          <dd>{sub.eventTypes ? sub.eventTypes.join(', ') : 'every event'}</dd>
          <dt>Created</dt>
          <dd>{formatTime(sub.createdAt)}</dd>
          {sub.secretRotationEndsAt ? (
            <>
              <dt>Previous secret</dt>
              <dd>signs too until {formatTime(sub.secretRotationEndsAt)}</dd>
            </>
          ) : null}
        </dl>
        <div class="row-actions">
          <button type="button" onClick={() => setAsking('rotate')}>
            Rotate secret…
          </button>
          <button type="button" class="destructive" onClick={() => setAsking('delete')}>
            Delete subscription…
          </button>
        </div>
      </section>
      <Deliveries subscriptionId={sub.id} />
      {asking === 'rotate' ? (
        <ConfirmDialog
          title="Rotate the signing secret?"
          confirmLabel="Rotate secret"
          onClose={() => setAsking(undefined)}
          onConfirm={async () => {
            setRotated(await call(api.client.POST('/event-subscriptions/{id}/rotate-secret', { params: { path: { id: sub.id } } })));
            reload();
          }}
        >
          <p>
            A new secret is made and shown once. The current secret keeps signing beside it for 24 hours, so the receiver keeps accepting deliveries while you
            update it.
          </p>
        </ConfirmDialog>
      ) : null}
      {asking === 'delete' ? (
        <ConfirmDialog
          title="Delete this subscription?"
          confirmLabel="Delete subscription"
          danger
          onClose={() => setAsking(undefined)}
          onConfirm={async () => {
            await call(api.client.DELETE('/event-subscriptions/{id}', { params: { path: { id: sub.id } } }));
            navigate('/event-subscriptions');
          }}
        >
          <p>{sub.url} will receive no more events, including those still waiting or parked. This cannot be undone.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function Deliveries({ subscriptionId }: { subscriptionId: string }) {
  const { api } = useConsole();
  const paging = usePaging();
  const [page, reload] = useLoad(
    () =>
      call(
        api.client.GET('/event-subscriptions/{id}/deliveries', {
          params: { path: { id: subscriptionId }, query: { limit: 25, ...(paging.cursor ? { cursor: paging.cursor } : {}) } },
        }),
      ),
    [subscriptionId, paging.cursor],
  );
  const [problem, setProblem] = useState<ProblemDetails | undefined>();
  const [said, setSaid] = useState<string | undefined>();
  const redelivery = useInFlight();
  return (
    <section aria-labelledby="deliveries">
      <h2 id="deliveries">Deliveries</h2>
      <p class="muted">Newest event first.</p>
      <div class="row-actions">
        <button type="button" class="quiet" onClick={reload}>
          Refresh deliveries
        </button>
      </div>
      {problem ? <ProblemView problem={problem} /> : null}
      <p role="status" class="muted">
        {said ?? ''}
      </p>
      {page.state === 'loading' ? <p class="muted">Loading deliveries…</p> : null}
      {page.state === 'failed' ? <ProblemView problem={page.problem} /> : null}
      {page.state === 'done' ? (
        <>
          {page.data.items.length === 0 ? <p class="muted">No events yet.</p> : null}
          <ul class="cards" aria-label="Deliveries">
            {page.data.items.map((delivery) => (
              <li class="card" key={delivery.eventId}>
                <p class="card-title">
                  <strong>{delivery.type}</strong>{' '}
                  <span class={`badge ${delivery.status === 'parked' ? 'failed' : delivery.status === 'delivered' ? 'active' : ''}`}>
                    {deliveryWords[delivery.status]}
                  </span>
                </p>
                <dl class="facts">
                  <dt>User</dt>
                  <dd>
                    <Link to={`/users/${delivery.userId}`}>{delivery.userId}</Link>, event #{delivery.sequence}
                  </dd>
                  <dt>Attempts</dt>
                  <dd>{delivery.attempts}</dd>
                  <dt>Last answer</dt>
                  <dd>{lastAnswer(delivery)}</dd>
                  <dt>Next attempt</dt>
                  <dd>{delivery.nextAttemptAt ? formatTime(delivery.nextAttemptAt) : 'none'}</dd>
                </dl>
                {delivery.status === 'parked' ? (
                  <div class="row-actions">
                    <button
                      type="button"
                      aria-label={`Re-deliver ${delivery.type} #${delivery.sequence}`}
                      disabled={redelivery.busy === delivery.eventId}
                      onClick={() =>
                        redelivery.run(delivery.eventId, async () => {
                          setProblem(undefined);
                          try {
                            const again = await call(
                              api.client.POST('/event-subscriptions/{id}/deliveries/{eventId}/retry', {
                                params: { path: { id: subscriptionId, eventId: delivery.eventId } },
                              }),
                            );
                            setSaid(`${delivery.type} #${delivery.sequence} queued again: ${deliveryWords[again.status].toLowerCase()}.`);
                            reload();
                          } catch (error) {
                            setProblem(problemOf(error));
                          }
                        })
                      }
                    >
                      Re-deliver
                    </button>
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
          <Pager paging={paging} nextCursor={page.data.nextCursor} what="deliveries" />
        </>
      ) : null}
    </section>
  );
}
