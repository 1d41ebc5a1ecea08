import { useState } from 'preact/hooks';

/** A new key, shown this once with a copy button; the gateway keeps only its digest. */
export function SecretOnce({
  title,
  value,
  onDone,
}: {
  title: string;
  value: string;
  onDone: () => void;
}) {
  const [copied, setCopied] = useState<string>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('Copied to the clipboard.');
    } catch {
      // No clipboard access (an insecure origin, a denied permission): select it for Ctrl+C.
      (document.getElementById('new-secret') as HTMLInputElement | null)?.select();
      setCopied('Selected: press Ctrl+C (or ⌘C) to copy.');
    }
  };
  return (
    <section
      class="panel secret"
      role="alertdialog"
      aria-labelledby="secret-title"
      aria-describedby="secret-note"
    >
      <h2 id="secret-title">{title}</h2>
      <p id="secret-note">
        This is the only time the key is shown: the gateway keeps only its digest. Copy it now.
      </p>
      <div class="secret-row">
        <label for="new-secret" class="visually-hidden">
          New key
        </label>
        <input
          id="new-secret"
          readOnly
          value={value}
          data-testid="new-secret"
          onFocus={(e) => (e.target as HTMLInputElement).select()}
        />
        <button type="button" onClick={copy}>
          Copy
        </button>
      </div>
      <p role="status" aria-live="polite" class="hint">
        {copied}
      </p>
      <button type="button" class="primary" onClick={onDone}>
        I have copied it
      </button>
    </section>
  );
}
