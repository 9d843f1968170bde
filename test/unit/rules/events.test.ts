import { describe, expect, it } from 'vitest';
import { erase } from '../../../lib/domain/cleanup';
import { changeContactEmail } from '../../../lib/domain/addresses';
import { dismiss } from '../../../lib/domain/dismissal';
import { eventTypeOf, lifecycleEvents } from '../../../lib/domain/events';
import type { Change } from '../../../lib/domain/change';
import { aUser, context, nextId, NOW } from '../../support/domain';

/** The users as the commit step stores them: the next version. */
const stored = (change: Change) => change.users.map(({ before, after }) => ({ ...after, version: (before?.version ?? 0) + 1 }));

describe('rule 13: lifecycle events', () => {
  it('a change emits one event per user it rewrites, numbered by the user version it makes', () => {
    const user = aUser({ version: 7, isAdmin: true });
    const change = dismiss(user, {}, context({ actorId: 'ADMIN', source: 'admin' }));
    const [event, ...more] = lifecycleEvents(change, stored(change), nextId);
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      type: 'user.dismissed',
      timestamp: NOW.toISOString(),
      data: { userId: user.id, sequence: 8, actorId: 'ADMIN', source: 'admin', user: { id: user.id, status: 'dismissed', isAdmin: false } },
    });
    expect(event!.data.changes).toEqual(
      expect.arrayContaining([
        { field: 'status', before: 'active', after: 'dismissed' },
        { field: 'isAdmin', before: true, after: false },
      ]),
    );
    expect(event!.data.changes.map((c) => c.field)).not.toContain('version');
  });

  it('says who asked: an HR system acting is no admin', () => {
    const change = changeContactEmail(aUser(), 'new@home.example', context({ actorId: null, source: 'hr:gusto' }))!;
    expect(lifecycleEvents(change, stored(change), nextId)[0]!.data).toMatchObject({
      actorId: null,
      source: 'hr:gusto',
      changes: [{ field: 'contactEmail', before: null, after: 'new@home.example' }],
    });
  });

  it('an erasure names the fields it changed but not the values it erased', () => {
    const user = aUser({ status: 'dismissed', dismissedAt: NOW.toISOString(), firstName: 'Jane', contactEmail: 'jane@home.example' });
    const change = erase(user, context())!;
    const [event] = lifecycleEvents(change, stored(change), nextId);
    expect(event!.type).toBe('user.erased');
    expect(event!.data.changes.map((c) => c.field)).toEqual(expect.arrayContaining(['firstName', 'contactEmail', 'loginEmail']));
    expect(JSON.stringify(event)).not.toContain('Jane');
    expect(JSON.stringify(event)).not.toContain('jane@home.example');
  });

  it.each([
    ['invitation.accepted', 'user.activated'],
    ['user.bootstrapped_admin', 'user.activated'],
    ['user.created_from_employee', 'user.activated'],
    ['user.workgroup_joined', 'user.workgroups_changed'],
    ['user.workgroup_left', 'user.workgroups_changed'],
    ['email.transferred_out', 'email.transferred'],
    ['email.transferred_in', 'email.transferred'],
    ['user.dismissed', 'user.dismissed'],
    ['user.legal_hold_placed', 'user.legal_hold_placed'],
  ])('the change %s is the event %s', (action, type) => {
    expect(eventTypeOf(action)).toBe(type);
  });
});
