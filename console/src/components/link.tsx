import type { ComponentChildren } from 'preact';
import { href, onLinkClick } from '../router';

export function Link({ to, children, current }: { to: string; children: ComponentChildren; current?: boolean }) {
  return (
    <a href={href(to)} onClick={onLinkClick(to)} aria-current={current ? 'page' : undefined}>
      {children}
    </a>
  );
}
