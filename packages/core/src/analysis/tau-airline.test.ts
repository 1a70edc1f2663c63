import { describe, expect, it } from 'vitest';
import { tauAirlineDev } from '../../../../test-support/real-data.js';
import { Trace } from '../trace/schema.js';
import { evaluateTrace } from './evaluate-trace.js';
import { Expectations } from './expectations-schema.js';

// Real GPT-4o runs of tau-bench airline (fixtures/real/tau-airline-dev): each case is a false alarm
// or a real detection the rules must keep, named by trace id and the events that show it.
const runs = tauAirlineDev();

function traceOf(id: string): Trace {
  const run = runs.get(id);
  if (!run) throw new Error(`${id} is not in the dev split`);
  return Trace.parse(run.trace);
}

/** Detectors alone: no expectations, no reported verdict. */
function findingsOf(id: string, pattern?: string) {
  return evaluateTrace(traceOf(id)).findings.filter((f) => pattern === undefined || f.pattern === pattern);
}

function asSynced(id: string) {
  const run = runs.get(id)!;
  return evaluateTrace(traceOf(id), { expectations: Expectations.parse(run.expected), reportedPassed: run.passed });
}

describe('hallucination on real airline runs', () => {
  it('does not read a scratchpad call (one free-text thought in, "" out) as a failed lookup (tau-air-17-0)', () => {
    expect(findingsOf('tau-air-17-0', 'hallucination')).toEqual([]);
  });

  it('accepts a number computed from numbers the agent cites (tau-air-11-0: $247 = 375 − 128)', () => {
    expect(findingsOf('tau-air-11-0', 'hallucination')).toEqual([]);
  });

  it('does not read Markdown labels as names (tau-air-17-3: "**Trip Type:** Round Trip")', () => {
    expect(findingsOf('tau-air-17-3', 'hallucination')).toEqual([]);
  });

  it('finds a reformatted date in its ISO source (tau-air-24-0: "May 19" for 2024-05-19)', () => {
    expect(findingsOf('tau-air-24-0', 'hallucination')).toEqual([]);
  });

  it('dates a term at the first source that has it, not at a later user turn repeating it (tau-air-20-1: the gift card amount)', () => {
    expect(findingsOf('tau-air-20-1', 'hallucination')).toEqual([]);
  });

  it('clears only the sentence that admits not finding something (tau-air-13-2: "there are no direct flights … on May 13")', () => {
    expect(findingsOf('tau-air-13-2', 'hallucination')).toEqual([]);
  });

  it('counts the system prompt as a source: policy facts like "24 hours" and today\'s date (tau-air-24-2)', () => {
    expect(findingsOf('tau-air-24-2', 'hallucination')).toEqual([]);
  });
});

describe('unsupported success claims on real airline runs', () => {
  it('keeps the real one: tau-air-5-0 says three checked bags were added after only update_reservation_flights', () => {
    const findings = findingsOf('tau-air-5-0', 'unsupported_success_claim');
    expect(findings).toMatchObject([{ severity: 'high', basis: 'evidence', event_indexes: [19] }]);
    expect(findings[0]?.summary).toBe('Said "three checked bags have been added" but no tool that could do that was called.');
  });

  it('does not read a description of a record as a claim (tau-air-18-0: "it was created on 2024-05-11")', () => {
    expect(findingsOf('tau-air-18-0', 'unsupported_success_claim')).toEqual([]);
  });

  it('does not read conditions as claims (tau-air-18-3 "unless they were booked", tau-air-20-0 "once they have been added")', () => {
    expect(findingsOf('tau-air-18-3', 'unsupported_success_claim')).toEqual([]);
    expect(findingsOf('tau-air-20-0', 'unsupported_success_claim')).toEqual([]);
  });

  it('accepts a refund done as a side effect of a call that returned payment lines (tau-air-6-0)', () => {
    expect(findingsOf('tau-air-6-0', 'unsupported_success_claim')).toEqual([]);
  });

  it('matches a claim to the call that acted on its object (tau-air-16-3: the certificate "issued" by send_certificate)', () => {
    expect(findingsOf('tau-air-16-3', 'unsupported_success_claim')).toEqual([]);
  });
});

describe('other detectors on real airline runs', () => {
  it('keeps the real loop: tau-air-9-2 repeats the same failing book_reservation', () => {
    const loops = findingsOf('tau-air-9-2', 'loop');
    expect(loops).toMatchObject([{ severity: 'high', basis: 'evidence' }]);
    expect(loops[0]?.summary).toMatch(/^Alternated between book_reservation with user_id "mohamed_silva_9265" and think/);
  });

  it('counts an error reported in other words as reported, and "to complete the transaction" as no success claim (tau-air-23-2)', () => {
    expect(findingsOf('tau-air-23-2', 'ignored_tool_error')).toEqual([]);
    expect(findingsOf('tau-air-15-1', 'ignored_tool_error')).toEqual([]);
  });

  it('does not say a lookup stood in for a state-changing call that never happened (tau-air-5-0, events 5–6)', () => {
    const misuse = asSynced('tau-air-5-0').findings.filter((f) => f.pattern === 'tool_misuse');
    expect(misuse.map((f) => f.summary).filter((s) => s.includes('instead of'))).toEqual([]);
  });
});

describe('expectation checks on real airline runs', () => {
  it.each(['tau-air-13-1', 'tau-air-15-2', 'tau-air-15-3'])(
    'makes a forbidden call that failed (nothing changed) a milder finding, not a failed run (%s)',
    (id) => {
      const evaluation = asSynced(id);
      expect(evaluation.checks.filter((c) => c.kind === 'forbidden_tool')).toEqual([]);
      expect(evaluation.findings.map((f) => [f.pattern, f.severity])).toContainEqual(['forbidden_tool_attempt', 'medium']);
    },
  );

  it('fails those runs when the expectations say attempts count', () => {
    const run = runs.get('tau-air-13-1')!;
    const expectations = Expectations.parse({ ...run.expected, forbidden_attempts_fail: true });
    expect(evaluateTrace(traceOf('tau-air-13-1'), { expectations }).checks.map((c) => c.kind)).toContain('forbidden_tool');
  });

  it('never repeats a message: one check per unmatched expected call (tau-air-2-0)', () => {
    const messages = asSynced('tau-air-2-0').checks.map((c) => c.message);
    expect(messages.length).toBeGreaterThan(1);
    expect(new Set(messages).size).toBe(messages.length);
  });
});
