import { describe, expect, it } from 'vitest';
import { checkExpectations } from './check-expectations.js';
import { buildDetectorContext } from './detector-context.js';
import { detectToolMisuse } from './detect-tool-misuse.js';
import type { Expectations } from './expectations-schema.js';
import { fixtureTrace, type FixtureStep } from './trace-fixture.js';

function run(steps: FixtureStep[], expectations?: Expectations) {
  const trace = fixtureTrace(steps);
  const checks = expectations ? checkExpectations(trace, expectations) : [];
  return detectToolMisuse(trace, buildDetectorContext(trace, expectations ? { expectations, checks } : {}));
}

const ask: FixtureStep = ['user', 'What is your refund policy for digital products?'];

describe('detectToolMisuse', () => {
  it('flags the right tool with wrong parameters followed by an answer', () => {
    const findings = run(
      [
        ask,
        ['call', 'search_knowledge_base', { query: 'shipping times' }, { articles: [{ title: 'Shipping' }] }],
        ['respond', 'We ship in 3 days.'],
      ],
      { tools: [{ name: 'search_knowledge_base', parameters: { query: 'refund policy digital products' } }] },
    );
    expect(findings).toEqual([
      {
        pattern: 'tool_misuse',
        category: 'tool_usage_failure',
        severity: 'high',
        basis: 'expectation',
        event_indexes: [1, 2],
        summary:
          'Called search_knowledge_base with query "shipping times" where query "refund policy digital products" was expected, then answered from its result.',
      },
    ]);
  });

  it('flags the wrong tool for the expectations', () => {
    const findings = run([ask, ['call', 'search_web', { q: 'refund policy' }, ['blog post']], ['respond', 'Refunds take 30 days.']], {
      tools: ['search_knowledge_base'],
    });
    expect(findings.map((f) => f.summary)).toEqual([
      'Called search_web with q "refund policy" instead of search_knowledge_base, then answered from its result.',
    ]);
  });

  it('flags parameters that failed validation when the answer ignores it', () => {
    const findings = run([
      ['user', 'Comedy shows?'],
      ['error', 'search_shows', { genre: 'Comedy' }, 'genre must be an integer: Comedy', 'validation_error'],
      ['respond', 'Here are some great comedies: Seinfeld and Friends.'],
    ]);
    expect(findings).toMatchObject([{ severity: 'high', event_indexes: [1, 2] }]);
    expect(findings[0]?.summary).toBe(
      'Called search_shows with genre "Comedy", which was rejected with "genre must be an integer: Comedy", then answered without a corrected call.',
    );
  });

  it('does not flag a validation error the agent corrected', () => {
    const findings = run([
      ['error', 'search_shows', { genre: 'Comedy' }, 'genre must be an integer', 'validation_error'],
      ['call', 'search_shows', { genre: 35 }, [{ title: 'Seinfeld' }]],
      ['respond', 'Seinfeld.'],
    ]);
    expect(findings).toEqual([]);
  });

  it('does not treat an outage as misuse', () => {
    expect(
      run([
        ['error', 'search', { q: 'x' }, 'upstream timeout', 'timeout'],
        ['respond', 'Sorry, search is down.'],
      ]),
    ).toEqual([]);
  });

  it('flags a call of a tool that was not offered', () => {
    const findings = run([
      ['meta', { tools_offered: ['search_news'] }],
      ['user', 'news?'],
      ['error', 'authenticate', {}, 'No such function name: authenticate'],
    ]);
    expect(findings).toMatchObject([{ severity: 'medium', event_indexes: [2] }]);
    expect(findings[0]?.summary).toBe(
      'Called authenticate with no parameters, a tool that was not offered, and failed with "No such function name: authenticate".',
    );
  });

  it('does not flag the expected tool with the expected parameters', () => {
    const findings = run([ask, ['call', 'search_knowledge_base', { query: 'refund policy digital products' }, ['x']], ['respond', 'x']], {
      tools: [{ name: 'search_knowledge_base', parameters: { query: 'refund policy digital products' } }],
    });
    expect(findings).toEqual([]);
  });
});
