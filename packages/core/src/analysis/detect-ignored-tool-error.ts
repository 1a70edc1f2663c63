import type { Trace } from '../trace/schema.js';
import { describeCall } from './describe.js';
import type { DetectorContext, ToolStep } from './detector-context.js';
import { nextResponse } from './detect-tool-misuse.js';
import type { DetectorDescriptor } from './detector.js';
import { actionClaims, reportsFailure } from './response-text.js';
import type { Finding } from './types.js';

// "Completed", not "to complete the transaction" (a request, not a claim).
const CLAIMS_SUCCESS = /\b(?:success(?:fully)?|done|completed|all set|confirmed|is ready|went through)\b/i;

/**
 * Ignored tool error: a tool failed and the next response neither reports the failure nor follows a
 * successful later call (a retry or an alternative) — it answers as if nothing went wrong.
 */
export function detectIgnoredToolError(trace: Trace, ctx: DetectorContext): Finding[] {
  const findings: Finding[] = [];
  const byResponse = new Map<number, ToolStep[]>();
  const tools = ctx.tools;
  for (let pos = 0; pos < tools.length; pos++) {
    const step = tools[pos]!;
    if (step.outcome.kind !== 'error') continue;
    const response = nextResponse(ctx, step.index);
    if (!response) continue;
    let recovered = false;
    for (let k = pos + 1; k < tools.length && tools[k]!.index < response.index; k++) {
      if (tools[k]!.outcome.kind === 'data') {
        recovered = true;
        break;
      }
    }
    if (recovered || reportsFailure(response.text)) continue;
    const list = byResponse.get(response.index);
    if (list) list.push(step);
    else byResponse.set(response.index, [step]);
  }
  for (const [responseIndex, errors] of byResponse) {
    const text = ctx.responses.find((r) => r.index === responseIndex)?.text ?? '';
    const first = errors[0]!;
    const claims = actionClaims(text).length > 0 || CLAIMS_SUCCESS.test(text);
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more failed calls)` : '';
    findings.push({
      pattern: 'ignored_tool_error',
      category: 'communication_failure',
      severity: claims ? 'high' : 'medium',
      basis: 'evidence',
      event_indexes: [...errors.map((e) => e.index), responseIndex],
      summary: `Called ${describeCall(first.tool, first.parameters)}, which ${first.outcome.description.replace(/^got /, 'returned ')}${more}, then ${claims ? 'claimed success' : 'answered'} without retrying or mentioning the error.`,
    });
  }
  return findings;
}

export const ignoredToolErrorDetector: DetectorDescriptor = {
  pattern: 'ignored_tool_error',
  category: 'communication_failure',
  basis: 'evidence',
  severity: 'high if the response claims success, else medium',
  what: 'a tool failed and the response neither reports it (in any words) nor follows a later successful call',
  detect: detectIgnoredToolError,
};
