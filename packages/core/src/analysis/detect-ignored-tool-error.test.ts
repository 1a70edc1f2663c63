import { describe, expect, it } from 'vitest';
import { buildDetectorContext } from './detector-context.js';
import { detectIgnoredToolError } from './detect-ignored-tool-error.js';
import { fixtureTrace, type FixtureStep } from './trace-fixture.js';

function run(steps: FixtureStep[]) {
  const trace = fixtureTrace(steps);
  return detectIgnoredToolError(trace, buildDetectorContext(trace));
}

const book: FixtureStep = ['error', 'create_booking', { date: '2026-03-14' }, 'service unavailable', 'http_503'];

describe('detectIgnoredToolError', () => {
  it('flags an error followed by a response that claims success', () => {
    expect(run([['user', 'Book the 14th'], book, ['respond', 'Done! Your table is booked for the 14th.']])).toEqual([
      {
        pattern: 'ignored_tool_error',
        category: 'communication_failure',
        severity: 'high',
        basis: 'evidence',
        event_indexes: [1, 2],
        summary:
          'Called create_booking with date "2026-03-14", which failed with "service unavailable", then claimed success without retrying or mentioning the error.',
      },
    ]);
  });

  it('flags an error hidden in a result ({status: 401}) followed by a plain answer as medium', () => {
    const findings = run([
      ['call', 'get_news', {}, { status: '401', msg: 'Authentication required' }],
      ['respond', 'Here is the latest news.'],
    ]);
    expect(findings).toMatchObject([{ severity: 'medium', event_indexes: [0, 1] }]);
  });

  it('does not flag an honest report, a successful retry, or an error with no response', () => {
    expect(run([book, ['respond', 'Sorry, the booking service is unavailable right now.']])).toEqual([]);
    expect(run([book, ['call', 'create_booking', { date: '2026-03-14' }, { id: 'B1' }], ['respond', 'Booked: B1.']])).toEqual([]);
    expect(run([book])).toEqual([]);
  });
});
