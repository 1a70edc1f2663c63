import type { DetectorDescriptor } from './detector.js';
import { forbiddenToolAttemptDetector } from './detect-forbidden-tool-attempt.js';
import { gaveUpDetector } from './detect-gave-up.js';
import { hallucinationDetector } from './detect-hallucination.js';
import { ignoredToolErrorDetector } from './detect-ignored-tool-error.js';
import { loopDetector } from './detect-loops.js';
import { missingToolCallDetector } from './detect-missing-tool-call.js';
import { stepBudgetDetector } from './detect-step-budget.js';
import { toolMisuseDetector } from './detect-tool-misuse.js';
import { unsupportedSuccessClaimDetector } from './detect-unsupported-success-claim.js';
import type { FindingPattern } from './types.js';

/** Every failure-pattern detector `evaluateTrace` runs, in order. Adding one is a file and a line here. */
export const DETECTORS: readonly DetectorDescriptor[] = [
  hallucinationDetector,
  toolMisuseDetector,
  missingToolCallDetector,
  loopDetector,
  ignoredToolErrorDetector,
  unsupportedSuccessClaimDetector,
  gaveUpDetector,
  forbiddenToolAttemptDetector,
  stepBudgetDetector,
];

/** Every finding pattern: the detectors' and `passing_failure`, which `evaluateTrace` derives from the verdict. */
export const FINDING_PATTERNS: readonly FindingPattern[] = [...DETECTORS.map((d) => d.pattern), 'passing_failure'];

/**
 * The findings table of docs/expectations.md, rendered from the registry (a test keeps the docs equal to it).
 *
 * @example detectorTable().split('\n')[0] // '| pattern | category | basis | severity | what |'
 */
export function detectorTable(): string {
  const rows = DETECTORS.map((d) => `| \`${d.pattern}\` | ${d.category} | ${d.basis} | ${d.severity} | ${d.what} |`);
  const derived =
    "| `passing_failure` | instruction_failure (or the first failing finding's category) | expectation (or its findings' basis) | high | reported passed, verdict failed |";
  return ['| pattern | category | basis | severity | what |', '|---|---|---|---|---|', ...rows, derived].join('\n');
}
