import { alignTraces, evaluateTrace } from '@stepwise/core';
import { median } from './stats.js';
import { syntheticTrace, withFewChanges } from './synthetic-traces.js';

function timeMedian(runs: number, fn: () => unknown): number {
  for (let i = 0; i < 3; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fn();
    times.push(performance.now() - started);
  }
  return median(times);
}

export interface CoreBenchResult {
  alignFewChangesMs: number;
  alignUnrelatedMs: number;
  alignIdenticalMs: number;
  alignUnrelatedAlgorithm: string;
  analyze10kMs: number;
}

/** Compare and analysis on 10,000-event traces, medians of repeated runs in one process. */
export function runCoreBench(runs = 15): CoreBenchResult {
  const a = syntheticTrace(1, 10_000);
  const changed = withFewChanges(a);
  const unrelated = syntheticTrace(2, 10_000);
  const same = structuredClone(a);
  return {
    alignFewChangesMs: timeMedian(runs, () => alignTraces(a, changed)),
    alignUnrelatedMs: timeMedian(runs, () => alignTraces(a, unrelated)),
    alignIdenticalMs: timeMedian(runs, () => alignTraces(a, same)),
    alignUnrelatedAlgorithm: alignTraces(a, unrelated).algorithm,
    analyze10kMs: timeMedian(runs, () => evaluateTrace(a, {})),
  };
}
