import type { Schemas, User } from '../../lib/client/client';

export const fullName = (user: Pick<User, 'firstName' | 'lastName'>) => `${user.firstName} ${user.lastName}`.trim();

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? iso : dateTime.format(time);
}

export const statusLabel: Record<User['status'], string> = { invited: 'Invited', active: 'Active', dismissed: 'Dismissed' };
export const typeLabel: Record<User['type'], string> = { employee: 'Employee', extranet: 'Extranet' };

export const accessLabel: Record<Schemas['Access']['state'], string> = {
  provisioned: 'Provisioned',
  deactivated: 'Deactivated',
  deprovisioned: 'Removed',
  pending: 'Pending',
  failed: 'Failed',
};

/** `user.contact_email_changed` -> "Contact email changed"; `invitation.link_issued` -> "Invitation link issued". */
export function actionLabel(action: string): string {
  const [scope, name] = action.includes('.') ? (action.split('.', 2) as [string, string]) : ['', action];
  const words = `${scope === 'user' || scope === '' ? '' : `${scope} `}${name}`.replace(/[_.]/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** `loginEmail` -> "login email", `body.workgroupIds` -> "workgroup ids". */
export function fieldLabel(path: string): string {
  const field = path.replace(/^(body|query|path|headers)\./, '');
  return field
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[._]/g, ' ')
    .toLowerCase();
}

export function valueText(value: unknown): string {
  if (value === null || value === undefined || value === '') return 'none';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.length ? value.map(valueText).join(', ') : 'none';
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return formatTime(value);
  // The placeholder login of a profile whose login moved to its extranet account: no address at all.
  if (typeof value === 'string' && /@moved\.invalid$/i.test(value)) return 'none (moved to the extranet account)';
  return String(value);
}

/** A ULID as the API's ids are (upper case; a tombstone login carries one in lower case). */
const ID = '[0-7][0-9A-HJKMNP-TV-Z]{25}';
const NOUNS: Record<string, string> = {
  user: 'this user',
  delegate: 'the delegate',
  workgroup: 'this workgroup',
  event: 'this event',
  task: 'this task',
  activity: 'this activity',
  job: 'this job',
  'extranet account': 'their extranet account',
  'extranet user': 'this extranet user',
};
const NAMED = new RegExp(
  `\\b(?:(dismissed|active|invited) )?(extranet account|extranet user|user|delegate|workgroup|event|task|activity|job) (${ID})\\b(?!@)`,
  'gi',
);
const capitalised = (words: string, like: string) => (like.charAt(0) === like.charAt(0).toUpperCase() ? words.charAt(0).toUpperCase() + words.slice(1) : words);

/**
 * A problem's `detail` for a person: the API writes it for scripts, naming users, workgroups and
 * events by id ("User 01J… moved to extranet account 01J…"). Each id becomes the name the page
 * knows (`names`: id -> name) or "this user", "the delegate", "their extranet account"; a
 * placeholder login, a bare id and the API paths of a hint go; times read as local times.
 */
export function plainDetail(detail: string, names: Readonly<Record<string, string>> = {}): string {
  const nameOf = (id: string) => names[id.toUpperCase()];
  return detail
    .replace(new RegExp(`\\b${ID}@moved\\.invalid\\b`, 'gi'), 'a placeholder login')
    .replace(/\s*\((?:GET|PUT|POST|DELETE|PATCH) \/[^)]*\)/g, '')
    .replace(/: (?:GET|PUT|POST|DELETE|PATCH) \/\S+/g, '')
    .replace(NAMED, (whole, status: string | undefined, noun: string, id: string) => {
      // Their extranet account bears the same name: the noun says more than the name there.
      const name = noun.toLowerCase() === 'extranet account' ? undefined : nameOf(id);
      if (name) return status ? `${name} (${status.toLowerCase()})` : name;
      if (status) return capitalised(`${/^[ai]/i.test(status) ? 'an' : 'a'} ${status.toLowerCase()} ${noun.toLowerCase()}`, whole);
      return capitalised(NOUNS[noun.toLowerCase()] ?? 'it', whole);
    })
    .replace(new RegExp(`\\b${ID}\\b`, 'gi'), (id) => nameOf(id) ?? 'it')
    .replace(/\b\d{4}-\d{2}-\d{2}T[\d:.]+Z\b/g, (iso) => formatTime(iso));
}

/** "The request body exceeds 1048576 bytes" -> "1 MB". */
function sizeLimit(detail: string): string | undefined {
  const bytes = Number(/(\d+) bytes/.exec(detail)?.[1]);
  if (!Number.isFinite(bytes) || bytes <= 0) return undefined;
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 102.4) / 10} MB` : `${Math.round(bytes / 1024)} KB`;
}

/** What a `not_found` problem names: "user 01J… does not exist" -> "user". */
function missingThing(detail: string): string {
  return /^(.+?) \S+ does not exist$/.exec(detail)?.[1]?.toLowerCase() ?? 'thing';
}

type AnyProblem = { code: string; detail: string; title?: string | undefined; status?: number };

/** A problem's headline in plain words, by its stable `code`; the API's title only for a code the console does not know. */
export function problemHeadline(problem: AnyProblem): string {
  switch (problem.code) {
    case 'unreachable':
      return 'The directory could not be reached';
    case 'gateway':
      return problem.status === 429 ? 'Too many requests just now' : 'The directory could not answer';
    case 'invalid_request':
      return 'Some of what you entered cannot be used';
    case 'unauthorized':
      return 'You are signed out';
    case 'forbidden':
      return 'Only a directory admin can do this';
    case 'not_found':
      return 'Not in the directory';
    case 'method_not_allowed':
      return 'The directory does not offer this action';
    case 'email_in_use':
      return 'This address is already in use';
    case 'external_id_in_use':
      return 'This HR id already belongs to someone';
    case 'workgroup_name_in_use':
      return 'A workgroup with this name exists';
    case 'invalid_state':
      return 'This cannot be done as things stand';
    case 'last_admin':
      return 'The directory would be left without an admin';
    case 'token_invalid':
      return 'This link no longer works';
    case 'payload_too_large':
      return 'What was sent is too large';
    case 'busy':
      return 'Someone else is changing this right now';
    case 'internal':
      return 'Something went wrong in the directory';
    default:
      return problem.title ?? 'The directory refused this';
  }
}

/**
 * The explanation of a problem whose code carries nothing to link to, in plain words; undefined
 * for the codes ProblemView words itself (field errors, a held address, an HR id, the last admin).
 */
export function problemExplanation(problem: AnyProblem, names: Readonly<Record<string, string>> = {}): string | undefined {
  switch (problem.code) {
    case 'unauthorized':
      return 'Your sign-in has expired or was not accepted. Sign in again to continue.';
    case 'busy':
      return 'Another change to the same record is in progress. Wait a moment and try again.';
    case 'internal':
      return "Nothing was revealed about the cause. Try again; if it keeps failing, the server's logs say why.";
    case 'gateway':
      return problem.status === 429 ? 'Wait a moment and try again.' : problem.detail;
    case 'not_found':
      return `No such ${missingThing(problem.detail)} exists in the directory: the link may be mistyped or out of date, or it was removed.`;
    case 'method_not_allowed':
      return 'The console asked for something this directory does not answer. Reload the page; if it keeps happening, the console and the API are out of step.';
    case 'token_invalid':
      return 'It has expired, was already used, or a newer one replaced it. Ask for a new one: send the invitation again, or request the login change again.';
    case 'payload_too_large': {
      const limit = sizeLimit(problem.detail);
      return `The directory takes ${limit ? `at most ${limit}` : 'less'} in one request. Shorten what you entered and try again.`;
    }
    default:
      // invalid_state and the rest: the API's own sentence, its ids put in words.
      return plainDetail(problem.detail, names);
  }
}

/**
 * Says what the users list shows, naming the search, so a screen reader hears the answer to what
 * was typed. The search may answer a short or even empty page that still has a next one (its
 * filters apply to what the index returns): then this page has none, not nobody.
 */
export function resultLine(count: number, more: boolean, pageNumber: number, q: string): string {
  const matching = q ? ` whose name or address starts with “${q}”` : '';
  if (count === 0 && more) return `Page ${pageNumber}: none on this page${matching}; the next page may have some.`;
  if (count === 0) return q ? `Nobody's name or address starts with “${q}”.` : 'No users match these filters.';
  return `Page ${pageNumber}: ${count} user${count === 1 ? '' : 's'}${matching}${more ? ', more on the next page' : ''}.`;
}
