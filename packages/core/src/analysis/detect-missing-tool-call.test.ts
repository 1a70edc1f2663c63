import { describe, expect, it } from 'vitest';
import { buildDetectorContext } from './detector-context.js';
import { detectMissingToolCall } from './detect-missing-tool-call.js';
import type { Expectations } from './expectations-schema.js';
import { fixtureTrace, type FixtureStep } from './trace-fixture.js';

function run(steps: FixtureStep[], expectations?: Expectations) {
  const trace = fixtureTrace(steps);
  return detectMissingToolCall(trace, buildDetectorContext(trace, expectations ? { expectations } : {}));
}

const answerFromMemory: FixtureStep[] = [
  ['user', 'What is your refund policy for digital products?'],
  ['respond', 'Digital products can be refunded within 14 days.'],
];

describe('detectMissingToolCall', () => {
  it('flags an answer without tool calls when the expectations require tools', () => {
    expect(run(answerFromMemory, { tools: ['search_knowledge_base'] })).toEqual([
      {
        pattern: 'missing_tool_call',
        category: 'tool_usage_failure',
        severity: 'high',
        basis: 'expectation',
        event_indexes: [1],
        summary: 'Answered without calling any tool, although search_knowledge_base was expected.',
      },
    ]);
  });

  it('flags an answer with specifics when tools were offered and none was called', () => {
    const findings = run([['meta', { tools_offered: ['search_knowledge_base', 'get_order'] }], ...answerFromMemory]);
    expect(findings).toMatchObject([{ severity: 'medium', event_indexes: [2] }]);
    expect(findings[0]?.summary).toBe(
      'Answered with "14 days" without calling any of the offered tools (search_knowledge_base and get_order).',
    );
  });

  it('does not flag when a tool was called, no tool was offered, or the answer states nothing specific', () => {
    expect(
      run([answerFromMemory[0]!, ['call', 'search_knowledge_base', { query: 'x' }, ['14 days']], answerFromMemory[1]!], {
        tools: ['search_knowledge_base'],
      }),
    ).toEqual([]);
    expect(run(answerFromMemory)).toEqual([]);
    expect(
      run([
        ['meta', { tools_offered: ['search'] }],
        ['user', 'Hi there'],
        ['respond', 'Hello! How can I help?'],
      ]),
    ).toEqual([]);
  });
});
