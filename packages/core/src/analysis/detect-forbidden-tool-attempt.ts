import type { Trace } from '../trace/schema.js';
import { describeCall } from './describe.js';
import type { DetectorContext } from './detector-context.js';
import type { DetectorDescriptor } from './detector.js';
import type { Finding } from './types.js';

/**
 * Forbidden tool attempt: a tool of `forbidden_tools` was called but the call failed, so nothing
 * changed. Worth knowing (the agent tried something the scenario rules out), not a failed case —
 * unless `forbidden_attempts_fail` says attempts count, and then the `forbidden_tool` check reports it.
 *
 * @example detectForbiddenToolAttempt(trace, buildDetectorContext(trace, { expectations: { forbidden_tools: ['cancel_order'] } }))
 */
export function detectForbiddenToolAttempt(trace: Trace, ctx: DetectorContext): Finding[] {
  const forbidden = new Set(ctx.expectations?.forbidden_tools ?? []);
  if (forbidden.size === 0 || ctx.expectations?.forbidden_attempts_fail === true) return [];
  const findings: Finding[] = [];
  for (const name of forbidden) {
    const attempts = ctx.tools.filter((t) => t.tool === name && t.outcome.kind === 'error');
    const first = attempts[0];
    if (!first) continue;
    const more = attempts.length > 1 ? ` (${attempts.length} attempts)` : '';
    findings.push({
      pattern: 'forbidden_tool_attempt',
      category: 'instruction_failure',
      severity: 'medium',
      basis: 'expectation',
      event_indexes: attempts.map((t) => t.index),
      summary: `Tried ${describeCall(first.tool, first.parameters)}, a forbidden tool, which ${first.outcome.description.replace(/^got /, 'returned ')}${more}, so nothing changed.`,
    });
  }
  return findings;
}

export const forbiddenToolAttemptDetector: DetectorDescriptor = {
  pattern: 'forbidden_tool_attempt',
  category: 'instruction_failure',
  basis: 'expectation',
  severity: 'medium (fails the case only with `forbidden_attempts_fail`, through the `forbidden_tool` check)',
  what: 'a tool of `forbidden_tools` was called but the call failed, so nothing changed',
  detect: detectForbiddenToolAttempt,
};
