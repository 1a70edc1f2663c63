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

export function PatternBadge({ pattern, severity, count }: { pattern: string; severity?: Finding['severity']; count?: number }) {
  return (
    <span className={`badge badge-pattern sev-${severity ?? 'medium'}`} data-finding={pattern}>
      {humanize(pattern)}
      {count !== undefined && count > 1 ? ` ×${count}` : ''}
    </span>
  );
}
