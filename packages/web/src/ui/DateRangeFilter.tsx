import type { DateRange } from './date-range';

/** The Date filter of a list page: a window, or From/To day pickers when the range is custom. */
export function DateRangeFilter({
  range,
  from,
  to,
  onChange,
}: {
  range: DateRange;
  from: string;
  to: string;
  /** Called with the URL parameters to change (`range` undefined for any time). */
  onChange: (update: { range?: DateRange; from?: string; to?: string }) => void;
}) {
  return (
    <>
      <label>
        Date
        <select value={range} onChange={(e) => onChange({ range: e.target.value === 'all' ? undefined : (e.target.value as DateRange) })}>
          <option value="all">Any time</option>
          <option value="24h">Last 24 hours</option>
          <option value="7d">Last 7 days</option>
          <option value="30d">Last 30 days</option>
          <option value="custom">Custom range…</option>
        </select>
      </label>
      {range === 'custom' && (
        <>
          <label>
            From
            <input type="date" value={from} onChange={(e) => onChange({ from: e.target.value })} />
          </label>
          <label>
            To
            <input type="date" value={to} onChange={(e) => onChange({ to: e.target.value })} />
          </label>
        </>
      )}
    </>
  );
}
