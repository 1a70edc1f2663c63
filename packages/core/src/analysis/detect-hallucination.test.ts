import { describe, expect, it } from 'vitest';
import { buildDetectorContext } from './detector-context.js';
import { detectHallucination } from './detect-hallucination.js';
import { fixtureTrace, type FixtureStep } from './trace-fixture.js';

function run(steps: FixtureStep[]) {
  const trace = fixtureTrace(steps);
  return detectHallucination(trace, buildDetectorContext(trace));
}

const ask: FixtureStep = ['user', 'What is your refund policy for digital products?'];
const search = (result: unknown): FixtureStep => ['call', 'search_knowledge_base', { query: 'refund policy digital products' }, result];

describe('detectHallucination', () => {
  it.each([
    ['an empty array', []],
    ['an empty object', {}],
    ['null', null],
    ['an empty string', ''],
    ['nested empty articles', { articles: [] }],
    ['empty results with a zero total', { results: [], total: 0 }],
    ['a "no results found" text', 'No results found for your query.'],
    ['a JSON string with empty results', '{"results": [], "query": "refund"}'],
    ['a Python-literal string with empty results', "{'error': '', 'response': \"{'results': [], 'ts': 1.2}\"}"],
  ])('flags specifics after %s', (_label, result) => {
    const findings = run([ask, search(result), ['respond', 'Digital products can be refunded within 14 days of purchase.']]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ pattern: 'hallucination', category: 'knowledge_failure', severity: 'high', event_indexes: [1, 2] });
    expect(findings[0]?.summary).toMatch(
      /^Called search_knowledge_base with query "refund policy digital products", got .+, then answered with "14 days" that no tool returned\.$/,
    );
  });

  it('flags specifics when every tool failed', () => {
    const findings = run([
      ['user', 'Where is order 42?'],
      ['error', 'get_order', { order_id: 42 }, 'upstream timeout', 'timeout'],
      ['respond', 'Order 42 ships on March 14 via UPS, tracking 1Z999AA10123456784.'],
    ]);
    expect(findings.map((f) => f.summary)).toEqual([
      'Called get_order with order_id 42, failed with "upstream timeout", then answered with "March 14" and "1Z999AA10123456784" that no tool returned.',
    ]);
  });

  it('does not flag an answer that admits it could not find the information', () => {
    expect(run([ask, search([]), ['respond', "I couldn't find our refund policy for digital products; please contact support."]])).toEqual(
      [],
    );
    expect(run([ask, search({ articles: [] }), ['respond', 'I have no information about a 14 day window, sorry.']])).toEqual([]);
  });

  it('does not flag specifics that a tool did return', () => {
    const steps: FixtureStep[] = [
      ask,
      search({ articles: [] }),
      ['call', 'get_policy', { name: 'refunds' }, { text: 'Refunds within 14 days.' }],
      ['respond', 'Refunds are possible within 14 days.'],
    ];
    expect(run(steps)).toEqual([]);
  });

  it('does not flag specifics the user gave', () => {
    const steps: FixtureStep[] = [
      ['user', 'Is order ORD-7781 refundable?'],
      ['call', 'find_order', { id: 'ORD-7781' }, []],
      ['respond', 'Order ORD-7781 is refundable under our standard policy.'],
    ];
    expect(run(steps)).toEqual([]);
  });

  it('does not flag the seed-like success path', () => {
    const steps: FixtureStep[] = [
      ask,
      search({
        articles: [{ title: 'Refund Policy', content: 'Digital products are eligible for a refund within 14 days of purchase...' }],
      }),
      ['respond', 'Our refund policy for digital products allows refunds within 14 days of purchase.'],
    ];
    expect(run(steps)).toEqual([]);
  });
});
