import type { Trace } from '../trace/schema.js';
import { describeCall, quoteValue } from './describe.js';
import type { DetectorContext, ToolStep } from './detector-context.js';
import { reportsFailure } from './response-text.js';
import type { DetectorDescriptor } from './detector.js';
import { changesState } from './tool-kinds.js';
import type { Finding, Severity } from './types.js';

const VALIDATION_ERROR =
  /\b(?:invalid|validation|(?:is|are) required|required (?:param\w*|argument|field|key|property)|missing (?:required )?(?:param\w*|argument|field|key)|must be|is not (?:a valid|allowed|supported)|not a valid|unknown (?:param\w*|argument|field|key)|unexpected (?:param\w*|argument|keyword|field)|type ?error|schema|malformed|bad request|unprocessable|wrong type|expected (?:a |an )?\w+(?: but| ,)? got)\b|\b(?:400|422)\b/i;

/** Whether an error message says the call's arguments were wrong (the agent's fault, not the tool's). */
export function isValidationError(text: string, type?: string): boolean {
  return VALIDATION_ERROR.test(text) || (type !== undefined && /valid|argument|param|schema|type_?error/i.test(type));
}

/**
 * Tool misuse: the wrong tool for the expectations, the right tool with wrong parameters, a tool that
 * was not offered, or parameters that made the tool fail validation — followed by an answer built on
 * the irrelevant result instead of a corrected call.
 */
export function detectToolMisuse(trace: Trace, ctx: DetectorContext): Finding[] {
  const findings: Finding[] = [];
  const byIndex = new Map(ctx.tools.map((t) => [t.index, t]));

  for (const check of ctx.checks) {
    if (check.kind !== 'wrong_parameters') continue;
    const step = byIndex.get(check.event_indexes[0] ?? -1);
    if (!step) continue;
    const mismatch = (check.details?.mismatches as { path: string; expected?: unknown; reason: string }[] | undefined)?.[0];
    const wanted =
      mismatch && mismatch.reason !== 'unexpected'
        ? ` where ${mismatch.path} ${quoteValue(mismatch.expected)} was expected`
        : ' with parameters the scenario does not expect';
    findings.push(withAnswer(ctx, step, `Called ${describeCall(step.tool, step.parameters)}${wanted}`));
  }

  // "Instead of" needs a stand-in: a call of an unexpected tool with the same purpose as the missing
  // one (it reads or writes as the missing one would), made where the missing call belonged — after
  // the expected call before it and before the one after it.
  const expected = (ctx.expectations?.tools ?? []).map((t) => (typeof t === 'string' ? t : t.name));
  const expectedNames = new Set(expected);
  const missing = ctx.checks.filter((c) => c.kind === 'missing_tool' && (c.details?.called_times ?? 0) === 0);
  // One tool has one purpose: it stands in for at most one missing tool.
  const usedStandIns = new Set<string>();
  for (const check of missing) {
    const name = String(check.details?.tool);
    const slot = slotOf(ctx, expected, name);
    const standIn = ctx.tools.find(
      (t) =>
        !expectedNames.has(t.tool) &&
        !usedStandIns.has(t.tool) &&
        t.index > slot.after &&
        t.index < slot.before &&
        samePurpose(t.tool, name),
    );
    if (!standIn) continue;
    usedStandIns.add(standIn.tool);
    findings.push(withAnswer(ctx, standIn, `Called ${describeCall(standIn.tool, standIn.parameters)} instead of ${name}`));
  }

  const offered = ctx.toolsOffered;
  if (offered && offered.length > 0) {
    const offeredSet = new Set(offered);
    for (const step of ctx.tools) {
      if (offeredSet.has(step.tool)) continue;
      findings.push({
        pattern: 'tool_misuse',
        category: 'tool_usage_failure',
        severity: 'medium',
        basis: 'evidence',
        event_indexes: [step.index],
        summary: `Called ${describeCall(step.tool, step.parameters)}, a tool that was not offered, and ${step.outcome.kind === 'data' ? 'used its result' : step.outcome.description}.`,
      });
    }
  }

  for (let pos = 0; pos < ctx.tools.length; pos++) {
    const step = ctx.tools[pos]!;
    if (step.outcome.kind !== 'error' || !isValidationError(step.errorText ?? '', step.errorType)) continue;
    if (offered && offered.length > 0 && !offered.includes(step.tool)) continue;
    const response = nextResponse(ctx, step.index);
    const limit = response?.index ?? Number.POSITIVE_INFINITY;
    const corrected = ctx.tools.slice(pos + 1).some((t) => t.index < limit && t.tool === step.tool && t.outcome.kind === 'data');
    if (corrected) continue;
    const honest = response !== undefined && reportsFailure(response.text);
    const severity: Severity = response !== undefined && !honest ? 'high' : 'medium';
    const then =
      response === undefined
        ? 'and never called it correctly'
        : honest
          ? 'then reported the failure without a corrected call'
          : 'then answered without a corrected call';
    findings.push({
      pattern: 'tool_misuse',
      category: 'tool_usage_failure',
      severity,
      basis: 'evidence',
      event_indexes: response ? [step.index, response.index] : [step.index],
      summary: `Called ${describeCall(step.tool, step.parameters)}, which was rejected with ${quoteValue(step.errorText ?? '')}, ${then}.`,
    });
  }
  return findings;
}

// Where a missing expected call belonged: between the calls of its neighbours in the expected list.
function slotOf(ctx: DetectorContext, expected: readonly string[], name: string): { after: number; before: number } {
  const k = expected.indexOf(name);
  const firstCall = (tool: string | undefined): number | undefined => ctx.tools.find((t) => t.tool === tool)?.index;
  let after = -1;
  for (let i = k - 1; i >= 0; i--) {
    const at = firstCall(expected[i]);
    if (at !== undefined) {
      after = at;
      break;
    }
  }
  let before = Number.POSITIVE_INFINITY;
  for (let i = k + 1; i < expected.length; i++) {
    const at = firstCall(expected[i]);
    if (at !== undefined) {
      before = at;
      break;
    }
  }
  return { after, before };
}

// A lookup stands in for a lookup, a change for a change: reading a record is not doing what a
// missing state-changing call would have done.
function samePurpose(actual: string, wanted: string): boolean {
  const probe = (tool: string): ToolStep => ({
    index: -1,
    tool,
    parameters: {},
    outcome: { kind: 'data', description: '' },
    hasResult: false,
  });
  return changesState(probe(actual)) === changesState(probe(wanted));
}

function withAnswer(ctx: DetectorContext, step: ToolStep, what: string): Finding {
  const response = nextResponse(ctx, step.index);
  return {
    pattern: 'tool_misuse',
    category: 'tool_usage_failure',
    severity: response ? 'high' : 'medium',
    basis: 'expectation',
    event_indexes: response ? [step.index, response.index] : [step.index],
    summary: response ? `${what}, then answered from its result.` : `${what}.`,
  };
}

/** The first agent_response after an event, if any (binary search). */
export function nextResponse(ctx: DetectorContext, index: number): { index: number; text: string } | undefined {
  let lo = 0;
  let hi = ctx.responses.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ctx.responses[mid]!.index > index) hi = mid;
    else lo = mid + 1;
  }
  return ctx.responses[lo];
}

export const toolMisuseDetector: DetectorDescriptor = {
  pattern: 'tool_misuse',
  category: 'tool_usage_failure',
  basis: 'expectation',
  severity: 'high with an answer built on it, else medium',
  what: 'the right tool with wrong parameters, another tool standing in for a missing expected one (both look up or both change state, where the missing call belonged), a tool that was not offered, or parameters the tool rejected as invalid with no corrected call',
  detect: detectToolMisuse,
};
