import type { RunsFilter } from '../../api/endpoints';

export type RangeKey = 'all' | '24h' | '7d' | '30d' | 'custom';

export interface RunsQuery {
  agent: string;
  status: string;
  source: string;
  range: RangeKey;
  from: string;
  to: string;
  page: number;
}

export const PAGE_SIZE = 50;
const HOUR = 3_600_000;
const RANGE_MS: Partial<Record<RangeKey, number>> = { '24h': 24 * HOUR, '7d': 7 * 24 * HOUR, '30d': 30 * 24 * HOUR };

/** Reads the runs list's filters from the URL, so a filtered list is a link. */
export function readRunsQuery(search: string): RunsQuery {
  const params = new URLSearchParams(search);
  const range = params.get('range');
  return {
    agent: params.get('agent') ?? '',
    status: params.get('status') ?? '',
    source: params.get('source') ?? '',
    range: range === '24h' || range === '7d' || range === '30d' || range === 'custom' ? range : 'all',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    page: Math.max(0, Number(params.get('page') ?? 0) || 0),
  };
}

/** Turns the filters into API parameters; custom dates are whole local days, `to` inclusive. */
export function toRunsFilter(query: RunsQuery, now = Date.now()): RunsFilter {
  const filter: RunsFilter = { limit: PAGE_SIZE, offset: query.page * PAGE_SIZE };
  if (query.agent) filter.agent = query.agent;
  if (query.status) filter.status = query.status;
  if (query.source) filter.source = query.source;
  const span = RANGE_MS[query.range];
  if (span !== undefined) filter.since = new Date(now - span).toISOString();
  if (query.range === 'custom') {
    if (query.from) filter.since = new Date(`${query.from}T00:00:00`).toISOString();
    if (query.to) filter.until = new Date(new Date(`${query.to}T00:00:00`).getTime() + 24 * HOUR - 1).toISOString();
  }
  return filter;
}
