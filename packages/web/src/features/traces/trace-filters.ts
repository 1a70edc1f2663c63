import { rangeBounds, readDateRange, type DateRange } from '../../ui/date-range';

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
  range: DateRange;
  from: string;
  to: string;
}

export const TRACE_FILTER_KEYS = ['q', 'agent', 'scenario', 'run', 'verdict', 'pattern', 'tool', 'model'] as const;
export const TRACES_PAGE_SIZE = 50;

export function readTracesQuery(search: string): TracesQuery {
  const params = new URLSearchParams(search);
  const text = (key: string) => (params.get(key) ?? '').trim();
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
    range: readDateRange(params.get('range')),
    from: text('from'),
    to: text('to'),
  };
}

/** API parameters of `GET /api/v1/traces` for the filters; custom dates are whole local days, `to` inclusive. */
export function toTracesParams(query: TracesQuery, now = Date.now()): Record<string, string | number> {
  const params: Record<string, string | number> = { limit: TRACES_PAGE_SIZE };
  for (const key of TRACE_FILTER_KEYS) if (query[key] !== '') params[key] = query[key];
  Object.assign(params, rangeBounds(query.range, query.from, query.to, now));
  return params;
}

/** Whether any filter narrows the list (the empty state then says "no trace matches", not "no traces"). */
export function isFiltered(query: TracesQuery): boolean {
  return TRACE_FILTER_KEYS.some((key) => query[key] !== '') || query.range !== 'all';
}
