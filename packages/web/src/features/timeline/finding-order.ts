import type { Finding } from '../../api/types';

const RANK: Record<NonNullable<Finding['basis']>, number> = { expectation: 0, evidence: 1, heuristic: 2 };

/**
 * Findings in the order "Why it failed" lists them: failed expectations first, then mechanical
 * evidence, then hints (heuristic readings); findings stored without a basis sit with the evidence.
 * Stable within each group.
 */
export function byBasis(findings: readonly Finding[]): Finding[] {
  return findings
    .map((finding, i) => ({ finding, i, rank: finding.basis ? RANK[finding.basis] : 1 }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((x) => x.finding);
}
