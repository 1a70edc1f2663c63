import type { Trace } from '../trace/schema.js';
import { describeCall, quoteValue } from './describe.js';
import type { DetectorContext, ToolStep } from './detector-context.js';
import type { DetectorDescriptor } from './detector.js';
import { actionClaims } from './response-text.js';
import type { Finding } from './types.js';

interface Able {
  /** Event index of the first successful call that could have done the action. */
  firstOk: number;
  /** Failed calls that could have done it, in event order. */
  failed: ToolStep[];
}

/**
 * Unsupported success claim: the response says something was done — booked, refunded, cancelled,
 * sent, updated, created — but no successful tool call before it could have done it.
 */
export function detectUnsupportedSuccessClaim(trace: Trace, ctx: DetectorContext): Finding[] {
  const findings: Finding[] = [];
  // One pass over the tools per kind of action, however many responses claim it.
  const ableByStems = new Map<readonly string[], Able>();
  const ableFor = (stems: readonly string[]): Able => {
    let able = ableByStems.get(stems);
    if (!able) {
      able = { firstOk: Number.POSITIVE_INFINITY, failed: [] };
      for (const t of ctx.tools) {
        const name = t.tool.toLowerCase();
        if (!stems.some((stem) => name.includes(stem))) continue;
        if (t.outcome.kind === 'error') able.failed.push(t);
        else if (able.firstOk === Number.POSITIVE_INFINITY) able.firstOk = t.index;
      }
      ableByStems.set(stems, able);
    }
    return able;
  };
  for (const response of ctx.responses) {
    for (const claim of actionClaims(response.text)) {
      const able = ableFor(claim.stems);
      if (able.firstOk < response.index) continue;
      const failed = lastBefore(able.failed, response.index);
      const why = failed
        ? `but ${describeCall(failed.tool, failed.parameters)} ${failed.outcome.description.replace(/^got /, 'returned ')}`
        : 'but no tool that could do that was called';
      findings.push({
        pattern: 'unsupported_success_claim',
        category: 'communication_failure',
        severity: 'high',
        basis: 'evidence',
        event_indexes: failed ? [failed.index, response.index] : [response.index],
        summary: `Said ${quoteValue(claim.text)} ${why}.`,
      });
      break;
    }
  }
  return findings;
}

function lastBefore(steps: readonly ToolStep[], index: number): ToolStep | undefined {
  let lo = 0;
  let hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (steps[mid]!.index < index) lo = mid + 1;
    else hi = mid;
  }
  return steps[lo - 1];
}

export const unsupportedSuccessClaimDetector: DetectorDescriptor = {
  pattern: 'unsupported_success_claim',
  category: 'communication_failure',
  basis: 'evidence',
  severity: 'high',
  what: 'the response says something was booked/refunded/cancelled/sent/updated/added… and no successful state-changing call before it could have done it',
  detect: detectUnsupportedSuccessClaim,
};
