import { domainToASCII } from 'node:url';
import * as z from '../zod';
import { foldCase, invisibleInAddress } from './text';

/** See lib/domain/audit.ts: esbuild drops an unused schema only when its builder is marked pure. */
/* @__NO_SIDE_EFFECTS__ */
function pure<T>(build: () => T): T {
  return build();
}

/** The comparison form of an address and, when it has none, why. */
export function canonicalEmail(raw: string): { email: string; problem?: undefined } | { email: string; problem: string } {
  const folded = foldCase(raw.trim());
  // Before any mapping: UTS #46 silently drops some invisible code points, which must be refused.
  if (invisibleInAddress(folded)) return { email: folded, problem: 'contains invisible, control or space characters' };
  const at = folded.lastIndexOf('@');
  if (at <= 0 || at === folded.length - 1) return { email: folded, problem: 'must look like name@domain' };
  const local = folded.slice(0, at);
  // Domains compare in their IDNA ASCII form (UTS #46): `bücher.example`, `xn--bcher-kva.example`
  // and a full-width `ｃｏｒｐ.example` name one domain each. An empty answer is UTS #46 refusing it.
  const domain = domainToASCII(folded.slice(at + 1));
  if (!domain) return { email: folded, problem: 'has an invalid domain' };
  const email = `${local}@${domain}`;
  const problem = syntaxProblem(email, local, domain);
  return problem ? { email, problem } : { email };
}

/**
 * Addresses are compared after trimming, NFC and lower-casing the whole address, with the domain
 * in its IDNA ASCII form (docs/contract.md rule 1); every path (admin API, HR events, lookups) stores and
 * looks up this form. Idempotent: normalising a normalised address changes nothing. Dots and plus
 * tags are significant: `a.b+x@corp.com` is not `ab@corp.com`.
 */
export function normalizeEmail(raw: string): string {
  return canonicalEmail(raw).email;
}

const MAX_ADDRESS = 254;
const MAX_LOCAL = 64;
// Printable characters other than space, '@', quotes, angle brackets, commas and the like:
// permissive enough for internationalised local parts, strict enough to reject what no MTA delivers.
const LOCAL_PART = /^[^\s@"(),:;<>[\\\]]+$/u;
// Domains are compared in ASCII, so labels are LDH labels (punycode `xn--` included).
const DOMAIN_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function syntaxProblem(address: string, local: string, domain: string): string | undefined {
  if (address.length > MAX_ADDRESS) return `is longer than ${MAX_ADDRESS} characters`;
  if (local.length > MAX_LOCAL) return `has a local part longer than ${MAX_LOCAL} characters`;
  if (!LOCAL_PART.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return 'has an invalid local part';
  }
  const labels = domain.split('.');
  // An all-numeric last label is an IP address, not a mail domain.
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label)) || /^[0-9]+$/.test(labels.at(-1)!)) {
    return 'has an invalid domain';
  }
  // RFC 2606 reserves .invalid; we use it for tombstone logins, so nobody may claim one.
  if (labels.at(-1) === 'invalid') return 'uses the reserved .invalid domain';
  return undefined;
}

/** Why an address is refused, or undefined when it may be stored. */
export function emailProblem(address: string): string | undefined {
  if (address.trim().length === 0) return 'is empty';
  return canonicalEmail(address).problem;
}

/**
 * An address from a stored event (already past its schema once): normalised and checked the same
 * way as `emailSchema`, without the schema library, so the jobs worker does not bundle it for this.
 */
export function normalizedEmailOrProblem(raw: string): { email: string } | { problem: string } {
  if (raw.trim().length === 0) return { problem: 'email is empty' };
  const { email, problem } = canonicalEmail(raw);
  return problem ? { problem: `email ${problem}` } : { email };
}

/** A request field holding an address: normalised, then validated. */
export const emailSchema = pure(() =>
  z.pipe(z.string().check(z.maxLength(1024)), z.transform(normalizeEmail)).check(
    z.superRefine((address, ctx) => {
      const problem = emailProblem(address);
      if (problem) ctx.addIssue({ code: 'custom', message: `email ${problem}` });
    }),
    z.meta({ type: 'string', format: 'email', example: 'jane.doe@corp.example' }),
  ),
);
