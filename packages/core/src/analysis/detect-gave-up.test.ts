import { describe, expect, it } from 'vitest';
import { buildDetectorContext } from './detector-context.js';
import { detectGaveUp } from './detect-gave-up.js';
import { fixtureTrace, type FixtureStep } from './trace-fixture.js';

function run(steps: FixtureStep[]) {
  const trace = fixtureTrace(steps);
  return detectGaveUp(trace, buildDetectorContext(trace));
}

describe('detectGaveUp', () => {
  it('flags giving up after failed calls as an operational failure', () => {
    const findings = run([
      ['user', 'Track RB413450335SG'],
      ['error', 'get_track_info', { track_number: 'RB413450335SG' }, 'Exceeded 30 redirects.'],
      ['respond', 'I give up and restart.'],
    ]);
    expect(findings).toEqual([
      {
        pattern: 'gave_up',
        category: 'operational_failure',
        severity: 'high',
        basis: 'evidence',
        event_indexes: [1, 2],
        summary: 'Gave up after get_track_info with track_number "RB413450335SG" failed with "Exceeded 30 redirects.".',
      },
    ]);
  });

  it('flags giving up with usable data as a reasoning failure', () => {
    const findings = run([
      ['call', 'search', { q: 'x' }, ['hit']],
      ['respond', 'I give up and restart.'],
    ]);
    expect(findings).toMatchObject([{ category: 'reasoning_failure' }]);
  });

  it('does not flag an honest "could not find"', () => {
    expect(
      run([
        ['call', 'search', { q: 'x' }, []],
        ['respond', "I couldn't find anything about that."],
      ]),
    ).toEqual([]);
  });
});
