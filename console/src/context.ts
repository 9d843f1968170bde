import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { User } from '../../lib/client/client';
import { ApiError, type Api, type ProblemDetails } from './api';

export type ConsoleContext = { api: Api; admin: User | undefined };

export const Console = createContext<ConsoleContext | undefined>(undefined);

export function useConsole(): ConsoleContext {
  const value = useContext(Console);
  if (!value) throw new Error('useConsole outside the signed-in console');
  return value;
}

export type Loaded<T> = { state: 'loading' } | { state: 'done'; data: T } | { state: 'failed'; problem: ProblemDetails };

/**
 * Runs `load` whenever `deps` change; an answer that arrives after a newer request started is
 * dropped, and what was loaded for other `deps` reads as loading at once (in the render that
 * changed them, not only after the effect), so a page never shows one page's data under the next
 * page's number.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<{ value: Loaded<T>; for: unknown[] }>({ value: { state: 'loading' }, for: [] });
  const [generation, setGeneration] = useState(0);
  const wanted = [...deps, generation];
  useEffect(() => {
    let current = true;
    setLoaded({ value: { state: 'loading' }, for: wanted });
    load().then(
      (data) => current && setLoaded({ value: { state: 'done', data }, for: wanted }),
      (error: unknown) => current && setLoaded({ value: { state: 'failed', problem: problemOf(error) }, for: wanted }),
    );
    return () => {
      current = false;
    };
  }, wanted);
  const fresh = loaded.for.length === wanted.length && loaded.for.every((value, i) => Object.is(value, wanted[i]));
  return [fresh ? loaded.value : { state: 'loading' }, () => setGeneration((n) => n + 1)];
}

export function problemOf(error: unknown): ProblemDetails {
  if (error instanceof ApiError) return error.problem;
  return { code: 'unreachable', detail: error instanceof Error ? error.message : 'Something went wrong in the console.' };
}
