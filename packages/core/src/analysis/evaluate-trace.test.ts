import { describe, expect, it } from 'vitest';
import { seedExamples } from '../../../../test-support/fixtures.js';
import { Trace } from '../trace/schema.js';
import { ANALYZER_VERSION, evaluateTrace } from './evaluate-trace.js';
import { fixtureTrace } from './trace-fixture.js';

function seedTrace(): Trace {
  return Trace.parse(seedExamples().trace);
}

/** The brief's hallucination pattern: the search comes back empty, the answer still says 14 days. */
function seedHallucination(): Trace {
  const trace = seedTrace();
  const call = trace.events[1]!;
  if (call.type !== 'tool_call') throw new Error('seed changed: event 1 is not the search');
  call.data.result = { articles: [] };
  return trace;
}

const refundExpectations = {
  tools: [{ name: 'search_knowledge_base', parameters: { query: 'refund policy digital products' } }],
  response_contains: ['14 days'],
};

describe("evaluateTrace on the brief's examples", () => {
  it('passes the seed refund trace with no checks and no findings', () => {
    const evaluation = evaluateTrace(seedTrace(), { expectations: refundExpectations, reportedPassed: true });
    expect(evaluation).toEqual({
      verdict: 'passed',
      reported_passed: true,
      analyzer_version: ANALYZER_VERSION,
      checks: [],
      findings: [],
    });
  });

  it('passes the seed trace without expectations too', () => {
    expect(evaluateTrace(seedTrace()).findings).toEqual([]);
  });

  it('flags the seed hallucination variant, naming search_knowledge_base and the query', () => {
    const evaluation = evaluateTrace(seedHallucination());
    expect(evaluation.verdict).toBe('failed');
    const finding = evaluation.findings.find((f) => f.pattern === 'hallucination');
    expect(finding).toMatchObject({ category: 'knowledge_failure', severity: 'high', event_indexes: [1, 2] });
    expect(finding?.summary).toBe(
      'Called search_knowledge_base with query "refund policy digital products", got 0 results, then answered with "14 days" that no tool returned.',
    );
  });

  it('flags a result reported passed that fails its expectations as a passing failure', () => {
    const trace = seedTrace();
    const evaluation = evaluateTrace(trace, {
      expectations: { tools: ['lookup_order'], response_contains: ['30 days'] },
      reportedPassed: true,
    });
    expect(evaluation.verdict).toBe('failed');
    expect(evaluation.reported_passed).toBe(true);
    expect(evaluation.checks.map((c) => c.kind)).toEqual(['missing_tool', 'response_missing_text']);
    const finding = evaluation.findings.find((f) => f.pattern === 'passing_failure');
    expect(finding).toMatchObject({ severity: 'high', category: 'instruction_failure' });
    expect(finding?.summary).toMatch(/^Reported as passed, but 2 expectation checks failed.*lookup_order was expected but never called/);
  });

  it('flags the hallucination variant reported passed as a passing failure even without expectations', () => {
    const evaluation = evaluateTrace(seedHallucination(), { reportedPassed: true });
    expect(evaluation.findings.map((f) => f.pattern)).toEqual(['hallucination', 'passing_failure']);
  });

  it('does not flag a passing failure when the client reported the failure itself', () => {
    const evaluation = evaluateTrace(seedHallucination(), { reportedPassed: false });
    expect(evaluation.reported_passed).toBe(false);
    expect(evaluation.findings.map((f) => f.pattern)).toEqual(['hallucination']);
  });
});

describe('evaluateTrace verdicts', () => {
  it('fails on a failed check even when no detector fires', () => {
    const trace = fixtureTrace([
      ['user', 'hi'],
      ['respond', 'Hello!'],
    ]);
    const evaluation = evaluateTrace(trace, { expectations: { response_contains: ['welcome'] } });
    expect(evaluation.verdict).toBe('failed');
    expect(evaluation.findings).toEqual([]);
  });

  it('passes with only medium findings', () => {
    const trace = fixtureTrace([
      ['user', 'status?'],
      ['call', 'get_status', { id: 'a' }, { state: 'pending' }],
      ['call', 'get_status', { id: 'a' }, { state: 'running' }],
      ['call', 'get_status', { id: 'a' }, { state: 'done' }],
      ['respond', 'It is done.'],
    ]);
    const evaluation = evaluateTrace(trace);
    expect(evaluation.findings.map((f) => [f.pattern, f.severity])).toEqual([['loop', 'medium']]);
    expect(evaluation.verdict).toBe('passed');
  });

  it('adds a step budget finding next to the failed check', () => {
    const trace = fixtureTrace([
      ['user', 'q'],
      ['think', 'a'],
      ['call', 'search', { q: 1 }, ['x']],
      ['call', 'search', { q: 2 }, ['y']],
      ['respond', 'x and y'],
    ]);
    const evaluation = evaluateTrace(trace, { expectations: { max_steps: 3 } });
    expect(evaluation.checks.map((c) => c.kind)).toEqual(['step_budget_exceeded']);
    expect(evaluation.findings).toMatchObject([{ pattern: 'step_budget_exceeded', category: 'operational_failure', event_indexes: [4] }]);
  });

  it('is deterministic: the same input gives the same evaluation', () => {
    const trace = seedHallucination();
    expect(evaluateTrace(trace, { reportedPassed: true })).toEqual(evaluateTrace(trace, { reportedPassed: true }));
  });

  it('honours loop options', () => {
    const trace = fixtureTrace([
      ['user', 'q'],
      ['call', 'search', { q: 'a' }, []],
      ['call', 'search', { q: 'a' }, []],
      ['respond', 'Nothing found.'],
    ]);
    expect(evaluateTrace(trace).findings.filter((f) => f.pattern === 'loop')).toEqual([]);
    expect(evaluateTrace(trace, { options: { loopMinRepeats: 2 } }).findings.map((f) => f.pattern)).toContain('loop');
  });
});
