import { useMemo } from 'react';
import { api } from '../../api/endpoints';
import type { CompareRuns, ResultChange, RunSummary } from '../../api/types';
import { Link, paths, setSearchParams, useLocation } from '../../app/router';
import { PatternBadge, VerdictBadge } from '../../ui/badges';
import { Empty, ErrorBox, Loading } from '../../ui/feedback';
import { formatDate, formatPercent, formatSigned, humanize } from '../../ui/format';
import { useAsync } from '../../ui/use-async';

const STATUS_ORDER: ResultChange[] = [
  'regression',
  'fix',
  'behavior_drift',
  'still_failing',
  'still_passing',
  'added',
  'removed',
  'unknown',
];
const STATUS_TEXT: Record<ResultChange, string> = {
  regression: 'Regressions',
  fix: 'Fixes',
  behavior_drift: 'Behavior drift',
  still_failing: 'Still failing',
  still_passing: 'Still passing',
  added: 'Added',
  removed: 'Removed',
  unknown: 'Unknown',
};

async function load(base: string, head: string): Promise<{ compare: CompareRuns; base: RunSummary; head: RunSummary }> {
  const [compare, baseRun, headRun] = await Promise.all([
    api.compareRuns(base, head),
    api.getRun(base, { limit: 1 }),
    api.getRun(head, { limit: 1 }),
  ]);
  return { compare, base: compare.base ?? baseRun.run, head: compare.head ?? headRun.run };
}

export function CompareRunsPage({ base, head }: { base: string; head: string }) {
  const location = useLocation();
  const filter = new URLSearchParams(location.search).get('status') ?? '';
  const data = useAsync(() => load(base, head), [base, head]);
  const results = data.data?.compare.results;
  const shown = useMemo(() => (results ?? []).filter((r) => !filter || r.status === filter), [results, filter]);

  if (!base || !head) return <Empty>Pick two runs on the runs list (tick them) to compare them.</Empty>;
  if (data.status === 'error') return <ErrorBox error={data.error} onRetry={data.reload} />;
  if (data.status === 'loading') return <Loading label="Comparing runs…" />;
  const { compare } = data.data;
  const counts = compare.counts;
  return (
    <div className="page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to={paths.runs()}>Test runs</Link> <span aria-hidden="true">/</span> <span>Compare runs</span>
      </nav>
      <div className="page-head">
        <h1>Compare runs</h1>
        <div className="actions">
          <Link className="btn" to={paths.compareRuns(head, base)}>
            Swap base and head
          </Link>
        </div>
      </div>
      <div className="compare-sides">
        <RunCard label="Base" run={data.data.base} />
        <RunCard label="Head" run={data.data.head} />
      </div>
      <dl className="deltas">
        <div className="delta">
          <dt>Pass rate</dt>
          <dd>
            {formatPercent(compare.pass_rate.a)} → {formatPercent(compare.pass_rate.b)}{' '}
            <span className={compare.pass_rate.delta ? (compare.pass_rate.delta < 0 ? 'delta-up' : 'delta-down') : 'muted'}>
              ({formatSigned(compare.pass_rate.delta === null ? null : compare.pass_rate.delta * 100, (n) => `${n.toFixed(0)} pts`)})
            </span>
          </dd>
        </div>
        {compare.patterns
          .filter((p) => p.delta !== 0)
          .map((p) => (
            <div className="delta" key={p.pattern}>
              <dt>
                <PatternBadge pattern={p.pattern} />
              </dt>
              <dd>
                {p.base} → {p.head} <span className={p.delta > 0 ? 'delta-up' : 'delta-down'}>({formatSigned(p.delta, String)})</span>
              </dd>
            </div>
          ))}
      </dl>
      <div className="chips" role="group" aria-label="Filter by change">
        <button type="button" className={`chip ${filter === '' ? 'is-on' : ''}`} onClick={() => setSearchParams({ status: undefined })}>
          All {compare.results.length}
        </button>
        {STATUS_ORDER.filter((s) => (counts[s] ?? 0) > 0).map((s) => (
          <button
            key={s}
            type="button"
            className={`chip status-${s} ${filter === s ? 'is-on' : ''}`}
            onClick={() => setSearchParams({ status: s })}
          >
            {STATUS_TEXT[s]} {counts[s]}
          </button>
        ))}
      </div>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th>Scenario</th>
              <th>Change</th>
              <th>Base</th>
              <th>Head</th>
              <th>Tool path</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={`${r.scenario_id}#${r.occurrence}`} data-scenario={r.scenario_id} data-status={r.status}>
                <td>
                  <Link to={paths.scenario(r.scenario_id)} className="strong">
                    {r.scenario_id}
                  </Link>
                </td>
                <td>
                  <span className={`badge status-${r.status}`}>{humanize(r.status)}</span>
                </td>
                <td>
                  {r.base ? (
                    <Link to={paths.trace(r.base.trace_id)}>
                      <VerdictBadge verdict={r.base.verdict} />
                    </Link>
                  ) : (
                    <span className="muted">—</span>
                  )}
                  {r.base?.patterns.map((p) => (
                    <PatternBadge key={p} pattern={p} />
                  ))}
                </td>
                <td>
                  {r.head ? (
                    <Link to={paths.trace(r.head.trace_id)}>
                      <VerdictBadge verdict={r.head.verdict} />
                    </Link>
                  ) : (
                    <span className="muted">—</span>
                  )}
                  {r.head?.patterns.map((p) => (
                    <PatternBadge key={p} pattern={p} />
                  ))}
                </td>
                <td className="mono small tool-path">
                  {r.tool_path_changed && r.base && r.head ? (
                    <>
                      <del>{r.base.tool_path.join(' → ') || 'no tools'}</del>
                      <br />
                      <ins>{r.head.tool_path.join(' → ') || 'no tools'}</ins>
                    </>
                  ) : (
                    (r.head ?? r.base)?.tool_path.join(' → ')
                  )}
                </td>
                <td>
                  {r.base && r.head && (
                    <Link className="btn btn-small" to={paths.compareTraces(r.base.trace_id, r.head.trace_id)}>
                      Compare traces
                    </Link>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function RunCard({ label, run }: { label: string; run: RunSummary }) {
  return (
    <div className="side-card">
      <span className={`side-label side-${label === 'Base' ? 'a' : 'b'}`}>{label}</span>
      <div>
        <Link to={paths.run(run.id)} className="strong">
          {run.name ?? run.id}
        </Link>
        <div className="muted small">
          {run.agent_name} · {formatDate(run.created_at)} · {run.passed}/{run.total} passed
        </div>
      </div>
    </div>
  );
}
