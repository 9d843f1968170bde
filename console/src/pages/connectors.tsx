import { useState } from 'preact/hooks';
import type { Schemas } from '../../../lib/client/client';
import { call, type Api, type ProblemDetails } from '../api';
import { ConfirmDialog, ResultMessage } from '../components/dialog-box';
import { Link } from '../components/link';
import { PageHeading } from '../components/page-heading';
import { ProblemView } from '../components/problem-view';
import { problemOf, useConsole, useLoad } from '../context';
import { formatTime } from '../format';
import { Pager, useInFlight, usePaging, usePoll } from '../paging';

type Connector = Schemas['Connector'];
type SyncJob = Schemas['ConnectorSyncJob'];

const finished = (job: SyncJob) => job.status === 'completed' || job.status === 'failed';

function Health({ connector }: { connector: Connector }) {
  if (connector.flagged) return <span class="badge failed">Failing since {formatTime(connector.failingSince)}: changes are being parked</span>;
  if (connector.failingSince) return <span class="badge failed">Failing since {formatTime(connector.failingSince)}</span>;
  return <span class="badge active">Answering</span>;
}

/**
 * Connected SCIM 2.0 systems: each hears of every dismissal, rehire, address change and sweep.
 * Connect one (its token is stored sealed and never shown again), remove one, or sync one (repair
 * accounts changed by hand there) and follow the sync to its end.
 */
export function ConnectorsPage() {
  const { api } = useConsole();
  const paging = usePaging();
  const [page, reload] = useLoad(
    () => call(api.client.GET('/connectors', { params: { query: { limit: 25, ...(paging.cursor ? { cursor: paging.cursor } : {}) } } })),
    [paging.cursor],
  );
  const [said, setSaid] = useState<string | undefined>();
  const [deleting, setDeleting] = useState<Connector | undefined>();
  return (
    <>
      <PageHeading>Connectors</PageHeading>
      <CreateConnector
        api={api}
        onCreated={(connector) => {
          setSaid(`${connector.name} connected. Run a sync to give it accounts for the users already active.`);
          reload();
        }}
      />
      <ResultMessage text={said} />
      <section aria-labelledby="connector-list">
        <h2 id="connector-list">Connected systems</h2>
        {page.state === 'loading' ? <p class="muted">Loading connectors…</p> : null}
        {page.state === 'failed' ? <ProblemView problem={page.problem} /> : null}
        {page.state === 'done' ? (
          <>
            {page.data.items.length === 0 ? <p class="muted">No connected systems yet.</p> : null}
            <ul class="cards" aria-label="Connectors">
              {page.data.items.map((connector) => (
                <ConnectorCard key={connector.id} connector={connector} onDelete={() => setDeleting(connector)} />
              ))}
            </ul>
            <Pager paging={paging} nextCursor={page.data.nextCursor} what="connectors" />
          </>
        ) : null}
      </section>
      {deleting ? (
        <ConfirmDialog
          title={`Remove the connector ${deleting.name}?`}
          confirmLabel="Remove connector"
          danger
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await call(api.client.DELETE('/connectors/{id}', { params: { path: { id: deleting.id } } }));
            setSaid(`${deleting.name} removed: nothing more is sent to it.`);
            reload();
          }}
        >
          <p>
            Nothing more is sent to {deleting.name}: dismissals will no longer deactivate accounts there. Its accounts stay as they are. Its token is forgotten;
            connecting it again needs the token again.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function CreateConnector({ api, onCreated }: { api: Api; onCreated: (connector: Connector) => void }) {
  const [name, setName] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemDetails | undefined>();
  return (
    <form
      class="panel"
      aria-labelledby="create-connector"
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setProblem(undefined);
        try {
          const connector = await call(api.client.POST('/connectors', { body: { kind: 'scim', name: name.trim(), baseUrl: baseUrl.trim(), token } }));
          setName('');
          setBaseUrl('');
          setToken('');
          onCreated(connector);
        } catch (error) {
          setProblem(problemOf(error));
        } finally {
          setBusy(false);
        }
      }}
    >
      <h2 id="create-connector">Connect a SCIM system</h2>
      <div class="field">
        <label for="connector-name">Name</label>
        <input id="connector-name" required value={name} autoComplete="off" onInput={(event) => setName((event.target as HTMLInputElement).value)} />
      </div>
      <div class="field">
        <label for="connector-url">SCIM base URL (where /Users is)</label>
        <input
          id="connector-url"
          type="url"
          required
          value={baseUrl}
          autoComplete="off"
          onInput={(event) => setBaseUrl((event.target as HTMLInputElement).value)}
        />
      </div>
      <div class="field">
        <label for="connector-token">Bearer token</label>
        <input
          id="connector-token"
          type="password"
          required
          value={token}
          autoComplete="new-password"
          aria-describedby="connector-token-note"
          onInput={(event) => setToken((event.target as HTMLInputElement).value)}
        />
        <p id="connector-token-note" class="muted">
          Stored sealed; the directory never shows it again.
        </p>
      </div>
      {problem ? <ProblemView problem={problem} /> : null}
      <div>
        <button type="submit" disabled={busy}>
          Connect system
        </button>
      </div>
    </form>
  );
}

function ConnectorCard({ connector, onDelete }: { connector: Connector; onDelete: () => void }) {
  const { api } = useConsole();
  const [job, setJob] = useState<SyncJob | undefined>();
  const [problem, setProblem] = useState<ProblemDetails | undefined>();
  const [follow, setFollow] = useState<(() => Promise<SyncJob>) | undefined>();
  usePoll(follow, finished, setJob, (error) => setProblem(problemOf(error)));
  const starting = useInFlight();
  const running = job !== undefined && !finished(job);
  return (
    <li class="card" aria-labelledby={`connector-${connector.id}`}>
      <p class="card-title" id={`connector-${connector.id}`}>
        <strong>{connector.name}</strong>
      </p>
      <p class="badges">
        <Health connector={connector} />
      </p>
      <dl class="facts">
        <dt>Kind</dt>
        <dd>SCIM 2.0</dd>
        <dt>Base URL</dt>
        <dd>{connector.baseUrl}</dd>
        <dt>Connected</dt>
        <dd>{formatTime(connector.createdAt)}</dd>
      </dl>
      <div class="row-actions">
        <button
          type="button"
          aria-label={`Sync ${connector.name}`}
          disabled={running || starting.busy !== undefined}
          onClick={() =>
            starting.run('sync', async () => {
              setProblem(undefined);
              try {
                const started = await call(api.client.POST('/connectors/{id}/sync', { params: { path: { id: connector.id } } }));
                setJob(started);
                setFollow(() => () => call(api.client.GET('/connectors/{id}/sync/{jobId}', { params: { path: { id: connector.id, jobId: started.id } } })));
              } catch (error) {
                setProblem(problemOf(error));
              }
            })
          }
        >
          Sync
        </button>
        <button type="button" class="destructive" aria-label={`Remove ${connector.name}`} onClick={onDelete}>
          Remove
        </button>
      </div>
      {problem ? <ProblemView problem={problem} /> : null}
      {job ? <SyncProgress connector={connector} job={job} /> : null}
    </li>
  );
}

/**
 * The job reports how many users it has looked at, not how many there are: the bar is
 * indeterminate while it runs and full once it has finished.
 */
function SyncProgress({ connector, job }: { connector: Connector; job: SyncJob }) {
  const done = finished(job);
  const counts = `${job.checked} checked, ${job.repaired} repaired, ${job.failed} failed`;
  return (
    <div class="sync">
      <label for={`sync-${job.id}`}>Sync of {connector.name}</label>
      {done ? <progress id={`sync-${job.id}`} max={1} value={1} /> : <progress id={`sync-${job.id}`} />}
      <p role="status">
        {job.status === 'completed' ? `Sync completed: ${counts}.` : null}
        {job.status === 'failed' ? `Sync failed: ${job.failureReason ?? 'no reason given'} (${counts}).` : null}
        {!done ? `Sync ${job.status === 'pending' ? 'queued' : 'running'}: ${counts} so far…` : null}
      </p>
      {job.failures.length ? (
        <ul aria-label={`Users the sync of ${connector.name} could not reconcile`}>
          {job.failures.map((failure) => (
            <li key={failure.userId}>
              <Link to={`/users/${failure.userId}`}>{failure.userId}</Link>: {failure.reason}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
