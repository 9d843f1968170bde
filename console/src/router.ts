import { useEffect, useState } from 'preact/hooks';

/**
 * Paths under the console's base (/console/), with the History API: the server answers
 * index.html for any of them, so every page has an address that can be bookmarked and shared.
 */
const BASE = import.meta.env.BASE_URL;
const NAVIGATED = 'console:navigate';

/** Whether the admin has moved within the console since it loaded (a fresh load keeps the browser's focus). */
let moved = false;
export const hasNavigated = () => moved;

export type Location = { path: string; query: URLSearchParams };

function current(): Location {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '';
  return { path: `/${path}`.replace(/\/+$/, '') || '/', query: new URLSearchParams(location.search) };
}

/** The address of a console path (`/users/01...` -> `/console/users/01...`). */
export function href(path: string): string {
  return BASE + path.replace(/^\//, '');
}

export function navigate(path: string, { replace = false } = {}): void {
  moved = true;
  if (replace) history.replaceState(null, '', href(path));
  else history.pushState(null, '', href(path));
  dispatchEvent(new Event(NAVIGATED));
}

export function useLocation(): Location {
  const [where, setWhere] = useState(current);
  useEffect(() => {
    const update = () => {
      moved = true;
      setWhere(current());
    };
    addEventListener('popstate', update);
    addEventListener(NAVIGATED, update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener(NAVIGATED, update);
    };
  }, []);
  return where;
}

/** A plain link that navigates in place; modified clicks (new tab, new window) keep the browser's behaviour. */
export function onLinkClick(path: string) {
  return (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(path);
  };
}
