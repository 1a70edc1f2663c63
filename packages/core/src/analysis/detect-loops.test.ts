import { describe, expect, it } from 'vitest';
import { buildDetectorContext } from './detector-context.js';
import { detectLoops } from './detect-loops.js';
import { fixtureTrace, type FixtureStep } from './trace-fixture.js';

function run(steps: FixtureStep[], options = {}) {
  const trace = fixtureTrace(steps);
  return detectLoops(trace, buildDetectorContext(trace, { options }));
}

describe('detectLoops', () => {
  it('flags three identical consecutive calls with identical results as a loop without progress', () => {
    const findings = run([
      ['user', 'find it'],
      ['call', 'search_kb', { query: 'x', limit: 5 }, []],
      ['think', 'try again'],
      ['call', 'search_kb', { limit: 5.0, query: 'x' }, []],
      ['call', 'search_kb', { query: 'x', limit: 5 }, []],
      ['respond', 'nothing'],
    ]);
    expect(findings).toEqual([
      {
        pattern: 'loop',
        category: 'reasoning_failure',
        severity: 'high',
        basis: 'evidence',
        event_indexes: [1, 3, 4],
        summary:
          'Called search_kb with query "x" 3 times in a row with the same parameters, getting the same result each time (no progress).',
      },
    ]);
  });

  it('rates repeats whose results change as medium', () => {
    const findings = run([
      ['call', 'poll', { id: 1 }, { state: 'a' }],
      ['call', 'poll', { id: 1 }, { state: 'b' }],
      ['call', 'poll', { id: 1 }, { state: 'c' }],
    ]);
    expect(findings.map((f) => f.severity)).toEqual(['medium']);
    expect(findings[0]?.summary).toContain('although the results changed');
  });

  it('does not flag two repeats, different parameters, or repeats across turns', () => {
    expect(
      run([
        ['call', 'a', { q: 1 }, 1],
        ['call', 'a', { q: 1 }, 1],
      ]),
    ).toEqual([]);
    expect(
      run([
        ['call', 'a', { q: 1 }, 1],
        ['call', 'a', { q: 2 }, 1],
        ['call', 'a', { q: 3 }, 1],
      ]),
    ).toEqual([]);
    expect(
      run([
        ['call', 'a', { q: 1 }, 1],
        ['respond', 'one'],
        ['user', 'again'],
        ['call', 'a', { q: 1 }, 1],
        ['call', 'a', { q: 1 }, 1],
      ]),
    ).toEqual([]);
  });

  it('uses the configured repeat threshold', () => {
    const steps: FixtureStep[] = [
      ['call', 'a', { q: 1 }, 1],
      ['call', 'a', { q: 1 }, 1],
      ['call', 'a', { q: 1 }, 1],
    ];
    expect(run(steps, { loopMinRepeats: 4 })).toEqual([]);
    expect(run(steps.slice(0, 2), { loopMinRepeats: 2 })).toHaveLength(1);
  });

  it('flags A-B-A-B alternation of two full cycles', () => {
    const findings = run([
      ['call', 'search', { q: 'x' }, []],
      ['call', 'open', { id: 7 }, { error: '' }],
      ['call', 'search', { q: 'x' }, []],
      ['call', 'open', { id: 7 }, { error: '' }],
    ]);
    expect(findings).toMatchObject([{ pattern: 'loop', severity: 'medium', event_indexes: [0, 1, 2, 3] }]);
    expect(findings[0]?.summary).toBe('Alternated between search with q "x" and open with id 7 2 times without changing the parameters.');
  });

  it('does not flag A-B-A-C', () => {
    expect(
      run([
        ['call', 'search', { q: 'x' }, []],
        ['call', 'open', { id: 7 }, 1],
        ['call', 'search', { q: 'x' }, []],
        ['call', 'open', { id: 8 }, 1],
      ]),
    ).toEqual([]);
  });
});
