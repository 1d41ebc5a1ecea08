import type { ComponentChildren } from 'preact';

interface FormPanelProps {
  /** The form's accessible name. */
  label: string;
  title: ComponentChildren;
  hint?: string;
  submitLabel: string;
  busy: boolean;
  onSubmit: () => void;
  onCancel: () => void;
  children: ComponentChildren;
}

/** A create or edit form in a panel: a title, a hint, a grid of fields, submit and cancel. */
export function FormPanel({
  label,
  title,
  hint,
  submitLabel,
  busy,
  onSubmit,
  onCancel,
  children,
}: FormPanelProps) {
  return (
    <form
      class="panel"
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      <h2>{title}</h2>
      {hint ? <p class="hint">{hint}</p> : null}
      <div class="form-grid">{children}</div>
      <div class="actions">
        <button type="submit" disabled={busy}>
          {submitLabel}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
