import type { ComponentChildren } from 'preact';

/** A form control with its label tied to it by id (the label holds only its own text). */
export function Field({
  id,
  label,
  children,
}: {
  id: string;
  label: string;
  children: ComponentChildren;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
    </div>
  );
}
