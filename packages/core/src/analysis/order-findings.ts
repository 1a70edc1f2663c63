const BASIS_RANK: Record<string, number> = { expectation: 0, evidence: 1, heuristic: 2 };
const SEVERITY_RANK: Record<string, number> = { high: 0, medium: 1, low: 2 };

/**
 * Findings in the order a reader should meet them: what the verdict rests on first. By `basis`
 * (expectation, then evidence, then heuristic) when findings carry one, then by severity (high
 * first); ties keep the analyzer's order. Failed checks are shown before all findings.
 *
 * @example orderFindings([{ severity: 'low' }, { severity: 'high' }]) // high first
 */
export function orderFindings<F extends { severity?: string; basis?: string }>(findings: readonly F[]): F[] {
  const rank = (f: F) => [BASIS_RANK[f.basis ?? ''] ?? 3, SEVERITY_RANK[f.severity ?? ''] ?? 3] as const;
  return findings
    .map((finding, index) => ({ finding, index, rank: rank(finding) }))
    .sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.index - b.index)
    .map((x) => x.finding);
}
