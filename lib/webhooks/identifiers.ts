import { textProblem } from '../domain/text';

/**
 * Ids an HR system gives us become parts of DynamoDB keys (a partition key holds at most 2,048
 * bytes, a sort key 1,024): a delivery id is the delivery's key and part of its re-drive URL, an
 * employee id is looked up as an externalId claim. Both are bounded here, before anything is
 * recorded, at what the rest of the API accepts: re-drive takes delivery ids of up to 128
 * characters, and an invitation's externalId is at most 128 characters of text.
 */
export const MAX_ID_LENGTH = 128;

// Visible ASCII: what every provider's ids are (uuids, `msg_...`, hashes), safe in keys, logs and URLs.
const DELIVERY_ID = /^[\x21-\x7e]{1,128}$/;

/** Why a provider's delivery id cannot be ours, or undefined when it can. */
export function deliveryIdProblem(id: string): string | undefined {
  return DELIVERY_ID.test(id) ? undefined : `must be 1 to ${MAX_ID_LENGTH} visible ASCII characters`;
}

/** Why an employee id cannot be any directory user's externalId, or undefined when it can. */
export function externalIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'is empty';
  if (id.length > MAX_ID_LENGTH) return `is longer than ${MAX_ID_LENGTH} characters`;
  return textProblem(id);
}
