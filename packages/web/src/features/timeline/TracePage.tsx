import { parseSearchTerms } from '@stepwise/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError } from '../../api/client';
import { api, exportTrace } from '../../api/endpoints';
import type { Check, EventComment, Evaluation, Finding, TraceDetail, TraceFeedback } from '../../api/types';
import { Link, navigate, paths } from '../../app/router';
import { isPassingFailure, PassingFailureMark, ReportedBadge, VerdictBadge } from '../../ui/badges';
import { ConfirmButton, ErrorBox, Loading } from '../../ui/feedback';
import { formatDate, formatDuration, formatNumber, humanize } from '../../ui/format';
import { useAsync } from '../../ui/use-async';
import { canWrite, isAdmin, useSession } from '../auth/session';
import { TraceFeedbackContext, type TraceFeedbackState } from './feedback-context';
import { FindingMarkControls } from './FindingFeedback';
import { EventWindowCache } from './event-window-cache';
import { Cost } from '../../ui/Cost';
import { FindingNote } from './EventDetails';
import { byBasis } from './finding-order';
import { TraceTimeline } from './TraceTimeline';

const WINDOW = 500;

interface LoadedTrace {
  detail: TraceDetail;
  evaluation: Evaluation | null;
  cache: EventWindowCache;
}

async function loadTrace(id: string): Promise<LoadedTrace> {
  const detail = await api.getTrace(id);
  const count = detail.summary.event_count;
  const cache = new EventWindowCache(count, async (offset, limit) => (await api.getTraceEvents(id, offset, limit)).events, WINDOW);
  const sent = detail.trace.events;
  if (sent && sent.length === count) cache.seed(sent);
  let evaluation = detail.evaluation;
  if (!evaluation) {
    try {
      evaluation = await api.getAnalysis(id);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
  }
  // The header is all this page keeps; events live in the cache.
  delete detail.trace.events;
  return { detail, evaluation, cache };
}

function indexBy<T extends { event_indexes: number[] }>(items: readonly T[]): Map<number, T[]> {
  const map = new Map<number, T[]>();
  for (const item of items) {
    for (const index of item.event_indexes) map.set(index, [...(map.get(index) ?? []), item]);
  }
  return map;
}

export function TracePage({ id, event }: { id: string; event: number | null }) {
  const data = useAsync(() => loadTrace(id), [id]);
  const [jump, setJump] = useState<{ index: number; nonce: number } | null>(null);
  // A later change of the address's event (back/forward, an edited #event-N) moves the timeline there.
  const [openedAt] = useState(event);
  useEffect(() => {
    if (event !== null && event !== openedAt) setJump({ index: event, nonce: Date.now() });
  }, [event, openedAt]);
  const evaluation = data.data?.evaluation ?? null;
  // What the verdict rests on comes first: failed checks (listed before), then findings by basis, else severity.
  const findings = useMemo(
    () => byBasis((evaluation?.findings ?? []).filter((f) => f.pattern !== 'passing_failure' || f.event_indexes.length > 0)),
    [evaluation],
  );
  const { state: session } = useSession();
  const [feedback, setFeedback] = useState<TraceFeedback | null>(null);
  const loadedFeedback = data.data?.detail.feedback ?? null;
  useEffect(() => setFeedback(loadedFeedback), [loadedFeedback]);
  const refresh = useCallback(async () => setFeedback(await api.getFeedback(id)), [id]);
  const search = new URLSearchParams(window.location.search).get('q') ?? '';
  const feedbackState: TraceFeedbackState = useMemo(() => {
    const commentsByEvent = new Map<number, EventComment[]>();
    for (const c of feedback?.comments ?? []) commentsByEvent.set(c.event_index, [...(commentsByEvent.get(c.event_index) ?? []), c]);
    return {
      traceId: id,
      marks: new Map((feedback?.findings ?? []).map((f) => [f.finding_key, f])),
      commentsByEvent,
      canWrite: canWrite(session),
      canDelete: isAdmin(session),
      refresh,
      searchHit: search && event !== null ? { event, terms: parseSearchTerms(search) } : null,
    };
  }, [feedback, id, session, refresh, search, event]);
  const findingsByEvent = useMemo(() => indexBy<Finding>(evaluation?.findings ?? []), [evaluation]);
  const checksByEvent = useMemo(() => indexBy<Check>(evaluation?.checks ?? []), [evaluation]);

  if (data.status === 'error') return <ErrorBox error={data.error} onRetry={data.reload} />;
  if (data.status === 'loading') return <Loading label="Loading trace…" />;
  const { detail, cache } = data.data;
  const s = detail.summary;
  const goTo = (index: number) => setJump({ index, nonce: Date.now() });

  return (
    <TraceFeedbackContext.Provider value={feedbackState}>
      <div className="trace-page">
        <div className="trace-head">
          <nav className="crumbs" aria-label="Breadcrumb">
            <Link to={paths.runs()}>Test runs</Link>
            {s.run_id && (
              <>
                {' '}
                <span aria-hidden="true">/</span> <Link to={paths.run(s.run_id)}>Run</Link>
              </>
            )}{' '}
            <span aria-hidden="true">/</span> <span>{s.scenario_id}</span>
          </nav>
          <div className="page-head">
            <h1>
              {s.scenario_id} <VerdictBadge verdict={s.verdict} /> {isPassingFailure(s) && <PassingFailureMark />}
            </h1>
            <div className="actions">
              <Link className="btn" to={paths.scenario(s.scenario_id)}>
                Scenario history
              </Link>
              <ComparePicker traceId={s.id} scenarioId={s.scenario_id} />
              <PinButton traceId={s.id} pinned={s.pinned ?? false} />
              <button type="button" className="btn" onClick={() => void exportTrace(s.id)}>
                Export JSON
              </button>
              <DeleteTrace traceId={s.id} runId={s.run_id} />
            </div>
          </div>
          <dl className="facts facts-compact">
            <Fact label="Agent" value={s.agent_name} />
            <Fact label="Model" value={s.model ?? '—'} />
            <Fact label="Tokens" value={formatNumber(s.tokens_total)} />
            <div>
              <dt>Cost</dt>
              <dd data-testid="trace-cost">
                <Cost usd={s.cost_usd} estimated={s.cost_estimated} pricesSetAt={s.cost_prices_set_at} />
              </dd>
            </div>
            <Fact label="Duration" value={s.timings_known === false ? 'unknown (no timestamps)' : formatDuration(s.duration_ms)} />
            <Fact label="Events" value={formatNumber(s.event_count)} />
            <Fact
              label="Started"
              value={s.timings_known === false ? `unknown (synced ${formatDate(s.created_at)})` : formatDate(s.timestamp)}
            />
            <div>
              <dt>Client reported</dt>
              <dd>
                <ReportedBadge reported={s.reported_passed} />
              </dd>
            </div>
          </dl>
        </div>
        <div className="trace-body">
          <section className="timeline-panel" aria-label="Timeline">
            <div className="timeline-header" aria-hidden="true">
              <span className="row-index">#</span>
              <span className="row-elapsed">Elapsed</span>
              <span className="row-type-head">Event</span>
              <span className="row-bar-head">Time spent</span>
            </div>
            {feedbackState.searchHit && (
              <p className="search-note small" role="status">
                Opened at the first match for <q>{search}</q>: event {feedbackState.searchHit.event}.
              </p>
            )}
            <TraceTimeline
              cache={cache}
              startMs={Date.parse(s.timestamp)}
              durationMs={s.duration_ms}
              timingsKnown={s.timings_known !== false}
              findingsByEvent={findingsByEvent}
              checksByEvent={checksByEvent}
              initialEvent={event}
              jump={jump}
            />
            <p className="keys-hint muted small">↑ ↓ move · Enter expands · Home / End jump</p>
          </section>
          <aside className="trace-side" aria-label="Analysis">
            <h2>Why it {s.verdict === 'passed' ? 'passed' : s.verdict === 'failed' ? 'failed' : 'ended so'}</h2>
            {!evaluation && <p className="muted">No analysis is stored for this trace.</p>}
            {evaluation && findings.length === 0 && evaluation.checks.length === 0 && (
              <p className="muted">No findings: the agent behaved as expected.</p>
            )}
            {evaluation && evaluation.checks.length > 0 && (
              <>
                <h3>Expectations not met</h3>
                <ul className="check-list">
                  {evaluation.checks.map((check, i) => (
                    <li key={i}>
                      <span className="badge badge-failed">{humanize(check.kind)}</span> {check.message}{' '}
                      {check.event_indexes.map((index) => (
                        <button key={index} type="button" className="btn btn-link" onClick={() => goTo(index)}>
                          event {index}
                        </button>
                      ))}
                    </li>
                  ))}
                </ul>
              </>
            )}
            {findings.length > 0 && evaluation && evaluation.checks.length > 0 && <h3>Findings</h3>}
            {findings.map((finding, i) => (
              <div key={i} className="side-finding">
                <FindingNote finding={finding} />
                <FindingMarkControls finding={finding} />
                {finding.event_indexes.length > 0 && (
                  <div className="jump-links">
                    {finding.event_indexes.map((index) => (
                      <button key={index} type="button" className="btn btn-link" onClick={() => goTo(index)}>
                        event {index}
                      </button>
                    ))}
                  </div>
                )}
              </div>
            ))}
            {detail.notes && (
              <>
                <h3>Notes from the test</h3>
                <p className="prose">{detail.notes}</p>
              </>
            )}
            {s.warnings.length > 0 && (
              <>
                <h3>Warnings at sync</h3>
                <ul className="plain-list small">
                  {s.warnings.map((w, i) => (
                    <li key={i}>
                      <code>{w.path}</code> {w.message}
                    </li>
                  ))}
                </ul>
              </>
            )}
            <RedactionSummary report={detail.redaction} />
            {evaluation && <p className="muted small">Analyzer {evaluation.analyzer_version}</p>}
          </aside>
        </div>
      </div>
    </TraceFeedbackContext.Provider>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function RedactionSummary({ report }: { report: TraceDetail['redaction'] }) {
  if (!report) return null;
  const counts = (report.counts ?? report.by_rule ?? null) as Record<string, number> | null;
  const entries = counts ? Object.entries(counts).filter(([, n]) => typeof n === 'number' && n > 0) : [];
  if (entries.length === 0) return null;
  return (
    <>
      <h3>Redacted before storage</h3>
      <ul className="plain-list small">
        {entries.map(([rule, n]) => (
          <li key={rule}>
            <span className="mark-redacted">{rule}</span> × {n}
          </li>
        ))}
      </ul>
    </>
  );
}

/** Pins the trace so retention keeps it whatever its age. */
function PinButton({ traceId, pinned: initial }: { traceId: string; pinned: boolean }) {
  const { state } = useSession();
  const [pinned, setPinned] = useState(initial);
  const [busy, setBusy] = useState(false);
  if (!canWrite(state)) return pinned ? <span className="badge badge-muted">pinned</span> : null;
  const toggle = async () => {
    setBusy(true);
    try {
      setPinned((await api.pinTrace(traceId, !pinned)).pinned);
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      className="btn"
      aria-pressed={pinned}
      disabled={busy}
      onClick={() => void toggle()}
      title={
        pinned ? 'Retention keeps this trace; unpin to let it expire with the others' : 'Keep this trace whatever the retention period'
      }
    >
      {pinned ? 'Pinned' : 'Pin'}
    </button>
  );
}

function DeleteTrace({ traceId, runId }: { traceId: string; runId: string | null }) {
  const { state } = useSession();
  if (!canWrite(state)) return null;
  return (
    <ConfirmButton
      label="Delete"
      title="Delete this trace?"
      body={<p>The trace and its analysis are deleted for good. The run keeps its other test cases.</p>}
      confirmLabel="Delete trace"
      onConfirm={async () => {
        await api.deleteTrace(traceId);
        navigate(runId ? paths.run(runId) : paths.runs(), { replace: true });
      }}
    />
  );
}

/** Pick another trace to compare with: this scenario's other traces, or any trace id. */
function ComparePicker({ traceId, scenarioId }: { traceId: string; scenarioId: string }) {
  const [open, setOpen] = useState(false);
  const [other, setOther] = useState('');
  const others = useAsync(() => (open ? api.listTraces({ scenario: scenarioId, limit: 20 }) : Promise.resolve(null)), [open, scenarioId]);
  return (
    <details className="popover" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="btn">Compare with…</summary>
      <div className="popover-body">
        <p className="small muted">Other traces of {scenarioId}</p>
        {others.status === 'loading' && <Loading />}
        <ul className="plain-list">
          {(others.data?.traces ?? [])
            .filter((t) => t.id !== traceId)
            .map((t) => (
              <li key={t.id}>
                <Link to={paths.compareTraces(t.id, traceId)}>
                  <VerdictBadge verdict={t.verdict} /> {formatDate(t.timestamp)} <span className="muted small mono">{t.id}</span>
                </Link>
              </li>
            ))}
        </ul>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (other.trim()) navigate(paths.compareTraces(traceId, other.trim()));
          }}
          className="row"
        >
          <input
            value={other}
            onChange={(e) => setOther(e.target.value)}
            placeholder="any trace id (tr_…)"
            aria-label="Trace id to compare with"
          />
          <button type="submit" className="btn">
            Compare
          </button>
        </form>
      </div>
    </details>
  );
}
