import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ProblemDetails } from '../api';
import { problemOf } from '../context';
import { keepFocus } from './dialog';
import { ProblemView } from './problem-view';

let dialogs = 0;

/** Where the focus went nowhere (the body, or an element removed since), the page's heading takes it. */
function focusPageIfLost(): void {
  const active = document.activeElement;
  if (active && active !== document.body && active.isConnected) return;
  document.querySelector<HTMLElement>('main h1')?.focus({ preventScroll: true });
}

/**
 * What an action achieved, as a polite status message that takes the focus whenever it says
 * something new: after a confirmation the control that asked for it is often gone, and this is
 * what a screen reader should read next.
 */
export function ResultMessage({ text }: { text: string | undefined }) {
  const message = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (text) message.current?.focus({ preventScroll: false });
  }, [text]);
  return (
    <p role="status" class="notice" tabIndex={-1} ref={message} hidden={!text}>
      {text ?? ''}
    </p>
  );
}

/**
 * A modal confirmation on the native <dialog> (showModal makes the page behind it inert): Cancel
 * comes first and has the focus, so Enter or Escape never confirms by accident; Tab stays inside;
 * cancelling returns the focus to the control that opened it, confirming leaves it to the page
 * (see ResultMessage). A refused confirmation is shown in the dialog, in words, and the dialog
 * stays open to try again or cancel.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  danger = false,
  onConfirm,
  onClose,
}: {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  /** Resolves when done (the dialog closes); throws to show the problem. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [id] = useState(() => `dialog-${++dialogs}`);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemDetails | undefined>();
  const confirmed = useRef(false);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const element = dialog.current!;
    element.showModal();
    element.querySelector<HTMLElement>('[data-cancel]')?.focus();
    return () => {
      if (element.open) element.close();
      // Cancelled: back to the opener. Confirmed: the opener is often gone (the member removed,
      // the list read again), and the page moves the focus to what the action did (a
      // ResultMessage, a new page's heading); where nothing took it, the page heading does.
      if (!confirmed.current && opener?.isConnected) opener.focus();
      else setTimeout(focusPageIfLost, 0);
    };
  }, []);
  return (
    <dialog
      ref={dialog}
      class="confirm-dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      onKeyDown={keepFocus}
      onCancel={(event) => {
        // Escape: closed by us, so the component that opened it learns of it.
        event.preventDefault();
        if (!busy) onClose();
      }}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      <div id={`${id}-body`}>{children}</div>
      {problem ? <ProblemView problem={problem} /> : null}
      <div class="confirm-buttons">
        <button type="button" class="quiet" data-cancel onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button
          type="button"
          class={danger ? 'destructive' : undefined}
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setProblem(undefined);
            try {
              await onConfirm();
              confirmed.current = true;
              setBusy(false);
              onClose();
            } catch (error) {
              setBusy(false);
              setProblem(problemOf(error));
            }
          }}
        >
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
