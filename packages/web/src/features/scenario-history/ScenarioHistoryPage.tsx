import { flipRate } from '@stepwise/core';
import { ExpectationsEditor } from './ExpectationsEditor';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import { api } from '../../api/endpoints';
import type { ScenarioHistory, TraceSummary } from '../../api/types';
import { Link, navigate, paths } from '../../app/router';
import { isPassingFailure, PassingFailureMark, PatternBadge, VerdictBadge } from '../../ui/badges';
import { Empty, ErrorBox, Loading } from '../../ui/feedback';
import { formatDate, formatDuration, formatPercent, formatWhen } from '../../ui/format';
import { useAsync } from '../../ui/use-async';

/** The history endpoint, or (on a server without it) the scenario's traces with the same figures. */
async function loadHistory(id: string): Promise<ScenarioHistory> {
  try {
    return await api.scenarioHistory(id);
  } catch (error) {
    if (!(error instanceof ApiError && error.isMissingRoute)) throw error;
  }
  const page = await api.listTraces({ scenario: id, limit: 200 });
  const judged = page.traces.filter((t) => t.verdict !== null);
  const p = judged.length ? judged.filter((t) => t.verdict === 'passed').length / judged.length : 0;
  const paths = new Map<string, { path: string[]; count: number }>();
  for (const t of page.traces) {
    const key = t.tool_path.join('\u0000');
    const entry = paths.get(key) ?? { path: t.tool_path, count: 0 };
    entry.count++;
    paths.set(key, entry);
  }
  return {
    scenario_id: id,
    traces: page.traces,
    next_cursor: null,
    total: page.traces.length,
    flakiness: judged.length ? Math.min(1, 4 * p * (1 - p)) : 0,
    tool_paths: [...paths.values()].sort((x, y) => y.count - x.count),
  };
}

export function ScenarioHistoryPage({ id }: { id: string }) {
  const data = useAsync(() => loadHistory(id), [id]);
  const [a, setA] = useState<string | null>(null);
  const [b, setB] = useState<string | null>(null);
  // Older pages, loaded on request: the summary above covers the whole history already.
  const [older, setOlder] = useState<{ scenario: string; traces: TraceSummary[]; cursor: string | null } | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<Error | null>(null);
  if (data.status === 'error') return <ErrorBox error={data.error} onRetry={data.reload} />;
  if (data.status === 'loading') return <Loading />;
  const history = data.data;
  const more = older?.scenario === id ? older : null;
  const traces = more ? [...history.traces, ...more.traces] : history.traces;
  const nextCursor = more ? more.cursor : history.next_cursor;
  const showOlder = async () => {
    if (!nextCursor) return;
    setLoadingOlder(true);
    setOlderError(null);
    try {
      const page = await api.scenarioHistory(id, nextCursor);
      setOlder({ scenario: id, traces: [...(more?.traces ?? []), ...page.traces], cursor: page.next_cursor });
    } catch (error) {
      setOlderError(error instanceof Error ? error : new Error(String(error)));
    } finally {
      setLoadingOlder(false);
    }
  };
  const oldestFirst = [...traces].reverse();
  const flips = flipRate(oldestFirst);

  return (
    <div className="page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to={paths.runs()}>Test runs</Link> <span aria-hidden="true">/</span> <span>Scenario {id}</span>
      </nav>
      <div className="page-head">
        <h1>{id}</h1>
        <div className="actions">
          <button
            type="button"
            className="btn btn-primary"
            disabled={!a || !b || a === b}
            onClick={() => a && b && navigate(paths.compareTraces(a, b))}
          >
            Compare A with B
          </button>
        </div>
      </div>
      {traces.length === 0 ? (
        <Empty>No traces of this scenario.</Empty>
      ) : (
        <>
          <section className="history-summary">
            <div>
              <div className="field-label">
                Verdict per run (oldest → newest{traces.length < history.total ? `, the latest ${traces.length} of ${history.total}` : ''})
              </div>
              <div className="verdict-strip" role="list">
                {oldestFirst.map((t) => (
                  <Link
                    key={t.id}
                    to={paths.trace(t.id)}
                    role="listitem"
                    className={`strip-cell verdict-${t.verdict ?? 'none'} ${isPassingFailure(t) ? 'is-passing-failure' : ''}`}
                    title={`${formatDate(t.timestamp)} · ${t.verdict ?? 'no verdict'}${isPassingFailure(t) ? ' · passing failure' : ''}`}
                  />
                ))}
              </div>
            </div>
            <div>
              <div className="field-label">Flip rate</div>
              <FlipRate flips={flips} />
            </div>
            <div className="tool-paths">
              <div className="field-label">Tool paths taken</div>
              <ul className="plain-list">
                {history.tool_paths.map((tp) => (
                  <li key={tp.path.join('>')} className="mono small">
                    <span className="count">{tp.count}×</span>{' '}
                    {tp.path.length ? tp.path.join(' → ') : <span className="muted">no tools</span>}
                    {tp.failed !== undefined && tp.failed > 0 && <span className="fail-text small"> · {tp.failed} failed</span>}
                  </li>
                ))}
              </ul>
            </div>
          </section>
          <ExpectationsEditor scenarioId={id} />
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th className="col-radio" title="Compare as A">
                    A
                  </th>
                  <th className="col-radio" title="Compare as B">
                    B
                  </th>
                  <th>When</th>
                  <th>Verdict</th>
                  <th>Findings</th>
                  <th>Tool path</th>
                  <th className="num">Duration</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {traces.map((t, i) => (
                  <HistoryRow key={t.id} trace={t} previous={traces[i + 1]} a={a} b={b} onA={setA} onB={setB} />
                ))}
              </tbody>
            </table>
          </div>
          {nextCursor && (
            <div className="pager">
              <span className="muted small">
                {traces.length} of {history.total} traces
              </span>{' '}
              <button type="button" className="btn" disabled={loadingOlder} onClick={() => void showOlder()}>
                {loadingOlder ? 'Loading…' : 'Show older traces'}
              </button>
            </div>
          )}
          {olderError && <ErrorBox error={olderError} onRetry={() => void showOlder()} />}
        </>
      )}
    </div>
  );
}

function HistoryRow({
  trace,
  previous,
  a,
  b,
  onA,
  onB,
}: {
  trace: TraceSummary;
  previous: TraceSummary | undefined;
  a: string | null;
  b: string | null;
  onA: (id: string) => void;
  onB: (id: string) => void;
}) {
  return (
    <tr data-trace-id={trace.id}>
      <td>
        <input type="radio" name="compare-a" aria-label="Compare as A" checked={a === trace.id} onChange={() => onA(trace.id)} />
      </td>
      <td>
        <input type="radio" name="compare-b" aria-label="Compare as B" checked={b === trace.id} onChange={() => onB(trace.id)} />
      </td>
      <td title={formatDate(trace.timestamp)}>
        <Link to={paths.trace(trace.id)}>{formatWhen(trace.timestamp)}</Link>
        {trace.run_id && (
          <div className="small">
            <Link to={paths.run(trace.run_id)} className="muted">
              run
            </Link>
          </div>
        )}
      </td>
      <td>
        <VerdictBadge verdict={trace.verdict} />
        {isPassingFailure(trace) && <PassingFailureMark />}
      </td>
      <td className="badges">
        {trace.patterns.map((p) => (
          <PatternBadge key={p} pattern={p} />
        ))}
      </td>
      <td className="mono small tool-path">{trace.tool_path.join(' → ') || <span className="muted">no tools</span>}</td>
      <td className="num">{formatDuration(trace.duration_ms)}</td>
      <td>
        {previous && (
          <Link className="btn btn-small" to={paths.compareTraces(previous.id, trace.id)} title="Compare with the run before">
            vs previous
          </Link>
        )}
      </td>
    </tr>
  );
}

/** How often the verdict changed between consecutive results, with the counts it rests on. */
export function FlipRate({ flips }: { flips: { rate: number | null; flips: number; steps: number } }) {
  if (flips.rate === null) return <div className="flakiness muted">not enough results to tell</div>;
  const tone = flips.rate >= 0.5 ? 'fail-text' : flips.rate > 0 ? 'warn-text' : 'ok-text';
  return (
    <div className={`flakiness ${tone}`} data-testid="flip-rate">
      {formatPercent(flips.rate)}{' '}
      <span className="muted small">
        {flips.flips} of {flips.steps} consecutive result{flips.steps === 1 ? '' : 's'} changed verdict
      </span>
    </div>
  );
}
