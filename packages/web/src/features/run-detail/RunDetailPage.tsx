import { useMemo, useState } from 'react';
import { ToolPath } from '../../ui/ToolPath';
import { Cost } from '../../ui/Cost';
import { api, exportRun } from '../../api/endpoints';
import type { RunSummary, TraceSummary } from '../../api/types';
import { Link, navigate, paths, setSearchParams, useLocation } from '../../app/router';
import { isPassingFailure, PassingFailureMark, PatternBadge, ReportedBadge, VerdictBadge } from '../../ui/badges';
import { ConfirmButton, Empty, ErrorBox, Loading } from '../../ui/feedback';
import { formatDate, formatDuration, formatNumber, humanize } from '../../ui/format';
import { useAsync } from '../../ui/use-async';
import { canWrite, useSession } from '../auth/session';
import { RateBar } from '../runs/RunsPage';

const RESULTS_PAGE = 500;
const SHOWN_STEP = 200;

/** Every result of a run (the API pages them; runs are read whole so filters and counts are exact). */
async function loadRun(id: string): Promise<{ run: RunSummary; results: TraceSummary[]; previous: RunSummary | null }> {
  const first = await api.getRun(id, { limit: RESULTS_PAGE });
  const results = [...first.results];
  while (results.length < first.total) {
    const next = await api.getRun(id, { limit: RESULTS_PAGE, offset: results.length });
    if (next.results.length === 0) break;
    results.push(...next.results);
  }
  // The run before this one of the same agent, for "compare with previous".
  const earlier = await api.listRuns({ agent: first.run.agent_name, until: first.run.created_at, limit: 5 });
  const previous = earlier.runs.find((r) => r.id !== id && Date.parse(r.created_at) <= Date.parse(first.run.created_at)) ?? null;
  return { run: first.run, results, previous };
}

export function RunDetailPage({ id }: { id: string }) {
  const { state } = useSession();
  const location = useLocation();
  const params = new URLSearchParams(location.search);
  const verdict = params.get('verdict') ?? '';
  const pattern = params.get('pattern') ?? '';
  const data = useAsync(() => loadRun(id), [id]);
  const [picked, setPicked] = useState<string[]>([]);
  const [shown, setShown] = useState(SHOWN_STEP);

  const results = data.data?.results;
  const patterns = useMemo(() => [...new Set((results ?? []).flatMap((r) => r.patterns))].sort(), [results]);
  const filtered = useMemo(
    () =>
      (results ?? []).filter((r) => {
        if (verdict === 'passing_failure') return isPassingFailure(r);
        if (verdict && r.verdict !== verdict) return false;
        if (pattern && !r.patterns.includes(pattern)) return false;
        return true;
      }),
    [results, verdict, pattern],
  );

  if (data.status === 'error') return <ErrorBox error={data.error} onRetry={data.reload} />;
  if (data.status === 'loading') return <Loading />;
  const { run, previous } = data.data;
  const passingFailures = data.data.results.filter(isPassingFailure).length;
  const togglePick = (traceId: string) =>
    setPicked((current) => (current.includes(traceId) ? current.filter((x) => x !== traceId) : [...current.slice(-1), traceId]));

  return (
    <div className="page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to={paths.runs()}>Test runs</Link> <span aria-hidden="true">/</span> <span>{run.name ?? run.id}</span>
      </nav>
      <div className="page-head">
        <h1>{run.name ?? run.id}</h1>
        <div className="actions">
          {previous && (
            <Link className="btn" to={paths.compareRuns(previous.id, run.id)} title={`Compare with ${previous.name ?? previous.id}`}>
              Compare with previous run
            </Link>
          )}
          <button type="button" className="btn" onClick={() => void exportRun(run.id)}>
            Export JSON
          </button>
          {canWrite(state) && (
            <ConfirmButton
              label="Delete run"
              title="Delete this run?"
              body={
                <p>
                  This deletes the run <strong>{run.name ?? run.id}</strong> and its {run.total} traces. It cannot be undone.
                </p>
              }
              confirmLabel="Delete run"
              onConfirm={async () => {
                await api.deleteRun(run.id);
                navigate(paths.runs(), { replace: true });
              }}
            />
          )}
        </div>
      </div>
      <dl className="facts">
        <div>
          <dt>Agent</dt>
          <dd>{run.agent_name}</dd>
        </div>
        <div>
          <dt>Source</dt>
          <dd>{run.source ?? '—'}</dd>
        </div>
        <div>
          <dt>Ran</dt>
          <dd data-testid="run-span" title={`Synced ${formatDate(run.created_at)}`}>
            {run.started_at ? `${formatDate(run.started_at)} → ${run.ended_at ? formatDate(run.ended_at) : '?'}` : '—'}
          </dd>
        </div>
        <div>
          <dt>Synced</dt>
          <dd>{formatDate(run.created_at)}</dd>
        </div>
        <div>
          <dt>Cases</dt>
          <dd>
            {run.total} · <span className="ok-text">{run.passed} passed</span> ·{' '}
            <span className={run.failed ? 'fail-text' : ''}>{run.failed} failed</span>
            {run.unknown > 0 && ` · ${run.unknown} without verdict`}
          </dd>
        </div>
        <div>
          <dt>Pass rate</dt>
          <dd>
            <RateBar rate={run.pass_rate} />
          </dd>
        </div>
        {passingFailures > 0 && (
          <div>
            <dt>Passing failures</dt>
            <dd className="warn-text">{passingFailures}</dd>
          </div>
        )}
      </dl>

      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter test cases">
        <label>
          Verdict
          <select value={verdict} onChange={(e) => setSearchParams({ verdict: e.target.value })}>
            <option value="">All</option>
            <option value="failed">Failed</option>
            <option value="passed">Passed</option>
            <option value="passing_failure">Passing failures</option>
          </select>
        </label>
        <label>
          Pattern
          <select value={pattern} onChange={(e) => setSearchParams({ pattern: e.target.value })}>
            <option value="">Any pattern</option>
            {patterns.map((p) => (
              <option key={p} value={p}>
                {humanize(p)}
              </option>
            ))}
          </select>
        </label>
        <div className="filters-end">
          <button
            type="button"
            className="btn btn-primary"
            disabled={picked.length !== 2}
            onClick={() => picked[0] && picked[1] && navigate(paths.compareTraces(picked[0], picked[1]))}
          >
            Compare {picked.length === 2 ? 'the 2 traces' : `traces (${picked.length}/2)`}
          </button>
        </div>
      </form>

      {filtered.length === 0 ? (
        <Empty>No test cases match these filters.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table results-table">
            <thead>
              <tr>
                <th className="col-pick">
                  <span className="sr-only">Pick to compare</span>
                </th>
                <th>Test case</th>
                <th>Verdict</th>
                <th>Client reported</th>
                <th>Findings</th>
                <th>Tool path</th>
                <th className="num">Duration</th>
                <th className="num">Tokens</th>
                <th className="num">Cost</th>
              </tr>
            </thead>
            <tbody>
              {filtered.slice(0, shown).map((r) => (
                <tr
                  key={r.id}
                  data-trace-id={r.id}
                  data-scenario={r.scenario_id}
                  className={isPassingFailure(r) ? 'row-passing-failure' : ''}
                >
                  <td className="col-pick">
                    <input
                      type="checkbox"
                      aria-label={`Pick ${r.scenario_id} to compare`}
                      checked={picked.includes(r.id)}
                      onChange={() => togglePick(r.id)}
                    />
                  </td>
                  <td className="case-cell cell-wide">
                    <Link to={paths.trace(r.id)} className="strong">
                      {r.scenario_id}
                    </Link>{' '}
                    <Link to={paths.scenario(r.scenario_id)} className="small" title="This scenario across runs">
                      history
                    </Link>
                    {r.user_message && <div className="muted small clamp">{r.user_message}</div>}
                  </td>
                  <td data-label="Verdict">
                    <VerdictBadge verdict={r.verdict} />
                    {isPassingFailure(r) && <PassingFailureMark />}
                  </td>
                  <td data-label="Client reported">
                    <ReportedBadge reported={r.reported_passed} />
                  </td>
                  <td className="badges cell-wide" data-label="Findings">
                    {r.patterns
                      .filter((p) => p !== 'passing_failure')
                      .map((p) => (
                        <PatternBadge key={p} pattern={p} />
                      ))}
                  </td>
                  <td className="small cell-wide" data-label="Tool path">
                    <ToolPath path={r.tool_path} />
                  </td>
                  <td className="num" data-label="Duration">
                    {formatDuration(r.duration_ms)}
                  </td>
                  <td className="num" data-label="Tokens">
                    {formatNumber(r.tokens_total)}
                  </td>
                  <td className="num" data-label="Cost">
                    <Cost usd={r.cost_usd} estimated={r.cost_estimated} pricesSetAt={r.cost_prices_set_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {filtered.length > shown && (
            <button type="button" className="btn btn-link" onClick={() => setShown(shown + SHOWN_STEP * 5)}>
              Show more ({filtered.length - shown} left)
            </button>
          )}
        </div>
      )}
    </div>
  );
}
