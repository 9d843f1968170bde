/**
 * What the last action on a page achieved, kept across the reload that follows it (the page is
 * read again from the API, so what it shows is the directory's state, not the console's guess).
 */
const outcomes = new Map<string, string>();

export function setOutcome(key: string, text: string): void {
  outcomes.set(key, text);
}

/** The outcome left for `key`, once: a later visit to the page does not repeat it. */
export function takeOutcome(key: string): string | undefined {
  const text = outcomes.get(key);
  outcomes.delete(key);
  return text;
}
