/** What a member says about a finding: it is right, or it is a false alarm. */
export const FINDING_VERDICTS = ['right', 'wrong'] as const;
export type FindingVerdict = (typeof FINDING_VERDICTS)[number];

/**
 * The stable identity of a finding within its trace: its pattern and the events it is pinned to.
 * Re-analysis that finds the same thing at the same events gives the same key, so feedback on the
 * finding survives it; a finding that moves or disappears leaves its feedback behind as stale.
 *
 * @example findingKey({ pattern: 'loop', event_indexes: [3, 4, 5] }) // 'loop@3,4,5'
 */
export function findingKey(finding: { pattern: string; event_indexes: readonly number[] }): string {
  return `${finding.pattern}@${finding.event_indexes.join(',')}`;
}

/** A member's mark on one finding of one trace (the latest mark wins; every mark is audited). */
export interface FindingFeedback {
  trace_id: string;
  finding_key: string;
  pattern: string;
  verdict: FindingVerdict;
  reason: string | null;
  /** The analyzer version that produced the finding when it was marked. */
  analyzer_version: string | null;
  actor: string;
  created_at: string;
}

/** A member's comment on one event of a trace. */
export interface EventComment {
  id: string;
  trace_id: string;
  event_index: number;
  body: string;
  actor: string;
  created_at: string;
}

/** The feedback of one trace, as its detail view and its export carry it. */
export interface TraceFeedback {
  findings: FindingFeedback[];
  comments: EventComment[];
}
