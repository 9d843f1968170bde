import type { z } from '../zod';
import { InvalidRequest } from './errors';

/**
 * Use cases parse their own input, so invariants such as address normalisation hold whoever
 * calls them (HTTP handlers, webhooks, schedules). Parsing is idempotent: re-parsing what the
 * HTTP layer already parsed is harmless. Errors name the command's fields (`where` names a lone
 * value's field); the HTTP layer says whether that field was in the body, the path or the query.
 */
export function validate<S extends z.ZodMiniType>(schema: S, input: unknown, where?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidRequest(
    result.error.issues.map((issue) => ({ path: [...(where ? [where] : []), ...issue.path.map(String)].join('.'), message: issue.message })),
  );
}
