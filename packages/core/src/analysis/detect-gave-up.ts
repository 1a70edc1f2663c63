import type { Trace } from '../trace/schema.js';
import { describeCall } from './describe.js';
import { toolsBetween, type DetectorContext } from './detector-context.js';
import type { DetectorDescriptor } from './detector.js';
import { givesUp } from './response-text.js';
import type { Finding } from './types.js';

/**
 * Gave up: the response abandons the task outright ("I give up and restart"), so the case cannot
 * pass (high). An honest "I could not find it" is not giving up. Blamed on operations
 * when tool calls failed or came back empty before it, on reasoning otherwise.
 */
export function detectGaveUp(trace: Trace, ctx: DetectorContext): Finding[] {
  const findings: Finding[] = [];
  let previous = -1;
  for (const response of ctx.responses) {
    const window = toolsBetween(ctx, previous, response.index);
    previous = response.index;
    if (!givesUp(response.text)) continue;
    const failed = window.filter((t) => t.outcome.kind !== 'data');
    const last = failed[failed.length - 1];
    findings.push({
      pattern: 'gave_up',
      category: last ? 'operational_failure' : 'reasoning_failure',
      severity: 'high',
      basis: 'evidence',
      event_indexes: [...failed.map((t) => t.index), response.index],
      summary: last
        ? `Gave up after ${describeCall(last.tool, last.parameters)} ${last.outcome.description.replace(/^got /, 'returned ')}${failed.length > 1 ? ` (${failed.length} of ${window.length} calls failed or came back empty)` : ''}.`
        : `Gave up on the task${window.length > 0 ? ` after ${window.length} tool calls that returned data` : ' without calling a tool'}.`,
    });
  }
  return findings;
}

export const gaveUpDetector: DetectorDescriptor = {
  pattern: 'gave_up',
  category: 'operational_failure',
  basis: 'evidence',
  severity: 'high',
  what: 'the response abandons the task in so many words ("I give up and restart"); operational_failure when tools failed before it, else reasoning_failure',
  detect: detectGaveUp,
};
