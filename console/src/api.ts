import { createDirectoryClient, type DirectoryClient, type Problem } from '../../lib/client/client';

/**
 * The console talks to the API only through the generated client (lib/client/client.ts), so it
 * can call no route and read no field that the OpenAPI document does not describe.
 */
export type { DirectoryClient };

/**
 * What a failed call tells the admin: the API's problem document, API Gateway's bare `{message}`
 * (its authorizer and throttling answer so), or that the API could not be reached at all.
 */
export type ProblemDetails =
  | Problem
  | { code: 'gateway'; status: number; title?: undefined; detail: string }
  | { code: 'unreachable'; title?: undefined; detail: string };

export class ApiError extends Error {
  constructor(readonly problem: ProblemDetails) {
    super(problem.detail);
  }
}

export type Api = { client: DirectoryClient; baseUrl: string };

/**
 * A client that sends the current token with every call and reports a refused token, so the
 * console can send the admin back to sign-in instead of showing each page's error.
 */
export function createApi(baseUrl: string, token: () => Promise<string | undefined>, onUnauthorized: () => void): Api {
  const client = createDirectoryClient({ baseUrl, token: async () => (await token()) ?? '' });
  client.use({
    onResponse({ response }) {
      if (response.status === 401) onUnauthorized();
      return response;
    },
  });
  return { client, baseUrl };
}

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The 2xx answer's body, or an ApiError carrying the problem (a network failure included). */
export async function call<T>(request: Promise<Answer<T>>): Promise<NonNullable<T>> {
  let answer: Answer<T>;
  try {
    answer = await request;
  } catch {
    throw new ApiError({ code: 'unreachable', detail: 'The directory API could not be reached. Check your connection, then try again.' });
  }
  if (answer.response.ok) return answer.data as NonNullable<T>;
  const body = answer.error as Partial<Problem> & { message?: string };
  if (body && typeof body === 'object' && typeof body.code === 'string') throw new ApiError(body as Problem);
  throw new ApiError({
    code: 'gateway',
    status: answer.response.status,
    detail: typeof body?.message === 'string' ? body.message : 'The directory API gave an answer the console does not understand.',
  });
}
