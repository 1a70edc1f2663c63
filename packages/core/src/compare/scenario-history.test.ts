import { describe, expect, it } from 'vitest';
import { flakiness, flakinessOf, flipRate, scenarioHistory } from './scenario-history.js';

const verdicts = (passed: number, failed: number) => [
  ...Array.from({ length: passed }, () => ({ verdict: 'passed' as const })),
  ...Array.from({ length: failed }, () => ({ verdict: 'failed' as const })),
];

describe('flakiness', () => {
  it('is 0 for a scenario that always passes or always fails', () => {
    expect(flakiness(verdicts(5, 0))).toBe(0);
    expect(flakiness(verdicts(0, 5))).toBe(0);
  });

  it('is 1 for a scenario that passes half the time', () => {
    expect(flakiness(verdicts(3, 3))).toBe(1);
  });

  it('is 4·p·(1−p) in between', () => {
    expect(flakiness(verdicts(3, 1))).toBeCloseTo(0.75);
    expect(flakiness(verdicts(9, 1))).toBeCloseTo(0.36);
  });

  it('leaves out results without a verdict and is 0 with none left', () => {
    expect(flakiness([...verdicts(1, 1), { verdict: null }, {}])).toBe(1);
    expect(flakiness([{ verdict: null }])).toBe(0);
    expect(flakiness([])).toBe(0);
  });
});

describe('flakinessOf', () => {
  it('gives from counts what flakiness gives from the results', () => {
    for (const [passed, failed] of [
      [0, 0],
      [5, 0],
      [0, 5],
      [3, 3],
      [3, 1],
      [1, 9],
    ] as const) {
      expect(flakinessOf(passed, passed + failed)).toBe(flakiness(verdicts(passed, failed)));
    }
  });
});

describe('scenarioHistory', () => {
  it('lists distinct tool paths with counts, most frequent first', () => {
    const history = scenarioHistory([
      { tool_path: ['search'], verdict: 'passed' },
      { tool_path: ['search', 'lookup'], verdict: 'failed' },
      { tool_path: ['search'], verdict: 'passed' },
      { tool_path: [], verdict: 'failed' },
      { tool_path: ['search'], verdict: 'failed' },
    ]);
    expect(history.results).toBe(5);
    expect(history.flakiness).toBeCloseTo(4 * 0.4 * 0.6);
    expect(history.tool_paths).toEqual([
      { tool_path: ['search'], count: 3, passed: 2, failed: 1, first_seen: 0, last_seen: 4 },
      { tool_path: ['search', 'lookup'], count: 1, passed: 0, failed: 1, first_seen: 1, last_seen: 1 },
      { tool_path: [], count: 1, passed: 0, failed: 1, first_seen: 3, last_seen: 3 },
    ]);
  });
});

describe('flipRate', () => {
  const run = (...vs: Array<'passed' | 'failed' | null>) => vs.map((verdict) => ({ verdict }));

  it('counts verdict changes between consecutive results: pass, fail, pass, pass, fail flips 3 times in 4', () => {
    expect(flipRate(run('passed', 'failed', 'passed', 'passed', 'failed'))).toEqual({ rate: 0.75, flips: 3, steps: 4 });
  });

  it('tells a one-time regression from flapping, which the pass/fail balance cannot', () => {
    const regressed = run('passed', 'passed', 'passed', 'failed', 'failed', 'failed');
    const flapping = run('passed', 'failed', 'passed', 'failed', 'passed', 'failed');
    expect(flakiness(regressed)).toBe(flakiness(flapping));
    expect(flipRate(regressed).rate).toBeCloseTo(0.2);
    expect(flipRate(flapping).rate).toBe(1);
  });

  it('leaves out results without a verdict and has no rate with fewer than two', () => {
    expect(flipRate(run('passed', null, 'failed'))).toEqual({ rate: 1, flips: 1, steps: 1 });
    expect(flipRate(run('passed')).rate).toBeNull();
  });
});
