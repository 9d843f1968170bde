import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * A secret the API shows in one answer only: readable and copyable now, with a plain note that it
 * cannot be shown again. `onDone` forgets it (the console keeps no copy).
 */
export function SecretOnce({ secret, title, note, onDone }: { secret: string; title: string; note: string; onDone: () => void }) {
  const [copied, setCopied] = useState<string | undefined>();
  const heading = useRef<HTMLHeadingElement>(null);
  // Shown after a form or a confirmation: the focus moves here, so a screen reader reads the
  // heading, then the note that it is shown once, and the next Tab reaches the secret.
  useEffect(() => heading.current?.focus(), []);
  return (
    <section class="secret" aria-labelledby="secret-title" aria-describedby="secret-once-note">
      <h2 id="secret-title" tabIndex={-1} ref={heading}>
        {title}
      </h2>
      <p id="secret-once-note">
        <strong>Shown only now.</strong> {note}
      </p>
      <div class="secret-value">
        <label for="secret-value">Signing secret</label>
        <input
          id="secret-value"
          readOnly
          value={secret}
          spellcheck={false}
          autoComplete="off"
          onFocus={(event) => (event.target as HTMLInputElement).select()}
        />
      </div>
      <div class="row-actions">
        <button
          type="button"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(secret);
              setCopied('Copied to the clipboard.');
            } catch {
              setCopied('The browser did not allow copying: select the secret and copy it by hand.');
            }
          }}
        >
          Copy secret
        </button>
        <button type="button" class="quiet" onClick={onDone}>
          I have stored the secret
        </button>
      </div>
      <p role="status" class="muted">
        {copied ?? ''}
      </p>
    </section>
  );
}
