export type TraceRange = 'all' | '24h' | '7d' | '30d' | 'custom';

/** The Traces page's filters, as the URL holds them (a filtered list is a link). */
export interface TracesQuery {
  q: string;
  agent: string;
  scenario: string;
  /** A run id, `none` (traces in no run), or empty for any. */
  run: string;
  verdict: string;
  pattern: string;
  tool: string;
  model: string;
  range: TraceRange;
  from: string;
  to: string;
}

export const TRACE_FILTER_KEYS = ['q', 'agent', 'scenario', 'run', 'verdict', 'pattern', 'tool', 'model'] as const;
export const TRACES_PAGE_SIZE = 50;
const HOUR = 3_600_000;
const RANGE_MS: Partial<Record<TraceRange, number>> = { '24h': 24 * HOUR, '7d': 7 * 24 * HOUR, '30d': 30 * 24 * HOUR };

export function readTracesQuery(search: string): TracesQuery {
  const params = new URLSearchParams(search);
  const text = (key: string) => (params.get(key) ?? '').trim();
  const range = params.get('range');
  const verdict = text('verdict');
  return {
    q: text('q'),
    agent: text('agent'),
    scenario: text('scenario'),
    run: text('run'),
    verdict: verdict === 'passed' || verdict === 'failed' ? verdict : '',
    pattern: text('pattern'),
    tool: text('tool'),
    model: text('model'),
    range: range === '24h' || range === '7d' || range === '30d' || range === 'custom' ? range : 'all',
    from: text('from'),
    to: text('to'),
  };
}

/** API parameters of `GET /api/v1/traces` for the filters; custom dates are whole local days, `to` inclusive. */
export function toTracesParams(query: TracesQuery, now = Date.now()): Record<string, string | number> {
  const params: Record<string, string | number> = { limit: TRACES_PAGE_SIZE };
  for (const key of TRACE_FILTER_KEYS) if (query[key] !== '') params[key] = query[key];
  const span = RANGE_MS[query.range];
  if (span !== undefined) params.since = new Date(now - span).toISOString();
  if (query.range === 'custom') {
    if (query.from) params.since = new Date(`${query.from}T00:00:00`).toISOString();
    if (query.to) params.until = new Date(new Date(`${query.to}T00:00:00`).getTime() + 24 * HOUR - 1).toISOString();
  }
  return params;
}

/** Whether any filter narrows the list (the empty state then says "no trace matches", not "no traces"). */
export function isFiltered(query: TracesQuery): boolean {
  return TRACE_FILTER_KEYS.some((key) => query[key] !== '') || query.range !== 'all';
}
