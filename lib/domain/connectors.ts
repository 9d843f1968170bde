import { createHash } from 'node:crypto';
import * as z from '../zod';
import type { Change, Context } from './change';
import { InvalidRequest } from './errors';
import { targetProblem, type EventTargets } from './target-url';
import { textProblem } from './text';
import type { User, UserView } from './user';

/** What of a user a connected system's account is made of. */
export type AccountHolder = Pick<User, 'id' | 'status' | 'loginEmail' | 'contactEmail' | 'firstName' | 'lastName'>;

/**
 * Rule 14, connected systems: SCIM 2.0 connectors (docs/connectors.md). Pure decisions: what a
 * connector is, what account a user should have in it, and the next step to get there. The bearer
 * token is sealed before it is stored (lib/secrets/box.ts) and is in no view, log, event or audit entry.
 */

/* @__NO_SIDE_EFFECTS__ */
function pure<T>(build: () => T): T {
  return build();
}

const id = pure(() => z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an id (ULID)')));

export const createConnectorSchema = pure(() =>
  z
    .strictObject({
      kind: z.literal('scim').check(z.describe('The protocol: SCIM 2.0 (RFC 7643/7644)')),
      name: z.string().check(
        z.trim(),
        z.minLength(1),
        z.maxLength(100),
        z.describe('What admins call the connected system (Slack, GitHub, ...)'),
        z.superRefine((text, ctx) => {
          const problem = textProblem(text);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
      ),
      baseUrl: z.string().check(z.minLength(1), z.maxLength(2048), z.describe('The SCIM base URL (where /Users is): https (loopback http locally)')),
      token: z
        .string()
        .check(
          z.minLength(1),
          z.maxLength(4096),
          z.regex(/^[\x21-\x7e]+$/, 'must be visible ASCII without spaces'),
          z.describe('The bearer token the connected system issued; stored sealed, never returned'),
        ),
    })
    .check(z.meta({ id: 'CreateConnector' })),
);
export type CreateConnectorInput = z.output<typeof createConnectorSchema>;

export const connectorParamSchema = pure(() => z.strictObject({ id: id.check(z.describe('A connector id (ULID)')) }));
export const syncJobParamSchema = pure(() => z.strictObject({ id, jobId: id.check(z.describe('A sync job id (ULID)')) }));

export type Connector = {
  id: string;
  kind: 'scim';
  name: string;
  baseUrl: string;
  /** The bearer token, sealed to this connector (only the delivery functions open it). */
  sealedToken: string;
  createdAt: string;
  updatedAt: string;
  /** Since when every attempt has failed (cleared by any success); null while healthy. */
  failingSince: string | null;
};

/** What a connector's sealed token is bound to. */
export const connectorTokenPurpose = (connectorId: string) => `connector:${connectorId}`;

export const connectorViewSchema = pure(() =>
  z
    .object({
      id: z.string(),
      kind: z.literal('scim'),
      name: z.string(),
      baseUrl: z.string(),
      createdAt: z.string(),
      updatedAt: z.string(),
      failingSince: z.nullable(z.string()).check(z.describe('Since when every attempt has failed; null while the connected system answers')),
      flagged: z.boolean().check(z.describe('true when every attempt has failed for 24 hours: changes are being parked')),
    })
    .check(z.meta({ id: 'Connector' })),
);
export type ConnectorView = z.infer<typeof connectorViewSchema>;

const FLAG_MS = 24 * 3_600_000;

/** A connector as the API shows it: never the token. */
export function toConnectorView(connector: Connector, now: Date): ConnectorView {
  return {
    id: connector.id,
    kind: connector.kind,
    name: connector.name,
    baseUrl: connector.baseUrl,
    createdAt: connector.createdAt,
    updatedAt: connector.updatedAt,
    failingSince: connector.failingSince,
    flagged: connector.failingSince !== null && now.getTime() - Date.parse(connector.failingSince) >= FLAG_MS,
  };
}

/** The base URL without a trailing slash, if it is a target the settings allow (else a 400 naming `baseUrl`). */
export function checkConnectorUrl(baseUrl: string, targets: EventTargets): string {
  const problem = targetProblem(baseUrl, targets) ?? (URL.canParse(baseUrl) && new URL(baseUrl).search ? 'must not have a query' : undefined);
  if (problem) throw new InvalidRequest([{ path: 'baseUrl', message: problem }]);
  const url = new URL(baseUrl);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function noteOf(connector: Pick<Connector, 'id'>, action: string, details: Record<string, unknown>) {
  return { type: 'note' as const, subject: { kind: 'connector' as const, id: connector.id }, action, details };
}

function changeWith(context: Context, effect: ReturnType<typeof noteOf>): Change {
  return { actorId: context.actorId, source: context.source, asAdmin: true, at: context.now, users: [], effects: [effect] };
}

/** A new connector `id` with its token already sealed to that id. */
export function createConnector(input: CreateConnectorInput, targets: EventTargets, context: Context, sealed: { id: string; sealedToken: string }) {
  const baseUrl = checkConnectorUrl(input.baseUrl, targets);
  const at = context.now.toISOString();
  const connector: Connector = {
    id: sealed.id,
    kind: input.kind,
    name: input.name,
    baseUrl,
    sealedToken: sealed.sealedToken,
    createdAt: at,
    updatedAt: at,
    failingSince: null,
  };
  return { connector, change: changeWith(context, noteOf(connector, 'connector.created', { kind: connector.kind, name: connector.name, baseUrl })) };
}

export function deleteConnector(connector: Connector, context: Context): Change {
  return changeWith(context, noteOf(connector, 'connector.deleted', { name: connector.name, baseUrl: connector.baseUrl }));
}

export function startSync(connector: Connector, jobId: string, context: Context): Change {
  return changeWith(context, noteOf(connector, 'connector.sync_started', { jobId }));
}

/** Per user and connector: where the user's account in the connected system stands. */
export const accessStates = ['provisioned', 'deactivated', 'deprovisioned', 'pending', 'failed'] as const;
export type AccessState = (typeof accessStates)[number];

export type Access = {
  connectorId: string;
  userId: string;
  state: AccessState;
  /** The account's id in the connected system, once it has one. */
  remoteId: string | null;
  /** Why the state is what it is: the failure, or what the directory is waiting for. */
  reason: string | null;
  updatedAt: string;
  /** A digest of the fields last applied (never the fields: an erasure leaves nothing behind here). */
  appliedDigest: string | null;
  appliedActive: boolean | null;
};

export const accessViewSchema = pure(() =>
  z
    .object({
      connectorId: z.string(),
      connectorName: z.string(),
      state: z.enum(accessStates),
      remoteId: z.nullable(z.string()),
      reason: z.nullable(z.string()),
      updatedAt: z.nullable(z.string()),
    })
    .check(z.meta({ id: 'Access' })),
);
export type AccessView = z.infer<typeof accessViewSchema>;

/** What the connected system should hold for a user, as the user reads after their latest change. */
export type Wanted = { kind: 'none'; reason: string } | { kind: 'account'; active: boolean; user: AccountHolder } | { kind: 'removed' };

/**
 * The mapping of rule 14 (DOMAIN.md, "SCIM mapping"): an account once activated (not while
 * invited); active while active, inactive once dismissed; removed once swept or erased.
 */
export function wantedFor(user: Pick<UserView, 'id' | 'status' | 'loginEmail' | 'contactEmail' | 'firstName' | 'lastName' | 'sweptAt'>): Wanted {
  if (user.sweptAt) return { kind: 'removed' };
  if (user.status === 'invited') return { kind: 'none', reason: 'invited: the account is created when the invitation is accepted' };
  return {
    kind: 'account',
    active: user.status === 'active',
    user: {
      id: user.id,
      status: user.status,
      loginEmail: user.loginEmail,
      contactEmail: user.contactEmail,
      firstName: user.firstName,
      lastName: user.lastName,
    },
  };
}

/** A digest of every field of the account but `active`: equal digests, nothing but `active` to change. */
export function fieldsDigest(user: AccountHolder): string {
  const fields = [user.id, user.loginEmail, user.contactEmail, user.firstName, user.lastName];
  return createHash('sha256').update(JSON.stringify(fields)).digest('base64url');
}

/** The next step to bring the connected system to what is wanted, from what was last applied. */
export type Step =
  | { step: 'provision' }
  | { step: 'update' }
  | { step: 'setActive'; active: boolean }
  | { step: 'deprovision'; remoteId: string }
  | { step: 'record'; state: AccessState; reason: string | null };

export function nextStep(wanted: Wanted, access: Pick<Access, 'remoteId' | 'appliedDigest' | 'appliedActive' | 'state'> | undefined): Step {
  const remoteId = access?.state === 'deprovisioned' ? null : (access?.remoteId ?? null);
  switch (wanted.kind) {
    case 'removed':
      return remoteId ? { step: 'deprovision', remoteId } : { step: 'record', state: 'deprovisioned', reason: null };
    case 'none':
      return remoteId ? { step: 'record', state: access!.state, reason: null } : { step: 'record', state: 'pending', reason: wanted.reason };
    case 'account': {
      if (!remoteId) {
        return wanted.active ? { step: 'provision' } : { step: 'record', state: 'deprovisioned', reason: 'no account: the user is not active' };
      }
      if (access?.appliedDigest !== fieldsDigest(wanted.user)) return { step: 'update' };
      if (access.appliedActive !== wanted.active || access.state === 'failed') return { step: 'setActive', active: wanted.active };
      return { step: 'record', state: wanted.active ? 'provisioned' : 'deactivated', reason: null };
    }
  }
}
