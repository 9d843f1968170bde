import * as z from '../zod';

/** See lib/domain/audit.ts: esbuild drops an unused schema only when its builder is marked pure. */
/* @__NO_SIDE_EFFECTS__ */
function pure<T>(build: () => T): T {
  return build();
}

/**
 * Addresses are compared after trimming, Unicode NFC and lower-casing the whole address
 * (DOMAIN.md rule 1). Dots and plus tags are significant: `a.b+x@corp.com` is not `ab@corp.com`.
 */
export function normalizeEmail(raw: string): string {
  return raw.trim().normalize('NFC').toLowerCase();
}

const MAX_ADDRESS = 254;
const MAX_LOCAL = 64;
// Printable characters other than space, '@', quotes, angle brackets, commas and the like:
// permissive enough for internationalised local parts, strict enough to reject what no MTA delivers.
const LOCAL_PART = /^[^\s@"(),:;<>[\\\]]+$/u;
// Control, format (zero-width and the like), separator and unassigned/surrogate code points: they
// make look-alike duplicates of real addresses and no mail system delivers them.
const INVISIBLE_OR_CONTROL = /[\p{C}\p{Z}]/u;
const DOMAIN_LABEL = /^(?!-)[\p{L}\p{N}-]{1,63}(?<!-)$/u;

/** Syntax check of an already-normalised address; returns the reason when invalid. */
export function emailProblem(address: string): string | undefined {
  if (address.length === 0) return 'is empty';
  if (address.length > MAX_ADDRESS) return `is longer than ${MAX_ADDRESS} characters`;
  if (INVISIBLE_OR_CONTROL.test(address)) return 'contains invisible, control or space characters';
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return 'must look like name@domain';
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > MAX_LOCAL) return `has a local part longer than ${MAX_LOCAL} characters`;
  if (!LOCAL_PART.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return 'has an invalid local part';
  }
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label))) {
    return 'has an invalid domain';
  }
  // RFC 2606 reserves .invalid; we use it for tombstone logins, so nobody may claim one.
  if (labels.at(-1) === 'invalid') return 'uses the reserved .invalid domain';
  return undefined;
}

/**
 * An address from a stored event (already past its schema once): normalised and checked the same
 * way as `emailSchema`, without the schema library, so the jobs worker does not bundle it for this.
 */
export function normalizedEmailOrProblem(raw: string): { email: string } | { problem: string } {
  const email = normalizeEmail(raw);
  const problem = emailProblem(email);
  return problem ? { problem: `email ${problem}` } : { email };
}

/** A request field holding an address: normalised, then validated. */
export const emailSchema = pure(() =>
  z.pipe(z.string(), z.transform(normalizeEmail)).check(
    z.superRefine((address, ctx) => {
      const problem = emailProblem(address);
      if (problem) ctx.addIssue({ code: 'custom', message: `email ${problem}` });
    }),
    z.meta({ type: 'string', format: 'email', example: 'jane.doe@corp.example' }),
  ),
);
