import type { DomainError } from '../domain/errors';

export type HttpResponse = { statusCode: number; headers: Record<string, string>; body: string };

export const baseHeaders = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** RFC 9457 problem document for a domain error; `code` is the stable, machine-readable part. */
export function problemResponse(error: DomainError, instance?: string): HttpResponse {
  return {
    statusCode: error.status,
    headers: { ...baseHeaders, 'content-type': 'application/problem+json' },
    body: JSON.stringify({
      type: `/problems/${error.code}`,
      title: error.title,
      status: error.status,
      detail: error.message,
      code: error.code,
      ...(instance ? { instance } : {}),
      ...error.extensions(),
    }),
  };
}

/** The one answer for anything unexpected: a 500 that reveals nothing about why. */
export function internalErrorResponse(instance?: string): HttpResponse {
  return {
    statusCode: 500,
    headers: { ...baseHeaders, 'content-type': 'application/problem+json' },
    body: JSON.stringify({
      type: '/problems/internal',
      title: 'Internal error',
      status: 500,
      detail: 'Something went wrong on our side; the request may be retried',
      code: 'internal',
      ...(instance ? { instance } : {}),
    }),
  };
}
