import { FINDING_PATTERNS, parseSearchTerms } from '@stepwise/core';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../../api/endpoints';
import type { TraceSummary } from '../../api/types';
import { Link, paths, setSearchParams, useLocation } from '../../app/router';
import { PatternBadge, VerdictBadge } from '../../ui/badges';
import { Empty, ErrorBox, Loading } from '../../ui/feedback';
import { formatDate, formatDuration, formatWhen, humanize } from '../../ui/format';
import { Highlighted } from '../../ui/Highlighted';
import { ToolPath } from '../../ui/ToolPath';
import { useAsync } from '../../ui/use-async';
import { isFiltered, readTracesQuery, toTracesParams } from './trace-filters';
import { DateRangeFilter } from '../../ui/DateRangeFilter';

/** Every trace of the workspace, in runs or not, with filters and full-text search. */
export function TracesPage() {
  const location = useLocation();
  const query = useMemo(() => readTracesQuery(location.search), [location.search]);
  const params = useMemo(() => toTracesParams(query), [query]);
  const [more, setMore] = useState<{ traces: TraceSummary[]; cursor: string | null } | null>(null);
  const first = useAsync(() => api.listTraces(params), [JSON.stringify(params)]);
  const facets = useAsync(() => api.listRuns({ limit: 500 }), []);
  const agents = useMemo(() => [...new Set((facets.data?.runs ?? []).map((r) => r.agent_name))].sort(), [facets.data]);
  const [text, setText] = useState(query.q);
  useEffect(() => setText(query.q), [query.q]);
  useEffect(() => setMore(null), [first.data]);

  const set = (update: Record<string, string | undefined>) => setSearchParams(update);
  const traces = [...(first.data?.traces ?? []), ...(more?.traces ?? [])];
  const cursor = more ? more.cursor : (first.data?.next_cursor ?? null);
  const loadMore = async () => {
    if (!cursor) return;
    const page = await api.listTraces({ ...params, cursor });
    setMore({ traces: [...(more?.traces ?? []), ...page.traces], cursor: page.next_cursor });
  };
  const terms = useMemo(() => parseSearchTerms(query.q), [query.q]);

  return (
    <div className="page">
      <div className="page-head">
        <h1>Traces</h1>
        {first.data && (
          <span className="muted">
            {traces.length}
            {cursor ? '+' : ''} trace{traces.length === 1 ? '' : 's'}
          </span>
        )}
      </div>
      <form
        className="search-bar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          set({ q: text.trim() || undefined });
        }}
      >
        <input
          type="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder='Search messages and tool data, e.g. "3-year warranty"'
          aria-label="Search traces"
        />
        <button type="submit" className="btn btn-primary">
          Search
        </button>
      </form>
      <p className="muted small">
        Search reads the stored text, after redaction: a redacted value is found by its placeholder (e.g. EMAIL_1).
      </p>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter traces">
        <label>
          Agent
          <select value={query.agent} onChange={(e) => set({ agent: e.target.value })}>
            <option value="">All agents</option>
            {agents.map((a) => (
              <option key={a}>{a}</option>
            ))}
            {query.agent && !agents.includes(query.agent) && <option>{query.agent}</option>}
          </select>
        </label>
        <label>
          Run
          <select
            value={query.run === 'none' || query.run === '' ? query.run : 'id'}
            onChange={(e) => set({ run: e.target.value === 'id' ? query.run : e.target.value })}
          >
            <option value="">Any run</option>
            <option value="none">In no run</option>
            {query.run !== '' && query.run !== 'none' && <option value="id">{query.run}</option>}
          </select>
        </label>
        <label>
          Verdict
          <select value={query.verdict} onChange={(e) => set({ verdict: e.target.value })}>
            <option value="">Any verdict</option>
            <option value="failed">Failed</option>
            <option value="passed">Passed</option>
          </select>
        </label>
        <label>
          Pattern
          <select value={query.pattern} onChange={(e) => set({ pattern: e.target.value })}>
            <option value="">Any pattern</option>
            {FINDING_PATTERNS.map((p) => (
              <option key={p} value={p}>
                {humanize(p)}
              </option>
            ))}
          </select>
        </label>
        <TextFilter label="Scenario" value={query.scenario} onCommit={(scenario) => set({ scenario })} />
        <TextFilter label="Tool called" value={query.tool} onCommit={(tool) => set({ tool })} />
        <TextFilter label="Model" value={query.model} onCommit={(model) => set({ model })} />
        <DateRangeFilter range={query.range} from={query.from} to={query.to} onChange={set} />
      </form>

      {first.status === 'error' && <ErrorBox error={first.error} onRetry={first.reload} />}
      {first.status === 'loading' && <Loading />}
      {first.data &&
        (traces.length === 0 ? (
          <Empty>
            {isFiltered(query) ? 'No trace matches these filters.' : 'No traces yet. Sync results or post traces to see them here.'}
          </Empty>
        ) : (
          <ul className="trace-list" aria-label="Traces">
            {traces.map((t) => (
              <TraceItem key={t.id} trace={t} terms={terms} query={query.q} />
            ))}
          </ul>
        ))}
      {cursor && (
        <button type="button" className="btn" onClick={() => void loadMore()}>
          Load more
        </button>
      )}
    </div>
  );
}

function TraceItem({ trace: t, terms, query }: { trace: TraceSummary; terms: string[]; query: string }) {
  const at = t.match?.event_index ?? null;
  return (
    <li className="trace-item" data-trace-id={t.id}>
      <div className="trace-item-head">
        <VerdictBadge verdict={t.verdict} />
        <Link to={traceLink(t.id, at, query)} className="strong">
          {t.scenario_id}
        </Link>
        <span className="muted small" title={formatDate(t.timestamp)}>
          {formatWhen(t.timestamp)}
        </span>
      </div>
      <div className="trace-item-meta small muted">
        {t.agent_name} · {t.run_id ? <Link to={paths.run(t.run_id)}>run</Link> : 'no run'}
        {t.model ? ` · ${t.model}` : ''} · {formatDuration(t.duration_ms)} · {t.event_count} events
      </div>
      {t.match && (
        <Link to={traceLink(t.id, t.match.event_index, query)} className="trace-match" data-event={t.match.event_index}>
          <span className="muted small">event {t.match.event_index}</span> <Highlighted text={t.match.snippet} terms={terms} />
        </Link>
      )}
      <div className="trace-item-foot">
        <ToolPath path={t.tool_path} />
        {t.patterns.map((p) => (
          <PatternBadge key={p} pattern={p} />
        ))}
      </div>
    </li>
  );
}

/** A trace opened at an event; with a search, the search rides along so the timeline marks the match. */
function traceLink(id: string, event: number | null, q: string): string {
  const base = paths.trace(id);
  const search = q ? `?q=${encodeURIComponent(q)}` : '';
  return `${base}${search}${event !== null ? `#event-${event}` : ''}`;
}

/** A text filter that applies on Enter or when it loses focus, not on every keystroke. */
function TextFilter({ label, value, onCommit }: { label: string; value: string; onCommit: (value: string | undefined) => void }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const commit = () => {
    if (draft.trim() !== value) onCommit(draft.trim() || undefined);
  };
  return (
    <label>
      {label}
      <input
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
        placeholder="any"
      />
    </label>
  );
}
