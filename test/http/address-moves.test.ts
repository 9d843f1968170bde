import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../lib/domain/user';
import { dismissUser } from '../../lib/use-cases/users';
import { expectClaimsConsistent } from '../support/invariants';
import { itemsWithPrefix, type TestDeps } from '../support/db';
import { seedActiveUser } from '../support/factories';
import { startApiWithAdmin, type Api } from '../support/http';

let deps: TestDeps;
let api: Api;
let admin: User;
let token: string;

beforeAll(async () => ({ deps, api, admin, token } = await startApiWithAdmin('admin@example.com')));
afterAll(() => api.close());

const confirmationFor = async (to: string) => (await api.outbox()).findLast((m) => m.to === to && m.kind === 'login_email_change')!.token;

describe("seed: transfer the dismissed user's email address, in two calls", () => {
  it("invites the successor, then moves the leaver's login to them; the leaver gets a replacement", async () => {
    const jane = await seedActiveUser(deps, admin.id, { loginEmail: 'jane@corp.example', firstName: 'Jane' });
    await dismissUser(deps, admin.id, jane.id, {});

    // 1. Invite the successor with any address of theirs.
    const successor = await api.request('POST', '/users', {
      token,
      body: { type: 'employee', loginEmail: 'sam.private@home.example', firstName: 'Sam', lastName: 'Roe' },
    });
    expect(successor.status).toBe(201);
    // 2. Move Jane's address to them in one atomic call.
    const moved = await api.request('POST', '/emails/jane@corp.example/transfer', {
      token,
      body: { toUserId: successor.body.id, as: 'login', replacementLoginEmail: 'jane.private@home.example' },
    });

    expect(moved.status).toBe(200);
    expect(moved.body.from).toMatchObject({ id: jane.id, status: 'dismissed', loginEmail: 'jane.private@home.example' });
    expect(moved.body.to).toMatchObject({ id: successor.body.id, loginEmail: 'jane@corp.example' });
    expect((await api.request('GET', '/emails/jane@corp.example', { token })).body).toMatchObject({ user: { id: successor.body.id } });
    expect((await api.request('GET', '/emails/sam.private@home.example', { token })).body).toMatchObject({ status: 'free' });
  });

  it('answers 400 without a replacement and 409 for a holder who is not dismissed', async () => {
    const holder = await seedActiveUser(deps, admin.id, { loginEmail: 'still-here@corp.example' });
    const other = await seedActiveUser(deps, admin.id);
    const refused = await api.request('POST', '/emails/still-here@corp.example/transfer', {
      token,
      body: { toUserId: other.id, as: 'login', replacementLoginEmail: 'x@home.example' },
    });
    expect(refused).toMatchObject({ status: 409, body: { code: 'invalid_state' } });
    await dismissUser(deps, admin.id, holder.id, {});
    const missing = await api.request('POST', '/emails/still-here@corp.example/transfer', { token, body: { toUserId: other.id, as: 'login' } });
    expect(missing).toMatchObject({ status: 400, body: { code: 'invalid_request', errors: [{ path: 'body.replacementLoginEmail' }] } });
  });
});

describe('seed: move a leaver to extranet keeping their address, in one call', () => {
  it('dismisses the employee and creates their extranet account with the same login', async () => {
    const workgroup = await api.request('POST', '/workgroups', { token, body: { name: 'Vendor portal', extranet: true } });
    expect(workgroup.status).toBe(201);
    const leaver = await seedActiveUser(deps, admin.id, { loginEmail: 'contractor@corp.example' });

    const moved = await api.request('POST', `/users/${leaver.id}/move-to-extranet`, { token, body: { workgroupIds: [workgroup.body.id] } });

    expect(moved.status).toBe(201);
    expect(moved.body.dismissed).toMatchObject({ id: leaver.id, status: 'dismissed', movedToUserId: moved.body.extranetUser.id });
    expect(moved.body.extranetUser).toMatchObject({
      type: 'extranet',
      status: 'active',
      loginEmail: 'contractor@corp.example',
      workgroupIds: [workgroup.body.id],
      movedFromUserId: leaver.id,
    });
  });
});

describe('login email change over HTTP', () => {
  it('202 with the pending change, then 200 on confirmation, then 410 on reuse', async () => {
    const user = await seedActiveUser(deps, admin.id);
    const requested = await api.request('POST', `/users/${user.id}/login-email-change`, { token, body: { email: 'Confirmed@Corp.Example' } });
    expect(requested).toMatchObject({ status: 202, body: { userId: user.id, email: 'confirmed@corp.example', status: 'pending' } });
    const confirmation = await confirmationFor('confirmed@corp.example');
    expect((await api.request('POST', '/login-email-change/confirm', { body: { token: confirmation } })).body.loginEmail).toBe('confirmed@corp.example');
    expect(await api.request('POST', '/login-email-change/confirm', { body: { token: confirmation } })).toMatchObject({
      status: 410,
      body: { code: 'token_invalid' },
    });
  });
});

describe('races', () => {
  it('two users confirming changes to the same address at once: exactly one wins', async () => {
    const [a, b] = await Promise.all([seedActiveUser(deps, admin.id), seedActiveUser(deps, admin.id)]);
    await api.request('POST', `/users/${a!.id}/login-email-change`, { token, body: { email: 'wanted@corp.example' } });
    const tokenA = await confirmationFor('wanted@corp.example');
    await api.request('POST', `/users/${b!.id}/login-email-change`, { token, body: { email: 'wanted@corp.example' } });
    const tokenB = await confirmationFor('wanted@corp.example');

    const responses = await Promise.all([tokenA, tokenB].map((t) => api.request('POST', '/login-email-change/confirm', { body: { token: t } })));

    expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = responses.find((r) => r.status === 200)!.body;
    expect(responses.find((r) => r.status === 409)!.body).toMatchObject({ code: 'email_in_use', user: { id: winner.id } });
    const claims = await itemsWithPrefix(deps.table, 'EMAIL#wanted@');
    expect(claims.map((c) => c.userId)).toEqual([winner.id]);
    const loser = [a!, b!].find((u) => u.id !== winner.id)!;
    expect((await api.request('GET', `/users/${loser.id}`, { token })).body.loginEmail).toBe(loser.loginEmail);
  });

  it('a transfer racing a rehire of the holder: never both applied to the same state', async () => {
    for (let round = 0; round < 8; round++) {
      const holder = await seedActiveUser(deps, admin.id, { loginEmail: `raced-${round}@corp.example` });
      await dismissUser(deps, admin.id, holder.id, {});
      const recipient = await seedActiveUser(deps, admin.id);

      const [transfer, rehire] = await Promise.all([
        api.request('POST', `/emails/raced-${round}@corp.example/transfer`, {
          token,
          body: { toUserId: recipient.id, as: 'login', replacementLoginEmail: `raced-${round}@home.example` },
        }),
        api.request('POST', `/users/${holder.id}/rehire`, { token }),
      ]);

      const holderNow = (await api.request('GET', `/users/${holder.id}`, { token })).body;
      const claim = (await itemsWithPrefix(deps.table, `EMAIL#raced-${round}@corp.example`))[0]!;
      expect(rehire.status).toBe(200);
      expect(holderNow.status).toBe('active');
      if (transfer.status === 200) {
        // The transfer committed first; the rehire then saw the holder with the replacement login.
        expect(holderNow.loginEmail).toBe(`raced-${round}@home.example`);
        expect(claim.userId).toBe(recipient.id);
      } else {
        // The rehire committed first; the transfer re-read and refused an active holder.
        expect(transfer.body.code).toBe('invalid_state');
        expect(holderNow.loginEmail).toBe(`raced-${round}@corp.example`);
        expect(claim.userId).toBe(holder.id);
      }
    }
  });
});

describe('afterwards', () => {
  it('every address a user holds has exactly one claim naming them, and no claim is stray', async () => {
    await expectClaimsConsistent(deps.table);
  });
});
