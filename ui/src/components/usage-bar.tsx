/** A used/limit bar with its numbers in text; amber from 80 %, red when full. */
export function UsageBar({
  label,
  used,
  limit,
  format = String,
}: {
  label: string;
  used: number;
  limit: number | null;
  format?: (n: number) => string;
}) {
  if (limit === null) return <span class="hint">{format(used)} (no limit)</span>;
  const share = limit > 0 ? Math.min(1, used / limit) : 1;
  const level = share >= 1 ? 'full' : share >= 0.8 ? 'warn' : '';
  return (
    <span class="usage">
      <span
        class={`meter ${level}`}
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={limit}
        aria-valuenow={Math.min(used, limit)}
        aria-valuetext={`${format(used)} of ${format(limit)}`}
      >
        <span style={{ width: `${share * 100}%` }} />
      </span>
      <span class="usage-text">
        {format(used)} / {format(limit)}
      </span>
    </span>
  );
}
