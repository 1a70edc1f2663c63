import { divergenceLabel } from './divergence-label';
import { useEffect, useMemo, useRef, useState, useSyncExternalStore, type RefObject } from 'react';
import { api } from '../../api/endpoints';
import type { AlignmentRow, CompareTraces, NumberDelta, TraceDeltas, TraceSummary } from '../../api/types';
import { Link, navigate, paths } from '../../app/router';
import { PatternBadge, VerdictBadge } from '../../ui/badges';
import { Empty, ErrorBox, Loading } from '../../ui/feedback';
import { formatCost, formatDate, formatDuration, formatNumber, formatSigned } from '../../ui/format';
import { useAsync } from '../../ui/use-async';
import { EventWindowCache } from '../timeline/event-window-cache';
import { EVENT_LABELS, EventIcon, summarizeEvent } from '../timeline/event-style';

const ROWS_STEP = 1000;

interface Loaded {
  compare: CompareTraces;
  cacheA: EventWindowCache;
  cacheB: EventWindowCache;
}

async function load(a: string, b: string): Promise<Loaded> {
  const compare = await api.compareTraces(a, b);
  const cacheOf = (id: string, count: number) =>
    new EventWindowCache(count, async (offset, limit) => (await api.getTraceEvents(id, offset, limit)).events, 1000, 200);
  return { compare, cacheA: cacheOf(a, compare.a.event_count), cacheB: cacheOf(b, compare.b.event_count) };
}

export function CompareTracesPage({ a, b }: { a: string; b: string }) {
  if (!a || !b) return <CompareChooser a={a} b={b} />;
  return <Comparison a={a} b={b} />;
}

function Comparison({ a, b }: { a: string; b: string }) {
  const data = useAsync(() => load(a, b), [a, b]);
  if (data.status === 'error') return <ErrorBox error={data.error} onRetry={data.reload} />;
  if (data.status === 'loading') return <Loading label="Aligning the two traces…" />;
  const { compare, cacheA, cacheB } = data.data;
  const { alignment } = compare;
  return (
    <div className="page compare-page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to={paths.runs()}>Test runs</Link> <span aria-hidden="true">/</span>{' '}
        <Link to={paths.scenario(compare.b.scenario_id)}>{compare.b.scenario_id}</Link> <span aria-hidden="true">/</span>{' '}
        <span>Compare</span>
      </nav>
      <div className="page-head">
        <h1>Compare traces</h1>
        <div className="actions">
          <Link className="btn" to={paths.compareTraces(b, a)}>
            Swap A and B
          </Link>
        </div>
      </div>
      <div className="compare-sides">
        <SideCard label="A" summary={compare.a} />
        <SideCard label="B" summary={compare.b} />
      </div>
      <DeltasBar deltas={alignment.deltas} />
      {alignment.warnings.map((w) => (
        <p key={w} className="warning-line">
          ⚠ {w}
        </p>
      ))}
      <AlignedRows compare={compare} cacheA={cacheA} cacheB={cacheB} />
    </div>
  );
}

function SideCard({ label, summary }: { label: string; summary: TraceSummary }) {
  return (
    <div className="side-card">
      <span className={`side-label side-${label.toLowerCase()}`}>{label}</span>
      <div>
        <Link to={paths.trace(summary.id)} className="strong mono">
          {summary.id}
        </Link>{' '}
        <VerdictBadge verdict={summary.verdict} />
        <div className="muted small">
          {summary.agent_name} · {formatDate(summary.timestamp)}
          {summary.run_id && (
            <>
              {' · '}
              <Link to={paths.run(summary.run_id)}>run</Link>
            </>
          )}
        </div>
        <div className="mono small tool-path">{summary.tool_path.join(' → ') || 'no tools'}</div>
      </div>
    </div>
  );
}

function DeltaCell({ label, delta, format }: { label: string; delta: NumberDelta; format: (n: number) => string }) {
  const worse = delta.delta !== null && delta.delta > 0;
  return (
    <div className="delta">
      <dt>{label}</dt>
      <dd>
        {delta.a === null ? '—' : format(delta.a)} → {delta.b === null ? '—' : format(delta.b)}{' '}
        <span className={delta.delta ? (worse ? 'delta-up' : 'delta-down') : 'muted'}>({formatSigned(delta.delta, format)})</span>
      </dd>
    </div>
  );
}

function DeltasBar({ deltas }: { deltas: TraceDeltas }) {
  return (
    <dl className="deltas" aria-label="Differences">
      {deltas.verdict && (
        <div className="delta">
          <dt>Verdict</dt>
          <dd className={deltas.verdict.changed ? 'strong' : ''}>
            {deltas.verdict.a ?? '—'} → {deltas.verdict.b ?? '—'}
          </dd>
        </div>
      )}
      <DeltaCell label="Duration" delta={deltas.duration_ms} format={formatDuration} />
      <DeltaCell label="Tokens" delta={deltas.tokens} format={formatNumber} />
      <DeltaCell label="Cost" delta={deltas.cost_usd} format={formatCost} />
      <DeltaCell label="Events" delta={deltas.events} format={formatNumber} />
      <DeltaCell label="Tool calls" delta={deltas.tool_calls} format={formatNumber} />
      <DeltaCell label="Tool errors" delta={deltas.tool_errors} format={formatNumber} />
      {deltas.model.changed && (
        <div className="delta">
          <dt>Model</dt>
          <dd>
            {deltas.model.a ?? '—'} → {deltas.model.b ?? '—'}
          </dd>
        </div>
      )}
      {deltas.findings && (deltas.findings.appeared.length > 0 || deltas.findings.disappeared.length > 0) && (
        <div className="delta delta-wide">
          <dt>Findings</dt>
          <dd className="badges">
            {deltas.findings.appeared.map((p) => (
              <span key={p} className="finding-change">
                + <PatternBadge pattern={p} />
              </span>
            ))}
            {deltas.findings.disappeared.map((p) => (
              <span key={p} className="finding-change gone">
                − <PatternBadge pattern={p} />
              </span>
            ))}
          </dd>
        </div>
      )}
    </dl>
  );
}

function AlignedRows({ compare, cacheA, cacheB }: Loaded) {
  const { alignment } = compare;
  const divergenceRow = alignment.divergence?.row ?? -1;
  const [shown, setShown] = useState(Math.max(ROWS_STEP, divergenceRow + 200));
  const rows = alignment.rows.slice(0, shown);
  const [onlyDiff, setOnlyDiff] = useState(false);
  const divergenceRef = useRef<HTMLDivElement>(null);

  const range = useMemo(() => {
    const span = (side: 'a' | 'b') => {
      let max = -1;
      for (const row of rows) for (const i of row[side]) if (i > max) max = i;
      return max;
    };
    return { a: span('a'), b: span('b') };
  }, [rows]);
  useEffect(() => {
    if (range.a >= 0) cacheA.ensure(0, range.a);
    if (range.b >= 0) cacheB.ensure(0, range.b);
  }, [cacheA, cacheB, range]);
  useSyncExternalStore(
    (listener) => cacheA.subscribe(listener),
    () => cacheA.version,
  );
  useSyncExternalStore(
    (listener) => cacheB.subscribe(listener),
    () => cacheB.version,
  );

  const scrollToDivergence = () => divergenceRef.current?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  useEffect(() => {
    divergenceRef.current?.scrollIntoView({ block: 'center' });
  }, []);

  if (alignment.rows.length === 0) return <Empty>Both traces are empty.</Empty>;
  return (
    <section aria-label="Aligned steps">
      <div className={`divergence-banner ${alignment.divergence ? '' : 'is-same'}`} data-testid="divergence-banner">
        {alignment.divergence ? (
          <>
            <strong>Diverged at {divergenceLabel(alignment.divergence)}:</strong> {alignment.divergence.sentence}{' '}
            <button type="button" className="btn btn-small" onClick={scrollToDivergence}>
              Show
            </button>
          </>
        ) : (
          <>The two traces behaved the same{alignment.stats.changed > 0 ? ' (only wording or timing differs)' : ''}.</>
        )}
        <span className="muted small stats">
          {alignment.stats.same} same · {alignment.stats.changed} changed · {alignment.stats.only_a} only in A · {alignment.stats.only_b}{' '}
          only in B
        </span>
        <label className="small only-diff">
          <input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} /> Only differences
        </label>
      </div>
      <div className="align-grid" role="table" aria-label="Steps of A and B side by side">
        <div className="align-row align-head" role="row">
          <span role="columnheader">A</span>
          <span role="columnheader" className="align-kind-head" />
          <span role="columnheader">B</span>
        </div>
        {rows.map((row, r) =>
          onlyDiff && row.kind === 'same' && r !== divergenceRow ? null : (
            <AlignRow
              key={r}
              row={row}
              index={r}
              isDivergence={r === divergenceRow}
              rowRef={r === divergenceRow ? divergenceRef : undefined}
              compare={compare}
              cacheA={cacheA}
              cacheB={cacheB}
            />
          ),
        )}
      </div>
      {alignment.rows.length > shown && (
        <button type="button" className="btn btn-link" onClick={() => setShown(shown + ROWS_STEP)}>
          Show more steps ({alignment.rows.length - shown} left)
        </button>
      )}
    </section>
  );
}

const KIND_LABEL: Record<AlignmentRow['kind'], string> = { same: '=', changed: '≠', only_a: 'A only', only_b: 'B only' };

function AlignRow({
  row,
  index,
  isDivergence,
  rowRef,
  compare,
  cacheA,
  cacheB,
}: {
  row: AlignmentRow;
  index: number;
  isDivergence: boolean;
  rowRef: RefObject<HTMLDivElement | null> | undefined;
  compare: CompareTraces;
  cacheA: EventWindowCache;
  cacheB: EventWindowCache;
}) {
  return (
    <div
      ref={rowRef}
      role="row"
      className={`align-row kind-${row.kind} ${row.behavior ? 'is-behavior' : ''} ${isDivergence ? 'is-divergence' : ''}`}
      data-row={index}
      data-kind={row.kind}
    >
      <SideCell side="a" traceId={compare.a.id} indexes={row.a} count={row.count_a} cache={cacheA} focus={row.changed_at?.a} />
      <span className="align-kind" role="cell" title={row.kind.replace('_', ' ')}>
        {KIND_LABEL[row.kind]}
      </span>
      <SideCell side="b" traceId={compare.b.id} indexes={row.b} count={row.count_b} cache={cacheB} focus={row.changed_at?.b} />
      {isDivergence && <div className="divergence-tag">Divergence</div>}
      {row.changes.length > 0 && (
        <ul className="field-changes" aria-label="Field differences">
          {row.changes.map((change, i) => (
            <li key={i}>
              <code className="change-path">{change.path}</code> <del className="change-a">{change.a ?? 'absent'}</del> →{' '}
              <ins className="change-b">{change.b ?? 'absent'}</ins>
            </li>
          ))}
          {row.similarity !== undefined && <li className="muted">text similarity {Math.round(row.similarity * 100)}%</li>}
        </ul>
      )}
    </div>
  );
}

function SideCell({
  side,
  traceId,
  indexes,
  count,
  cache,
  focus,
}: {
  side: 'a' | 'b';
  traceId: string;
  indexes: number[];
  count: number;
  cache: EventWindowCache;
  focus: number | undefined;
}) {
  const [open, setOpen] = useState(false);
  const first = focus ?? indexes[0];
  if (first === undefined) return <span className={`align-cell side-${side} is-empty`} role="cell" />;
  const event = cache.get(first);
  return (
    <span className={`align-cell side-${side}`} role="cell">
      <span className="cell-line">
        <Link to={paths.trace(traceId, first)} className="row-index" title="Open this event in the trace">
          {first}
        </Link>
        {event ? (
          <>
            <EventIcon type={event.type} />
            <span className="row-type">{EVENT_LABELS[event.type]}</span>
            <span className="row-summary">{summarizeEvent(event)}</span>
          </>
        ) : (
          <span className="row-skeleton" />
        )}
        {count > 1 && (
          <button type="button" className="badge badge-loop" onClick={() => setOpen(!open)} title="Identical calls, collapsed">
            ×{count}
          </button>
        )}
      </span>
      {open && (
        <span className="loop-list small muted">
          events{' '}
          {indexes.map((i) => (
            <Link key={i} to={paths.trace(traceId, i)}>
              {i}
            </Link>
          ))}
        </span>
      )}
    </span>
  );
}

/** Without two ids: pick them. */
function CompareChooser({ a, b }: { a: string; b: string }) {
  const [left, setLeft] = useState(a);
  const [right, setRight] = useState(b);
  return (
    <div className="page">
      <h1>Compare two traces</h1>
      <p className="muted">
        Paste two trace ids, or pick them from a run (tick two test cases) or a scenario&rsquo;s history. You can also open a trace and use{' '}
        <em>Compare with…</em>.
      </p>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          if (left.trim() && right.trim()) navigate(paths.compareTraces(left.trim(), right.trim()));
        }}
      >
        <label>
          Trace A
          <input value={left} onChange={(e) => setLeft(e.target.value)} placeholder="tr_…" />
        </label>
        <label>
          Trace B
          <input value={right} onChange={(e) => setRight(e.target.value)} placeholder="tr_…" />
        </label>
        <div className="filters-end">
          <button type="submit" className="btn btn-primary">
            Compare
          </button>
        </div>
      </form>
      <p className="small muted">A is read as the base (older) trace, B as the newer one.</p>
    </div>
  );
}
