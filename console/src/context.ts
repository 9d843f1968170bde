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

/** Runs `load` whenever `deps` change; an answer that arrives after a newer request started is dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    setLoaded({ state: 'loading' });
    load().then(
      (data) => current && setLoaded({ state: 'done', data }),
      (error: unknown) => current && setLoaded({ state: 'failed', problem: problemOf(error) }),
    );
    return () => {
      current = false;
    };
  }, [...deps, generation]);
  return [loaded, () => setGeneration((n) => n + 1)];
}

export function problemOf(error: unknown): ProblemDetails {
  if (error instanceof ApiError) return error.problem;
  return { code: 'unreachable', detail: error instanceof Error ? error.message : 'Something went wrong in the console.' };
}
