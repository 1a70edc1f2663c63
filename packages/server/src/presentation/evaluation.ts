import { findingKey } from '@stepwise/core';
import type { StoredEvaluation } from '../ingest/stages/analyze.js';

/** Findings and failed checks as sentences a person reads top to bottom. */
export function formatEvaluation(evaluation: StoredEvaluation, heading: string): string {
  const lines = [heading];
  const verdict = evaluation.verdict.toUpperCase();
  const reported = evaluation.reported_passed === undefined ? '' : `, client reported ${evaluation.reported_passed ? 'passed' : 'failed'}`;
  lines.push(`Verdict: ${verdict}${reported} (analyzer ${evaluation.analyzer_version}, expectations: ${evaluation.expectations_source})`);
  if (evaluation.checks.length === 0 && evaluation.findings.length === 0) {
    lines.push('No failed checks and no failure patterns.');
    return lines.join('\n');
  }
  for (const check of evaluation.checks) lines.push(`  ✗ ${check.kind}: ${check.message}`);
  for (const finding of evaluation.findings) {
    const at =
      finding.event_indexes.length > 0 ? ` (event${finding.event_indexes.length > 1 ? 's' : ''} ${finding.event_indexes.join(', ')})` : '';
    // Evaluations stored before findings had a basis show the severity alone.
    const basis = (finding as { basis?: string }).basis;
    const rating = basis === undefined ? finding.severity : `${finding.severity}, ${basis === 'heuristic' ? 'heuristic hint' : basis}`;
    lines.push(`  • [${rating}] ${finding.pattern}${at}: ${finding.summary} (finding ${findingKey(finding)})`);
  }
  return lines.join('\n');
}
