import type { Finding, TraceSummary, Verdict } from '../api/types';
import { humanize } from './format';

export function VerdictBadge({ verdict }: { verdict: Verdict | null }) {
  if (verdict === null) return <span className="badge badge-muted">no verdict</span>;
  return <span className={`badge badge-${verdict}`}>{verdict === 'passed' ? '✓ passed' : '✗ failed'}</span>;
}

/** What the client reported (the test's own `passed`), shown next to Stepwise's verdict. */
export function ReportedBadge({ reported }: { reported: boolean | null }) {
  if (reported === null) return <span className="muted">not reported</span>;
  return <span className={reported ? 'reported-passed' : 'reported-failed'}>{reported ? 'reported pass' : 'reported fail'}</span>;
}

export function isPassingFailure(summary: Pick<TraceSummary, 'reported_passed' | 'verdict'>): boolean {
  return summary.reported_passed === true && summary.verdict === 'failed';
}

export function PassingFailureMark() {
  return (
    <span className="badge badge-passing-failure" title="The test reported a pass, but Stepwise's checks failed">
      ⚠ passing failure
    </span>
  );
}

/**
 * A failure pattern, with how many times it was found and how many of those a member disputed
 * ("Hallucination: 12 · 2 disputed"), or struck through when this one finding was marked wrong.
 */
export function PatternBadge({
  pattern,
  severity,
  count,
  disputed,
}: {
  pattern: string;
  severity?: Finding['severity'];
  count?: number;
  /** A count (in a list of runs) or whether this finding was marked wrong (on its event). */
  disputed?: number | boolean;
}) {
  const marked = disputed === true;
  return (
    <span
      className={`badge badge-pattern sev-${severity ?? 'medium'}${marked ? ' is-disputed' : ''}`}
      data-finding={pattern}
      title={marked ? 'A member marked this finding wrong' : undefined}
    >
      {humanize(pattern)}
      {count !== undefined && count > 1 ? ` ×${count}` : ''}
      {typeof disputed === 'number' && disputed > 0 && <span className="disputed-count"> · {disputed} disputed</span>}
      {marked && <span className="disputed-count"> · disputed</span>}
    </span>
  );
}
