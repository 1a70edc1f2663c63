import type { Trace } from '../trace/schema.js';
import type { DetectorContext } from './detector-context.js';
import type { DetectorDescriptor } from './detector.js';
import type { Finding } from './types.js';

/** Step budget: the agent took more steps than the scenario allows (mirrors the failed check). */
export function detectStepBudget(trace: Trace, ctx: DetectorContext): Finding[] {
  return ctx.checks
    .filter((c) => c.kind === 'step_budget_exceeded')
    .map((c) => ({
      pattern: 'step_budget_exceeded' as const,
      category: 'operational_failure' as const,
      severity: 'medium' as const,
      basis: 'expectation' as const,
      event_indexes: c.event_indexes,
      summary: c.message,
    }));
}

export const stepBudgetDetector: DetectorDescriptor = {
  pattern: 'step_budget_exceeded',
  category: 'operational_failure',
  basis: 'expectation',
  severity: 'medium (the failed budget check fails the case)',
  what: 'mirrors the failed `max_steps` check',
  detect: detectStepBudget,
};
