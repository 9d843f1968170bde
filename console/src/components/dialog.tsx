import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ProblemDetails } from '../api';
import { problemOf } from '../context';
import { type KnownNames, ProblemView } from './problem-view';
import '../actions.css';

let dialogs = 0;

export const FOCUSABLE =
  'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Tab past the last control comes back to the first (and Shift+Tab the other way): an inert page alone lets it leave for the browser's own UI. */
export function keepFocus(event: KeyboardEvent) {
  if (event.key !== 'Tab') return;
  const dialog = event.currentTarget as HTMLDialogElement;
  const controls = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((element) => element.offsetParent !== null);
  const first = controls[0];
  const last = controls[controls.length - 1];
  if (!first || !last) return;
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

/**
 * Where the focus goes when a dialog closes and the control that opened it is gone (the action
 * changed the page: a dismissed user has no Dismiss button): the message saying what happened,
 * else the page's heading, so keyboard and screen-reader users are not left on the body.
 */
function focusAfterClose(opener: HTMLElement | null) {
  // After the page has rendered what the action changed.
  setTimeout(() => {
    if (document.querySelector('dialog[open]')) return;
    if (opener?.isConnected) {
      opener.focus();
      return;
    }
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return; // the page placed it already
    const target = document.querySelector<HTMLElement>('main .outcome, main [role="status"][tabindex="-1"]') ?? document.querySelector<HTMLElement>('main h1');
    target?.focus();
  }, 0);
}

/**
 * A modal <dialog>: showModal makes the rest of the page inert and Escape closes it (the
 * browser's own behaviour) unless a call is `busy`, which it waits for; Tab cycles within it;
 * closing returns the focus to the opener (or, when it is gone, to what the page says now).
 * Mounted open; `onClose` is told however it closed (Escape, Cancel, done).
 */
export function Dialog({ title, busy = false, onClose, children }: { title: string; busy?: boolean; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [id] = useState(() => `dialog-${++dialogs}`);
  const working = useRef(busy);
  working.current = busy;
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const dialog = ref.current!;
    if (!dialog.open) dialog.showModal();
    return () => {
      if (dialog.open) dialog.close();
      focusAfterClose(opener);
    };
  }, []);
  useEffect(() => {
    // Its controls are disabled while the call runs: the focus stays in the dialog, on its title.
    const dialog = ref.current!;
    if (busy && !dialog.contains(document.activeElement)) dialog.querySelector<HTMLElement>('h2')?.focus();
  }, [busy]);
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby={id}
      aria-busy={busy}
      onClose={onClose}
      onCancel={(event) => {
        // Escape while the call runs: the call happens anyway, so the dialog stays to say how it went.
        if (working.current) event.preventDefault();
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && working.current) event.preventDefault();
        keepFocus(event);
      }}
    >
      {/* Focusable only while busy: opening, the browser focuses the first control, not the title. */}
      <h2 id={id} tabIndex={busy ? -1 : undefined}>
        {title}
      </h2>
      {children}
    </dialog>
  );
}

export type Step = {
  /** The form of inputs, if the action takes any (shown first; its submit leads to the review). */
  form?: ComponentChildren;
  /** Whether the form's inputs are complete enough to go on. */
  ready?: boolean;
  /** What will happen, in words, shown before anything changes. */
  review: ComponentChildren;
  confirmLabel: string;
  /** Does the work; its answer (a sentence) is what the page shows afterwards. */
  run: () => Promise<string>;
  /** Remedies to offer next to a refusal of `run` (a one-click fix the problem names). */
  remedies?: (problem: ProblemDetails) => ComponentChildren;
  /** The users this action concerns, by id, so a refusal names them rather than their ids. */
  names?: KnownNames;
};

/**
 * An action in a dialog: its inputs, then a review of what will happen with Cancel focused (a
 * stray Enter cancels rather than dismisses someone), then the call. A refusal stays in the dialog
 * in plain words, so the admin can change an input and try again.
 */
export function ActionDialog({ title, step, onClose, onDone }: { title: string; step: Step; onClose: () => void; onDone: (outcome: string) => void }) {
  const [reviewing, setReviewing] = useState(!step.form);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemDetails | undefined>();
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (reviewing) cancel.current?.focus();
  }, [reviewing]);
  const run = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      const outcome = await step.run();
      onDone(outcome);
    } catch (error) {
      setProblem(problemOf(error));
      setBusy(false);
      if (step.form) setReviewing(false);
    }
  };
  return (
    <Dialog title={title} busy={busy} onClose={onClose}>
      {problem ? (
        <ProblemView problem={problem} names={step.names}>
          {step.remedies?.(problem)}
        </ProblemView>
      ) : null}
      {reviewing ? (
        <>
          <div class="review">{step.review}</div>
          <div class="dialog-buttons">
            <button type="button" class="secondary" ref={cancel} disabled={busy} onClick={onClose}>
              Cancel
            </button>
            <button type="button" class="danger" disabled={busy} onClick={run}>
              {busy ? 'Working…' : step.confirmLabel}
            </button>
          </div>
        </>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            setProblem(undefined);
            setReviewing(true);
          }}
        >
          {step.form}
          <div class="dialog-buttons">
            <button type="button" class="secondary" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" disabled={step.ready === false}>
              Continue
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

/** A dialog for a change that is not destructive: its inputs, then the call, no review step. */
export function FormDialog({
  title,
  children,
  submitLabel,
  ready,
  run,
  onClose,
  onDone,
  extra,
  names,
}: {
  title: string;
  children: ComponentChildren;
  submitLabel: string;
  ready?: boolean;
  run: () => Promise<string>;
  onClose: () => void;
  onDone: (outcome: string) => void;
  /** Another way to finish (e.g. "Clear the contact address"): runs its own call. */
  extra?: { label: string; run: () => Promise<string> };
  names?: KnownNames;
}) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemDetails | undefined>();
  const go = async (work: () => Promise<string>) => {
    setBusy(true);
    setProblem(undefined);
    try {
      onDone(await work());
    } catch (error) {
      setProblem(problemOf(error));
      setBusy(false);
    }
  };
  return (
    <Dialog title={title} busy={busy} onClose={onClose}>
      {problem ? <ProblemView problem={problem} names={names} /> : null}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void go(run);
        }}
      >
        {children}
        <div class="dialog-buttons">
          <button type="button" class="secondary" disabled={busy} onClick={onClose}>
            Cancel
          </button>
          {extra ? (
            <button type="button" class="secondary" disabled={busy} onClick={() => go(extra.run)}>
              {extra.label}
            </button>
          ) : null}
          <button type="submit" disabled={busy || ready === false}>
            {busy ? 'Working…' : submitLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
