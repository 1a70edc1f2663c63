/** The date filter of a list: a recent window, a custom span of whole days, or any time. */
export type DateRange = 'all' | '24h' | '7d' | '30d' | 'custom';

const HOUR = 3_600_000;
const RANGE_MS: Partial<Record<DateRange, number>> = { '24h': 24 * HOUR, '7d': 7 * 24 * HOUR, '30d': 30 * 24 * HOUR };

/** The range a URL's `range` parameter names; anything else is any time. */
export function readDateRange(value: string | null): DateRange {
  return value === '24h' || value === '7d' || value === '30d' || value === 'custom' ? value : 'all';
}

/** The API's `since`/`until` for a range; custom dates (`YYYY-MM-DD`) are whole local days, `to` inclusive. */
export function rangeBounds(range: DateRange, from: string, to: string, now = Date.now()): { since?: string; until?: string } {
  const bounds: { since?: string; until?: string } = {};
  const span = RANGE_MS[range];
  if (span !== undefined) bounds.since = new Date(now - span).toISOString();
  if (range === 'custom') {
    if (from) bounds.since = new Date(`${from}T00:00:00`).toISOString();
    if (to) bounds.until = new Date(new Date(`${to}T00:00:00`).getTime() + 24 * HOUR - 1).toISOString();
  }
  return bounds;
}
