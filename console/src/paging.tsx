import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * Cursor paging for the admin sections' lists: the cursors of the pages before this one, so
 * Previous goes back although the API only pages forward. A new `key` (another filter) starts again.
 */
export function usePaging(key = '') {
  const [paging, setPaging] = useState<{ key: string; cursors: (string | undefined)[] }>({ key, cursors: [undefined] });
  const cursors = paging.key === key ? paging.cursors : [undefined];
  return {
    cursor: cursors[cursors.length - 1],
    pageNumber: cursors.length,
    next: (cursor: string) => setPaging({ key, cursors: [...cursors, cursor] }),
    previous: () => setPaging({ key, cursors: cursors.slice(0, -1) }),
  };
}

export function Pager({ paging, nextCursor, what }: { paging: ReturnType<typeof usePaging>; nextCursor: string | null; what: string }) {
  if (paging.pageNumber === 1 && !nextCursor) return null;
  return (
    <div class="pager">
      <button type="button" aria-label={`Previous page of ${what}`} disabled={paging.pageNumber === 1} onClick={paging.previous}>
        Previous page
      </button>
      <button type="button" aria-label={`Next page of ${what}`} disabled={!nextCursor} onClick={() => nextCursor && paging.next(nextCursor)}>
        Next page
      </button>
    </div>
  );
}

/**
 * Reads `read` until `done` holds of its answer (or the component goes away), handing each answer
 * to `onAnswer`; a failed read ends the polling with `onError`. `delayMs` says how long to wait
 * before each read (the first is read 0): a number for a steady pace, a function to back off.
 */
export function usePoll<T>(
  read: (() => Promise<T>) | undefined,
  done: (value: T) => boolean,
  onAnswer: (value: T) => void,
  onError: (error: unknown) => void,
  delayMs: number | ((read: number) => number) = 1_000,
): void {
  const latest = useRef({ done, onAnswer, onError, delayMs });
  latest.current = { done, onAnswer, onError, delayMs };
  useEffect(() => {
    if (!read) return;
    let stopped = false;
    let reads = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const delay = () => {
      const { delayMs } = latest.current;
      return typeof delayMs === 'number' ? delayMs : delayMs(reads);
    };
    const tick = async () => {
      try {
        reads += 1;
        const value = await read();
        if (stopped) return;
        latest.current.onAnswer(value);
        if (!latest.current.done(value)) timer = setTimeout(tick, delay());
      } catch (error) {
        if (!stopped) latest.current.onError(error);
      }
    };
    timer = setTimeout(tick, delay());
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [read]);
}

/**
 * One call at a time from a control: `busy` names what is in flight (to disable its control) and
 * `run` ignores a second start while one is, even one clicked before the disabled state rendered.
 */
export function useInFlight(): { busy: string | undefined; run: (what: string, work: () => Promise<void>) => Promise<void> } {
  const [busy, setBusy] = useState<string | undefined>();
  const flying = useRef(false);
  return {
    busy,
    run: async (what, work) => {
      if (flying.current) return;
      flying.current = true;
      setBusy(what);
      try {
        await work();
      } finally {
        flying.current = false;
        setBusy(undefined);
      }
    },
  };
}
