import type { Trace, TraceEvent } from '../trace/schema.js';
import { describeCall, plural, quoteValue } from './describe.js';
import type { Expectations, ParameterMatchMode } from './expectations-schema.js';
import { matchParameters, type ParameterMismatch } from './parameter-match.js';
import { classifyResult } from './result-outcome.js';
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
  /** A tool_error, or a result that is an error: the call took no effect. */
  failed: boolean;
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
    if (event.type === 'tool_call') {
      const failed = Object.hasOwn(event.data, 'result') && classifyResult(event.data.result).kind === 'error';
      calls.push({ index, tool: event.data.tool, parameters: event.data.parameters, failed });
    } else if (event.type === 'tool_error') {
      calls.push({ index, tool: event.data.tool, parameters: event.data.parameters ?? {}, failed: true });
    } else if (event.type === 'agent_response') {
      responses.push({ index, text: event.data.message });
    }
  });

  checks.push(...checkTools(calls, expectations));
  checks.push(...checkForbidden(calls, expectations.forbidden_tools ?? [], expectations.forbidden_attempts_fail === true));
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
  const assigned = pairCalls(expected, calls, order);
  const used = new Set(assigned.filter((pos) => pos >= 0));
  const checks: Check[] = [];
  const unmatched = expected.map((exp, k) => (assigned[k]! < 0 ? k : -1)).filter((k) => k >= 0);

  expected.forEach((exp, k) => {
    const pos = assigned[k]!;
    if (pos < 0) {
      checks.push(missingCheck(expected, k, unmatched, calls));
      return;
    }
    const call = calls[pos]!;
    if (exp.parameters === undefined) return;
    const mismatches = matchParameters(exp.parameters, call.parameters, exp.match, exp.ignoreKeys);
    if (mismatches.length === 0) return;
    checks.push({
      kind: 'wrong_parameters',
      passed: false,
      event_indexes: [call.index],
      message: wrongParametersMessage(call, mismatches),
      details: { tool: call.tool, match: exp.match, expected: exp.parameters, actual: call.parameters, mismatches },
    });
  });

  if (order !== 'any') {
    const reordered = findReorder(expected, assigned, calls);
    if (reordered) checks.push(reordered);
  }
  const exact = new Set(expectations.exact_tools ?? []);
  calls.forEach((call, pos) => {
    if (used.has(pos)) return;
    if (order === 'strict') checks.push(extraCheck(call, 'is not in the expected tools'));
    else if (exact.has(call.tool) && !call.failed)
      checks.push(extraCheck(call, 'is not one of the listed calls of that tool (exact_tools)'));
  });
  return checks;
}

function extraCheck(call: Call, why: string): Check {
  return {
    kind: 'extra_tool',
    passed: false,
    event_indexes: [call.index],
    message: `${describeCall(call.tool, call.parameters)} was called (event ${call.index}) but ${why}.`,
    details: { tool: call.tool, parameters: call.parameters },
  };
}

// One check per expected call that no call matched; when several of one tool are unmatched, each
// names the parameters it wanted, so no two messages repeat.
function missingCheck(expected: NormalizedExpectedTool[], k: number, unmatched: number[], calls: Call[]): Check {
  const exp = expected[k]!;
  const sameTool = expected.map((e, i) => (e.name === exp.name ? i : -1)).filter((i) => i >= 0);
  const calledTimes = calls.filter((c) => c.tool === exp.name).length;
  const wanted = sameTool.length;
  let message =
    calledTimes === 0
      ? `${exp.name} was expected but never called`
      : `${exp.name} was expected ${plural(wanted, 'time')} but called ${plural(calledTimes, 'time')}`;
  const unmatchedHere = unmatched.filter((i) => expected[i]!.name === exp.name);
  if (unmatchedHere.length > 1 || (calledTimes > 0 && exp.parameters !== undefined)) {
    const which = wanted > 1 ? ` (expected call ${sameTool.indexOf(k) + 1} of ${wanted})` : '';
    const params =
      exp.parameters !== undefined ? `: none with ${describeCall(exp.name, exp.parameters).replace(`${exp.name} with `, '')}` : '';
    message += `${params}${which}`;
  }
  return {
    kind: 'missing_tool',
    passed: false,
    event_indexes: [],
    message: `${message}.`,
    details: { tool: exp.name, expected_times: wanted, called_times: calledTimes },
  };
}

/**
 * Pairs each expected call with at most one actual call of the same tool. Exact fits are paired
 * first (in order when order matters), then the rest by fewest parameter differences, so calls made
 * in another order or with one call missing do not cascade into wrong-parameter reports.
 */
function pairCalls(expected: NormalizedExpectedTool[], calls: Call[], order: 'strict' | 'in_order' | 'any'): number[] {
  const positionsByName = new Map<string, number[]>();
  calls.forEach((call, pos) => {
    const list = positionsByName.get(call.tool);
    if (list) list.push(pos);
    else positionsByName.set(call.tool, [pos]);
  });
  const used = new Array<boolean>(calls.length).fill(false);
  const assigned = new Array<number>(expected.length).fill(-1);
  // A call that failed took no effect: any call that did is a better partner for the same differences.
  const cost = (k: number, pos: number): number => {
    const exp = expected[k]!;
    const call = calls[pos]!;
    const differences =
      exp.parameters === undefined ? 0 : matchParameters(exp.parameters, call.parameters, exp.match, exp.ignoreKeys).length;
    return differences + (call.failed ? 0.5 : 0);
  };
  const take = (k: number, pos: number): void => {
    assigned[k] = pos;
    used[pos] = true;
  };
  let cursor = -1;
  expected.forEach((exp, k) => {
    const free = (positionsByName.get(exp.name) ?? []).filter((pos) => !used[pos] && cost(k, pos) < 1);
    free.sort((a, b) => cost(k, a) - cost(k, b) || a - b);
    const pos = (order !== 'any' ? free.find((p) => p > cursor) : undefined) ?? free[0];
    if (pos === undefined) return;
    take(k, pos);
    if (pos > cursor) cursor = pos;
  });
  // The rest: repeatedly pair the closest remaining (expected, call) couple; ties go to the earlier call.
  for (;;) {
    let best: { k: number; pos: number; cost: number } | undefined;
    expected.forEach((exp, k) => {
      if (assigned[k]! >= 0) return;
      for (const pos of positionsByName.get(exp.name) ?? []) {
        if (used[pos]) continue;
        const c = cost(k, pos);
        if (!best || c < best.cost) best = { k, pos, cost: c };
      }
    });
    if (!best) break;
    take(best.k, best.pos);
  }
  return assigned;
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

// A forbidden call that failed changed nothing: it is a milder finding (forbidden_tool_attempt), not
// a failed check, unless the expectations say attempts count.
function checkForbidden(calls: Call[], forbidden: readonly string[], attemptsFail: boolean): Check[] {
  if (forbidden.length === 0) return [];
  const checks: Check[] = [];
  for (const name of new Set(forbidden)) {
    const hits = calls.filter((c) => c.tool === name && (attemptsFail || !c.failed)).map((c) => c.index);
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
