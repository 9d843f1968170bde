import { PageHeading } from '../components/page-heading';

/** A section the console lists but cannot do yet: it says so, and where the same work is done today. */
export function NotBuiltPage({ title, what }: { title: string; what: string }) {
  return (
    <>
      <PageHeading>{title}</PageHeading>
      <p class="notice">Not in the console yet. {what}</p>
      <p class="muted">Until then the same work is done through the HTTP API (docs/http-api.md).</p>
    </>
  );
}
