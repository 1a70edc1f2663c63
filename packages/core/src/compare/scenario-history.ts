/**
 * How often a scenario flips between passing and failing: `min(4·p·(1−p), 1)` where `p` is the
 * share of results with a verdict that passed. 0 means always the same verdict, 1 means half and
 * half. Results without a verdict are left out; with none left, flakiness is 0.
 *
 * @example flakiness([{ verdict: 'passed' }, { verdict: 'failed' }]) // 1
 */
export function flakiness(results: readonly { verdict?: string | null | undefined }[]): number {
  let passed = 0;
  let judged = 0;
  for (const result of results) {
    if (result.verdict === 'passed') passed++;
    if (result.verdict === 'passed' || result.verdict === 'failed') judged++;
  }
  return flakinessOf(passed, judged);
}

/**
 * The same flakiness from counts alone (`passed` of `judged` results with a verdict), for a summary
 * counted in the database.
 *
 * @example flakinessOf(1, 2) // 1
 */
export function flakinessOf(passed: number, judged: number): number {
  if (judged === 0) return 0;
  const p = passed / judged;
  return Math.min(4 * p * (1 - p), 1);
}

/**
 * The flip rate of a scenario: of its consecutive results (oldest first, results without a verdict
 * left out), the share whose verdict differs from the one before. pass, fail, pass, pass, fail has
 * 3 flips in 4 steps: 0.75. Null with fewer than two judged results (nothing to flip).
 *
 * @example flipRate([{ verdict: 'passed' }, { verdict: 'failed' }, { verdict: 'failed' }]) // { rate: 0.5, flips: 1, steps: 2 }
 */
export function flipRate(results: readonly { verdict?: string | null | undefined }[]): {
  rate: number | null;
  flips: number;
  steps: number;
} {
  const judged = results.filter((r) => r.verdict === 'passed' || r.verdict === 'failed');
  let flips = 0;
  for (let i = 1; i < judged.length; i++) if (judged[i]!.verdict !== judged[i - 1]!.verdict) flips++;
  const steps = Math.max(0, judged.length - 1);
  return { rate: steps === 0 ? null : flips / steps, flips, steps };
}

export interface HistoryItem {
  tool_path: readonly string[];
  verdict?: 'passed' | 'failed' | null;
  trace_id?: string;
}

/** One distinct tool path seen in a scenario's history. */
export interface ToolPathCount {
  tool_path: string[];
  count: number;
  passed: number;
  failed: number;
  /** Position in the history of the first and last result that took this path. */
  first_seen: number;
  last_seen: number;
}

export interface ScenarioHistory {
  results: number;
  /** The pass/fail balance `4·p·(1−p)` (1 = half and half), whatever the order; see `flipRate` for how often it changes. */
  flakiness: number;
  /** Share of consecutive results whose verdict changed (null with fewer than two). */
  flip_rate: number | null;
  /** Distinct tool paths, most frequent first (ties: first seen first). */
  tool_paths: ToolPathCount[];
}

/**
 * Summarizes a scenario's results across runs (oldest first): distinct tool paths with counts,
 * and flakiness.
 *
 * @example scenarioHistory([{ tool_path: ['search'] }, { tool_path: ['search'] }]).tool_paths[0]?.count // 2
 */
export function scenarioHistory(items: readonly HistoryItem[]): ScenarioHistory {
  const byPath = new Map<string, ToolPathCount>();
  items.forEach((item, index) => {
    // Tool names cannot contain U+0000 in practice, so it separates them unambiguously.
    const key = item.tool_path.join('\u0000');
    let entry = byPath.get(key);
    if (!entry) {
      entry = { tool_path: [...item.tool_path], count: 0, passed: 0, failed: 0, first_seen: index, last_seen: index };
      byPath.set(key, entry);
    }
    entry.count++;
    entry.last_seen = index;
    if (item.verdict === 'passed') entry.passed++;
    if (item.verdict === 'failed') entry.failed++;
  });
  const toolPaths = [...byPath.values()].sort((x, y) => y.count - x.count || x.first_seen - y.first_seen);
  return { results: items.length, flakiness: flakiness(items), flip_rate: flipRate(items).rate, tool_paths: toolPaths };
}
