import { Field } from './field';

/** What a form's fields are bound to: a value per name, and a setter per name. */
export type Setter<T> = (name: keyof T & string) => (event: Event) => void;

/** `set('field')`: an input's handler that writes its text into that field of the form. */
export function fieldSetter<T>(form: T, setForm: (next: T) => void): Setter<T> {
  return (name) => (event) =>
    setForm({ ...form, [name]: (event.target as HTMLInputElement).value });
}

interface InputProps {
  id: string;
  label: string;
  value: string;
  onInput: (event: Event) => void;
  type?: 'text' | 'number';
  /** For numbers: `whole` steps by 1 from 1; `money` any positive amount. */
  numeric?: 'whole' | 'money';
  pattern?: string;
  required?: boolean;
}

/** One labelled input row of a form (the label tied to the input by id). */
export function InputField({ id, label, value, onInput, numeric, pattern, required }: InputProps) {
  return (
    <Field id={id} label={label}>
      <input
        id={id}
        value={value}
        onInput={onInput}
        pattern={pattern}
        required={required}
        {...(numeric === 'whole' && { type: 'number', min: '1', step: '1' })}
        {...(numeric === 'money' && { type: 'number', min: '0.000001', step: 'any' })}
      />
    </Field>
  );
}

export function SelectField({
  id,
  label,
  value,
  onChange,
  options,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (event: Event) => void;
  options: { value: string; label: string }[];
}) {
  return (
    <Field id={id} label={label}>
      <select id={id} value={value} onChange={onChange}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

export interface BudgetForm {
  budgetUsd: string;
  budgetPeriod: string;
}

const PERIODS = [
  { value: 'monthly', label: 'monthly' },
  { value: 'daily', label: 'daily' },
];

/** A group of fields writing into one form; `prefix` keeps their element ids apart. */
export interface FieldGroupProps<T> {
  form: T;
  set: Setter<T>;
  prefix: string;
}

/** A budget's amount and period (virtual keys and teams). */
export function BudgetFields<T extends BudgetForm>({ form, set, prefix }: FieldGroupProps<T>) {
  return (
    <>
      <InputField
        id={`${prefix}-budget`}
        label="Budget (USD)"
        numeric="money"
        value={form.budgetUsd}
        onInput={set('budgetUsd')}
      />
      <SelectField
        id={`${prefix}-period`}
        label="Budget period"
        value={form.budgetPeriod}
        onChange={set('budgetPeriod')}
        options={PERIODS}
      />
    </>
  );
}

/** A budget body from the form: blank is no budget (null, which on an edit removes it). */
export function budgetBody(form: BudgetForm) {
  return form.budgetUsd.trim() ? { usd: Number(form.budgetUsd), period: form.budgetPeriod } : null;
}
