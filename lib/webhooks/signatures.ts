import { createHmac, timingSafeEqual } from 'node:crypto';
import { Unauthorized } from '../domain/errors';

/** Every signature failure looks the same to the caller: nothing that helps an attacker. */
export function signatureRejected(): Unauthorized {
  return new Unauthorized('Webhook signature verification failed');
}

export function hmacSha256Hex(key: string, data: string): string {
  return createHmac('sha256', key).update(data, 'utf8').digest('hex');
}

/** Constant-time comparison of hex signatures of any presented length. */
export function hexSignatureMatches(presented: string | undefined, expected: string): boolean {
  if (!presented || !/^[0-9a-fA-F]+$/.test(presented)) return false;
  const a = Buffer.from(presented.toLowerCase(), 'hex');
  const b = Buffer.from(expected, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export const TOLERANCE_SECONDS = 300;
