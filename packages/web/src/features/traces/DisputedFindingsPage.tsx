import { api } from '../../api/endpoints';
import { Link, paths } from '../../app/router';
import { PatternBadge } from '../../ui/badges';
import { Empty, ErrorBox, Loading } from '../../ui/feedback';
import { formatDate, formatWhen } from '../../ui/format';
import { useAsync } from '../../ui/use-async';

/** Findings members marked wrong: the raw material for improving the detectors. */
export function DisputedFindingsPage() {
  const list = useAsync(() => api.listFeedback({ verdict: 'wrong', limit: 200 }), []);
  return (
    <div className="page">
      <div className="page-head">
        <h1>Disputed findings</h1>
        {list.data && <span className="muted">{list.data.total} marked wrong</span>}
      </div>
      <p className="muted">Findings a member marked as a false alarm, newest first. Open one to see the trace at the finding.</p>
      {list.status === 'error' && <ErrorBox error={list.error} onRetry={list.reload} />}
      {list.status === 'loading' && <Loading />}
      {list.data &&
        (list.data.feedback.length === 0 ? (
          <Empty>No finding has been marked wrong. Mark one from a trace&apos;s “Why it failed” panel.</Empty>
        ) : (
          <ul className="trace-list" aria-label="Disputed findings">
            {list.data.feedback.map((f) => {
              const first = Number(f.finding_key.split('@')[1]?.split(',')[0]);
              return (
                <li key={`${f.trace_id}|${f.finding_key}`} className="trace-item" data-finding-key={f.finding_key}>
                  <div className="trace-item-head">
                    <PatternBadge pattern={f.pattern} />
                    <Link to={paths.trace(f.trace_id, Number.isInteger(first) ? first : null)} className="strong">
                      {f.scenario_id}
                    </Link>
                    <span className="muted small" title={formatDate(f.created_at)}>
                      {formatWhen(f.created_at)}
                    </span>
                  </div>
                  <div className="small">
                    <span className="muted">{f.actor}:</span> {f.reason ?? <span className="muted">no reason given</span>}
                  </div>
                  <div className="muted small">
                    {f.agent_name} · {f.run_id ? <Link to={paths.run(f.run_id)}>run</Link> : 'no run'} · finding{' '}
                    <code>{f.finding_key}</code>
                  </div>
                </li>
              );
            })}
          </ul>
        ))}
    </div>
  );
}
