import { useMemo, useState } from 'react';
import { api } from '../../api/endpoints';
import type { RunSummary } from '../../api/types';
import { Link, navigate, paths, setSearchParams, useLocation } from '../../app/router';
import { PatternBadge } from '../../ui/badges';
import { Empty, ErrorBox, Loading } from '../../ui/feedback';
import { formatDate, formatPercent, formatWhen } from '../../ui/format';
import { useAsync } from '../../ui/use-async';
import { FindingsChart, PassRateChart } from './RunCharts';
import { PAGE_SIZE, readRunsQuery, toRunsFilter } from './run-filters';
import { DateRangeFilter } from '../../ui/DateRangeFilter';

export function RunsPage() {
  const location = useLocation();
  const q = readRunsQuery(location.search);
  const filter = useMemo(() => toRunsFilter(q), [location.search]); // eslint-disable-line react-hooks/exhaustive-deps -- q is parsed anew each render; the search string is its identity
  const runs = useAsync(() => api.listRuns(filter), [JSON.stringify(filter)]);
  // Agents and sources for the filter menus, from recent runs regardless of the current filter.
  const facets = useAsync(() => api.listRuns({ limit: 500 }), []);
  const [picked, setPicked] = useState<string[]>([]);

  const agents = useMemo(() => [...new Set((facets.data?.runs ?? []).map((r) => r.agent_name))].sort(), [facets.data]);
  const sources = useMemo(() => [...new Set((facets.data?.runs ?? []).flatMap((r) => (r.source ? [r.source] : [])))].sort(), [facets.data]);

  const set = (update: Record<string, string | undefined>) => setSearchParams({ ...update, page: undefined });
  const togglePick = (id: string) =>
    setPicked((current) => (current.includes(id) ? current.filter((x) => x !== id) : [...current.slice(-1), id]));
  const compare = () => {
    const chosen = picked.map((id) => runs.data?.runs.find((r) => r.id === id)).filter((r): r is RunSummary => r !== undefined);
    if (chosen.length !== 2) return;
    const [older, newer] = chosen.sort((x, y) => Date.parse(x.created_at) - Date.parse(y.created_at));
    if (older && newer) navigate(paths.compareRuns(older.id, newer.id));
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>Test runs</h1>
        {runs.data && <span className="muted">{runs.data.total} runs</span>}
      </div>

      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter runs">
        <label>
          Agent
          <select value={q.agent} onChange={(e) => set({ agent: e.target.value })}>
            <option value="">All agents</option>
            {agents.map((a) => (
              <option key={a}>{a}</option>
            ))}
            {q.agent && !agents.includes(q.agent) && <option>{q.agent}</option>}
          </select>
        </label>
        <DateRangeFilter range={q.range} from={q.from} to={q.to} onChange={set} />
        <label>
          Status
          <select value={q.status} onChange={(e) => set({ status: e.target.value })}>
            <option value="">Any status</option>
            <option value="passed">All passed</option>
            <option value="failed">Has failures</option>
            <option value="empty">Empty</option>
          </select>
        </label>
        <label>
          Source
          <select value={q.source} onChange={(e) => set({ source: e.target.value })}>
            <option value="">Any source</option>
            {sources.map((s) => (
              <option key={s}>{s}</option>
            ))}
            {q.source && !sources.includes(q.source) && <option>{q.source}</option>}
          </select>
        </label>
        <div className="filters-end">
          <button
            type="button"
            className="btn btn-primary"
            disabled={picked.length !== 2}
            onClick={compare}
            title="Tick two runs to compare them"
          >
            Compare {picked.length === 2 ? 'the 2 runs' : `runs (${picked.length}/2)`}
          </button>
        </div>
      </form>

      {runs.status === 'error' && <ErrorBox error={runs.error} onRetry={runs.reload} />}
      {runs.status === 'loading' && <Loading />}
      {runs.data && (
        <>
          <section className="charts" aria-label="Charts">
            <PassRateChart runs={runs.data.runs} />
            <FindingsChart runs={runs.data.runs} />
          </section>
          {runs.data.runs.length === 0 ? (
            <Empty>
              No test runs match. Sync results with <code>stepwise sync</code>, the SDK, or the MCP tool <code>sync_results</code>.
            </Empty>
          ) : (
            <RunsTable runs={runs.data.runs} picked={picked} onPick={togglePick} />
          )}
          <Pager total={runs.data.total} page={q.page} />
        </>
      )}
    </div>
  );
}

function RunsTable({ runs, picked, onPick }: { runs: RunSummary[]; picked: string[]; onPick: (id: string) => void }) {
  return (
    <div className="table-wrap">
      <table className="table runs-table">
        <thead>
          <tr>
            <th className="col-pick">
              <span className="sr-only">Pick to compare</span>
            </th>
            <th>Run</th>
            <th>Agent</th>
            <th>Source</th>
            <th>When</th>
            <th className="num">Cases</th>
            <th className="num">Passed</th>
            <th className="num">Failed</th>
            <th>Pass rate</th>
            <th>Findings</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} data-run-id={run.id}>
              <td className="col-pick">
                <input
                  type="checkbox"
                  aria-label={`Pick ${run.name ?? run.id} to compare`}
                  checked={picked.includes(run.id)}
                  onChange={() => onPick(run.id)}
                />
              </td>
              <td className="cell-wide">
                <Link to={paths.run(run.id)} className="strong">
                  {run.name ?? run.id}
                </Link>
                {run.is_demo && <span className="badge badge-muted">demo</span>}
                <div className="muted small mono">{run.id}</div>
              </td>
              <td data-label="Agent">{run.agent_name}</td>
              <td data-label="Source">{run.source ?? '—'}</td>
              <td data-label="When" title={`Ran ${formatDate(run.started_at ?? run.created_at)}; synced ${formatDate(run.created_at)}`}>
                {formatWhen(run.started_at ?? run.created_at)}
              </td>
              <td className="num" data-label="Cases">
                {run.total}
              </td>
              <td className="num ok-text" data-label="Passed">
                {run.passed}
              </td>
              <td className={`num ${run.failed > 0 ? 'fail-text' : ''}`} data-label="Failed">
                {run.failed}
              </td>
              <td data-label="Pass rate">
                <RateBar rate={run.pass_rate} />
              </td>
              <td className="badges cell-wide" data-label="Findings">
                {Object.entries(run.findings_by_pattern)
                  .sort((a, b) => b[1] - a[1])
                  .map(([pattern, count]) => (
                    <PatternBadge key={pattern} pattern={pattern} count={count} disputed={run.disputed_by_pattern?.[pattern] ?? 0} />
                  ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function RateBar({ rate }: { rate: number | null }) {
  return (
    <span className="rate">
      <span className="rate-track" aria-hidden="true">
        <span className="rate-fill" style={{ width: `${(rate ?? 0) * 100}%` }} />
      </span>
      <span className="rate-text">{formatPercent(rate)}</span>
    </span>
  );
}

function Pager({ total, page }: { total: number; page: number }) {
  const pages = Math.ceil(total / PAGE_SIZE);
  if (pages <= 1) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button
        type="button"
        className="btn"
        disabled={page === 0}
        onClick={() => setSearchParams({ page: page - 1 > 0 ? String(page - 1) : undefined })}
      >
        ← Newer
      </button>
      <span className="muted">
        Page {page + 1} of {pages}
      </span>
      <button type="button" className="btn" disabled={page + 1 >= pages} onClick={() => setSearchParams({ page: String(page + 1) })}>
        Older →
      </button>
    </nav>
  );
}
