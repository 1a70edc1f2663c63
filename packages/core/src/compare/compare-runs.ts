import { numberDelta } from './trace-deltas.js';
import type { NumberDelta } from './trace-deltas.js';

/** What run comparison needs of one result: its scenario, verdict, tool path and finding patterns. */
export interface RunResultSummary {
  trace_id: string;
  scenario_id: string;
  verdict: 'passed' | 'failed' | null;
  tool_path: readonly string[];
  patterns: readonly string[];
}

export type ResultChange = 'regression' | 'fix' | 'still_failing' | 'still_passing' | 'behavior_drift' | 'unknown' | 'added' | 'removed';

/** One result of a scenario in the base run against its counterpart in the head run. */
export interface ResultComparison {
  scenario_id: string;
  /** Position among this scenario's results in the run (0 for the first). */
  occurrence: number;
  status: ResultChange;
  base: RunResultSummary | null;
  head: RunResultSummary | null;
  /** Both results exist and their tool paths differ. */
  tool_path_changed: boolean;
}

export interface CountMismatch {
  scenario_id: string;
  base: number;
  head: number;
}

export interface PatternDelta {
  pattern: string;
  base: number;
  head: number;
  delta: number;
}

export interface RunComparison {
  /** Base order first, then scenarios that only the head run has. */
  results: ResultComparison[];
  counts: Record<ResultChange, number>;
  /** Share of results with a verdict that passed, per run (`null` when no result has a verdict). */
  pass_rate: NumberDelta;
  /** Findings per pattern, largest change first. */
  patterns: PatternDelta[];
  /** Scenarios run a different number of times in the two runs; extra results are added/removed. */
  count_mismatches: CountMismatch[];
}

/**
 * Compares two runs result by result, matched on `scenario_id` (several results of one scenario
 * are matched in order).
 *
 * @example
 * compareRuns(base, head).counts.regression // scenarios that passed in base and failed in head
 */
export function compareRuns(base: readonly RunResultSummary[], head: readonly RunResultSummary[]): RunComparison {
  const baseBy = groupByScenario(base);
  const headBy = groupByScenario(head);
  const scenarios = [...baseBy.keys()];
  for (const id of headBy.keys()) if (!baseBy.has(id)) scenarios.push(id);

  const results: ResultComparison[] = [];
  const countMismatches: CountMismatch[] = [];
  for (const scenario of scenarios) {
    const inBase = baseBy.get(scenario) ?? [];
    const inHead = headBy.get(scenario) ?? [];
    if (inBase.length > 0 && inHead.length > 0 && inBase.length !== inHead.length) {
      countMismatches.push({ scenario_id: scenario, base: inBase.length, head: inHead.length });
    }
    for (let k = 0; k < Math.max(inBase.length, inHead.length); k++) {
      const b = inBase[k] ?? null;
      const h = inHead[k] ?? null;
      const pathChanged = b !== null && h !== null && !samePath(b.tool_path, h.tool_path);
      results.push({
        scenario_id: scenario,
        occurrence: k,
        status: changeOf(b, h, pathChanged),
        base: b,
        head: h,
        tool_path_changed: pathChanged,
      });
    }
  }

  const counts: Record<ResultChange, number> = {
    regression: 0,
    fix: 0,
    still_failing: 0,
    still_passing: 0,
    behavior_drift: 0,
    unknown: 0,
    added: 0,
    removed: 0,
  };
  for (const result of results) counts[result.status]++;

  return {
    results,
    counts,
    pass_rate: passRateDelta(base, head),
    patterns: patternDeltas(base, head),
    count_mismatches: countMismatches,
  };
}

function changeOf(base: RunResultSummary | null, head: RunResultSummary | null, pathChanged: boolean): ResultChange {
  if (base === null) return 'added';
  if (head === null) return 'removed';
  if (base.verdict === null || head.verdict === null) return 'unknown';
  if (base.verdict === 'passed') {
    if (head.verdict === 'failed') return 'regression';
    return pathChanged ? 'behavior_drift' : 'still_passing';
  }
  return head.verdict === 'passed' ? 'fix' : 'still_failing';
}

function groupByScenario(results: readonly RunResultSummary[]): Map<string, RunResultSummary[]> {
  const groups = new Map<string, RunResultSummary[]>();
  for (const result of results) {
    const group = groups.get(result.scenario_id);
    if (group) group.push(result);
    else groups.set(result.scenario_id, [result]);
  }
  return groups;
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((tool, i) => tool === b[i]);
}

/** Share of results with a verdict that passed, or `null` when none has a verdict. */
export function passRate(results: readonly { verdict?: string | null | undefined }[]): number | null {
  let passed = 0;
  let judged = 0;
  for (const result of results) {
    if (result.verdict === 'passed') passed++;
    if (result.verdict === 'passed' || result.verdict === 'failed') judged++;
  }
  return judged === 0 ? null : passed / judged;
}

function passRateDelta(base: readonly RunResultSummary[], head: readonly RunResultSummary[]): NumberDelta {
  return numberDelta(passRate(base), passRate(head));
}

function patternDeltas(base: readonly RunResultSummary[], head: readonly RunResultSummary[]): PatternDelta[] {
  const counts = new Map<string, { base: number; head: number }>();
  const tally = (results: readonly RunResultSummary[], side: 'base' | 'head'): void => {
    for (const result of results) {
      for (const pattern of result.patterns) {
        const entry = counts.get(pattern) ?? { base: 0, head: 0 };
        entry[side]++;
        counts.set(pattern, entry);
      }
    }
  };
  tally(base, 'base');
  tally(head, 'head');
  return [...counts]
    .map(([pattern, c]) => ({ pattern, base: c.base, head: c.head, delta: c.head - c.base }))
    .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta) || (x.pattern < y.pattern ? -1 : x.pattern > y.pattern ? 1 : 0));
}
