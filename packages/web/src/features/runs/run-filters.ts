import type { RunsFilter } from '../../api/endpoints';
import { rangeBounds, readDateRange, type DateRange } from '../../ui/date-range';

export interface RunsQuery {
  agent: string;
  status: string;
  source: string;
  range: DateRange;
  from: string;
  to: string;
  page: number;
}

export const PAGE_SIZE = 50;

/** Reads the runs list's filters from the URL, so a filtered list is a link. */
export function readRunsQuery(search: string): RunsQuery {
  const params = new URLSearchParams(search);
  return {
    agent: params.get('agent') ?? '',
    status: params.get('status') ?? '',
    source: params.get('source') ?? '',
    range: readDateRange(params.get('range')),
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
  Object.assign(filter, rangeBounds(query.range, query.from, query.to, now));
  return filter;
}
