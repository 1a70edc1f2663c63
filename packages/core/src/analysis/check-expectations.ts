import type { Trace, TraceEvent } from '../trace/schema.js';
import { describeCall, plural, quoteValue } from './describe.js';
import type { Expectations, ParameterMatchMode } from './expectations-schema.js';
import { matchParameters, type ParameterMismatch } from './parameter-match.js';
import type { Check } from './types.js';

/** Event types that count as a step against `max_steps`. */
export const STEP_EVENT_TYPES: ReadonlySet<TraceEvent['type']> = new Set(['tool_call', 'tool_error', 'agent_reasoning', 'agent_response']);

/**
 * Steps the agent took: tool calls, tool errors, reasoning and responses. User inputs, metadata and
 * custom events are not the agent's steps and do not count.
 */
export function countSteps(trace: Pick<Trace, 'events'>): number {
  let n = 0;
  for (const event of trace.events) if (STEP_EVENT_TYPES.has(event.type)) n++;
  return n;
}

interface Call {
  index: number;
  tool: string;
  parameters: Record<string, unknown>;
}

interface NormalizedExpectedTool {
  name: string;
  parameters?: Record<string, unknown>;
  match: ParameterMatchMode;
  ignoreKeys: string[];
}

/**
 * Compares a trace with what its scenario expects and returns the failed checks (passing checks are
 * not listed; an empty array means every expectation holds). See docs/expectations.md.
 *
 * @example checkExpectations(trace, { tools: ['search_knowledge_base'], response_contains: ['14 days'] })
 */
export function checkExpectations(trace: Trace, expectations: Expectations): Check[] {
  const checks: Check[] = [];
  const calls: Call[] = [];
  const responses: { index: number; text: string }[] = [];
  trace.events.forEach((event, index) => {
    if (event.type === 'tool_call' || event.type === 'tool_error') {
      calls.push({ index, tool: event.data.tool, parameters: event.data.parameters ?? {} });
    } else if (event.type === 'agent_response') {
      responses.push({ index, text: event.data.message });
    }
  });

  checks.push(...checkTools(calls, expectations));
  checks.push(...checkForbidden(calls, expectations.forbidden_tools ?? []));
  checks.push(...checkBudgets(trace, calls, expectations));
  checks.push(...checkResponse(responses, expectations));
  return checks;
}

function normalizeExpected(expectations: Expectations): NormalizedExpectedTool[] {
  const defaultMatch = expectations.parameter_match ?? 'subset';
  const sharedIgnore = expectations.ignore_keys ?? [];
  return (expectations.tools ?? []).map((tool) => {
    if (typeof tool === 'string') return { name: tool, match: defaultMatch, ignoreKeys: sharedIgnore };
    const out: NormalizedExpectedTool = {
      name: tool.name,
      match: tool.match ?? defaultMatch,
      ignoreKeys: [...sharedIgnore, ...(tool.ignore_keys ?? [])],
    };
    if (tool.parameters !== undefined) out.parameters = tool.parameters;
    return out;
  });
}

function checkTools(calls: Call[], expectations: Expectations): Check[] {
  const expected = normalizeExpected(expectations);
  if (expected.length === 0) return [];
  const order = expectations.order ?? 'in_order';
  const positionsByName = new Map<string, number[]>();
  calls.forEach((call, pos) => {
    const list = positionsByName.get(call.tool);
    if (list) list.push(pos);
    else positionsByName.set(call.tool, [pos]);
  });
  const used = new Array<boolean>(calls.length).fill(false);
  const assigned: number[] = [];
  const checks: Check[] = [];
  let cursor = -1;

  for (const exp of expected) {
    const positions = positionsByName.get(exp.name) ?? [];
    const fits = (pos: number): boolean =>
      exp.parameters === undefined || matchParameters(exp.parameters, calls[pos]!.parameters, exp.match, exp.ignoreKeys).length === 0;
    const find = (pred: (pos: number) => boolean): number => positions.find((pos) => !used[pos] && pred(pos)) ?? -1;
    let pos = -1;
    if (order !== 'any') {
      pos = find((p) => p > cursor && fits(p));
      if (pos < 0) pos = find((p) => p > cursor);
    }
    if (pos < 0) pos = find(fits);
    if (pos < 0) pos = find(() => true);
    assigned.push(pos);
    if (pos < 0) {
      const calledTimes = positions.length;
      const wanted = expected.filter((e) => e.name === exp.name).length;
      checks.push({
        kind: 'missing_tool',
        passed: false,
        event_indexes: [],
        message:
          calledTimes === 0
            ? `${exp.name} was expected but never called.`
            : `${exp.name} was expected ${plural(wanted, 'time')} but called ${plural(calledTimes, 'time')}.`,
        details: { tool: exp.name, expected_times: wanted, called_times: calledTimes },
      });
      continue;
    }
    used[pos] = true;
    if (pos > cursor) cursor = pos;
    const call = calls[pos]!;
    if (exp.parameters !== undefined) {
      const mismatches = matchParameters(exp.parameters, call.parameters, exp.match, exp.ignoreKeys);
      if (mismatches.length > 0) {
        checks.push({
          kind: 'wrong_parameters',
          passed: false,
          event_indexes: [call.index],
          message: wrongParametersMessage(call, mismatches),
          details: {
            tool: call.tool,
            match: exp.match,
            expected: exp.parameters,
            actual: call.parameters,
            mismatches,
          },
        });
      }
    }
  }

  if (order !== 'any') {
    const reordered = findReorder(expected, assigned, calls);
    if (reordered) checks.push(reordered);
  }
  if (order === 'strict') {
    calls.forEach((call, pos) => {
      if (used[pos]) return;
      checks.push({
        kind: 'extra_tool',
        passed: false,
        event_indexes: [call.index],
        message: `${describeCall(call.tool, call.parameters)} was called (event ${call.index}) but is not in the expected tools.`,
        details: { tool: call.tool, parameters: call.parameters },
      });
    });
  }
  return checks;
}

function findReorder(expected: NormalizedExpectedTool[], assigned: number[], calls: Call[]): Check | undefined {
  let maxPos = -1;
  let maxK = -1;
  for (let k = 0; k < assigned.length; k++) {
    const pos = assigned[k]!;
    if (pos < 0) continue;
    if (pos < maxPos) {
      const early = calls[pos]!;
      const late = calls[maxPos]!;
      const actualOrder = assigned
        .filter((p) => p >= 0)
        .sort((a, b) => a - b)
        .map((p) => calls[p]!.tool);
      return {
        kind: 'reordered_tools',
        passed: false,
        event_indexes: [early.index, late.index].sort((a, b) => a - b),
        message: `${expected[maxK]!.name} was expected before ${expected[k]!.name}, but ${early.tool} was called first (event ${early.index}, then event ${late.index}).`,
        details: { expected_order: expected.map((e) => e.name), actual_order: actualOrder },
      };
    }
    maxPos = pos;
    maxK = k;
  }
  return undefined;
}

function wrongParametersMessage(call: Call, mismatches: ParameterMismatch[]): string {
  const first = mismatches[0]!;
  const more = mismatches.length > 1 ? ` (and ${plural(mismatches.length - 1, 'more difference')})` : '';
  let what: string;
  if (first.reason === 'missing') what = `without ${first.path} (expected ${quoteValue(first.expected)})`;
  else if (first.reason === 'unexpected') what = `with an unexpected ${first.path} ${quoteValue(first.actual)}`;
  else what = `with ${first.path} ${quoteValue(first.actual)} where ${quoteValue(first.expected)} was expected`;
  return `${call.tool} was called ${what}${more} (event ${call.index}).`;
}

function checkForbidden(calls: Call[], forbidden: readonly string[]): Check[] {
  if (forbidden.length === 0) return [];
  const checks: Check[] = [];
  for (const name of new Set(forbidden)) {
    const hits = calls.filter((c) => c.tool === name).map((c) => c.index);
    if (hits.length === 0) continue;
    checks.push({
      kind: 'forbidden_tool',
      passed: false,
      event_indexes: hits,
      message: `${name} is forbidden but was called ${plural(hits.length, 'time')} (first at event ${hits[0]}).`,
      details: { tool: name, calls: hits.length },
    });
  }
  return checks;
}

function checkBudgets(trace: Trace, calls: Call[], expectations: Expectations): Check[] {
  const checks: Check[] = [];
  const maxSteps = expectations.max_steps;
  if (maxSteps !== undefined) {
    let steps = 0;
    let firstOver = -1;
    trace.events.forEach((event, index) => {
      if (!STEP_EVENT_TYPES.has(event.type)) return;
      steps++;
      if (steps === maxSteps + 1) firstOver = index;
    });
    if (steps > maxSteps) {
      checks.push({
        kind: 'step_budget_exceeded',
        passed: false,
        event_indexes: [firstOver],
        message: `The agent took ${steps} steps where at most ${maxSteps} were allowed; step ${maxSteps + 1} is event ${firstOver}.`,
        details: { steps, max_steps: maxSteps },
      });
    }
  }
  const maxCalls = expectations.max_tool_calls;
  if (maxCalls !== undefined && calls.length > maxCalls) {
    const firstOver = calls[maxCalls]!;
    checks.push({
      kind: 'tool_budget_exceeded',
      passed: false,
      event_indexes: [firstOver.index],
      message: `The agent made ${calls.length} tool calls where at most ${maxCalls} were allowed; call ${maxCalls + 1} is ${firstOver.tool} (event ${firstOver.index}).`,
      details: { tool_calls: calls.length, max_tool_calls: maxCalls },
    });
  }
  return checks;
}

function checkResponse(responses: { index: number; text: string }[], expectations: Expectations): Check[] {
  const must = expectations.response_contains ?? [];
  const mustNot = expectations.response_not_contains ?? [];
  if (must.length === 0 && mustNot.length === 0) return [];
  const caseSensitive = expectations.case_sensitive ?? false;
  const fold = (s: string): string => (caseSensitive ? s : s.toLowerCase());
  const texts = responses.map((r) => ({ index: r.index, text: fold(r.text) }));
  const last = responses[responses.length - 1];
  const checks: Check[] = [];
  for (const phrase of must) {
    if (texts.some((t) => t.text.includes(fold(phrase)))) continue;
    checks.push({
      kind: 'response_missing_text',
      passed: false,
      event_indexes: last ? [last.index] : [],
      message: last
        ? `The response does not contain ${quoteValue(phrase)}.`
        : `There is no response, so it cannot contain ${quoteValue(phrase)}.`,
      details: { text: phrase, case_sensitive: caseSensitive },
    });
  }
  for (const phrase of mustNot) {
    const hits = texts.filter((t) => t.text.includes(fold(phrase))).map((t) => t.index);
    if (hits.length === 0) continue;
    checks.push({
      kind: 'response_forbidden_text',
      passed: false,
      event_indexes: hits,
      message: `The response contains ${quoteValue(phrase)}, which it must not (event ${hits[0]}).`,
      details: { text: phrase, case_sensitive: caseSensitive },
    });
  }
  return checks;
}
