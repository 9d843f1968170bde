import { useState } from 'preact/hooks';
import type { Schemas, User } from '../../../lib/client/client';
import { call, type Api, type ProblemDetails } from '../api';
import { ConfirmDialog, ResultMessage } from '../components/dialog-box';
import { Link } from '../components/link';
import { PageHeading } from '../components/page-heading';
import { ProblemView } from '../components/problem-view';
import { problemOf, useConsole } from '../context';
import { formatTime, fullName } from '../format';

type Report = Schemas['CleanupReport'];
type Preview = { report: Report; users: Map<string, User> };

const accounts = (n: number) => `${n} account${n === 1 ? '' : 's'}`;

/** The people a report names (swept or skipped), read one by one; the report itself names ids only. */
async function usersOf(api: Api, report: Report): Promise<Map<string, User>> {
  const ids = [...new Set([...report.userIds, ...report.skipped.map((skip) => skip.userId)])];
  const users = new Map<string, User>();
  await Promise.all(
    ids.map(async (id) => {
      const user = await call(api.client.GET('/users/{id}', { params: { path: { id } } })).catch(() => undefined);
      if (user) users.set(id, user);
    }),
  );
  return users;
}

/**
 * The cleanup of rule 12: a dry run lists who would be swept (dismissed before the cutoff, not on
 * legal hold) and changes nothing; the sweep, confirmed first, anonymises them for good.
 */
export function CleanupPage() {
  const { api } = useConsole();
  const [retention, setRetention] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemDetails | undefined>();
  const [preview, setPreview] = useState<Preview | undefined>();
  const [result, setResult] = useState<Preview | undefined>();
  const [confirming, setConfirming] = useState(false);
  const retentionDays = retention.trim() ? Number(retention) : undefined;
  const run = async (dryRun: boolean): Promise<Preview> => {
    const report = await call(api.client.POST('/cleanup/run', { body: { dryRun, ...(retentionDays !== undefined ? { retentionDays } : {}) } }));
    return { report, users: await usersOf(api, report) };
  };
  return (
    <>
      <PageHeading>Cleanup</PageHeading>
      <p>
        Accounts dismissed longer than the retention are swept every day: their addresses are released and their personal data anonymised; the audit trail
        stays. Accounts on legal hold are left alone. Preview first: a dry run changes nothing.
      </p>
      <form
        class="filters"
        aria-label="Preview the cleanup"
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setProblem(undefined);
          setResult(undefined);
          try {
            setPreview(await run(true));
          } catch (error) {
            setPreview(undefined);
            setProblem(problemOf(error));
          } finally {
            setBusy(false);
          }
        }}
      >
        <div class="field">
          <label for="retention-days">Retention in days (empty: the directory's setting)</label>
          <input
            id="retention-days"
            type="number"
            min={1}
            max={36500}
            inputMode="numeric"
            value={retention}
            onInput={(event) => {
              setRetention((event.target as HTMLInputElement).value);
              setPreview(undefined);
            }}
          />
        </div>
        <button type="submit" disabled={busy}>
          Preview (dry run)
        </button>
      </form>
      {busy ? (
        <p role="status" class="muted">
          Looking for stale accounts…
        </p>
      ) : null}
      {problem ? <ProblemView problem={problem} /> : null}
      {preview ? (
        <section aria-labelledby="preview">
          <h2 id="preview">Dry run: who would be swept</h2>
          <p role="status">
            {preview.report.candidates === 0
              ? `Nobody would be swept: no account was dismissed before ${formatTime(preview.report.cutoff)} (${preview.report.retentionDays} days ago).`
              : `${accounts(preview.report.candidates)} would be anonymised: dismissed before ${formatTime(preview.report.cutoff)}, more than ${preview.report.retentionDays} days ago. Nothing was changed.`}
          </p>
          <Accounts report={preview.report} users={preview.users} label="Would be swept" />
          {preview.report.candidates > 0 ? (
            <button type="button" class="destructive" onClick={() => setConfirming(true)}>
              Sweep {accounts(preview.report.candidates)}…
            </button>
          ) : null}
        </section>
      ) : null}
      {result ? (
        <section aria-labelledby="result">
          <h2 id="result">Sweep done</h2>
          <ResultMessage
            text={`${accounts(result.report.swept)} anonymised; their addresses are free again.${result.report.complete ? '' : ' The run stopped early to stay within its time limit: run it again to continue.'}`}
          />
          <Accounts report={result.report} users={result.users} label="Swept" />
        </section>
      ) : null}
      {confirming && preview ? (
        <ConfirmDialog
          title={`Anonymise ${accounts(preview.report.candidates)}?`}
          confirmLabel={`Anonymise ${accounts(preview.report.candidates)}`}
          danger
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            const done = await run(false);
            setPreview(undefined);
            setResult(done);
          }}
        >
          <p>
            {accounts(preview.report.candidates)} dismissed more than {preview.report.retentionDays} days ago will be anonymised: names and addresses removed,
            the addresses released for others to use. <strong>This cannot be undone.</strong> The audit trail stays.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function Accounts({ report, users, label }: { report: Report; users: Map<string, User>; label: string }) {
  return (
    <>
      {report.userIds.length ? (
        <ul class="results" aria-label={label}>
          {report.userIds.map((id) => {
            const user = users.get(id);
            return (
              <li key={id}>
                <Link to={`/users/${id}`}>{user ? fullName(user) || 'Anonymised account' : id}</Link>
                {user && !user.sweptAt ? <span class="address">{user.loginEmail}</span> : null}
                <span class="muted">
                  {user?.dismissedAt ? `dismissed since ${formatTime(user.dismissedAt)}, ` : ''}
                  {report.dryRun ? `longer than the ${report.retentionDays}-day retention` : 'swept'}
                </span>
                <code class="muted">{id}</code>
              </li>
            );
          })}
        </ul>
      ) : null}
      {report.skipped.length ? (
        <>
          <p>Left alone:</p>
          <ul class="results" aria-label="Left alone">
            {report.skipped.map((skip) => {
              const user = users.get(skip.userId);
              return (
                <li key={skip.userId}>
                  <Link to={`/users/${skip.userId}`}>{user ? fullName(user) : skip.userId}</Link>
                  <span class="muted">{skip.reason === 'legal hold' ? 'on legal hold' : skip.reason}</span>
                </li>
              );
            })}
          </ul>
        </>
      ) : null}
    </>
  );
}
