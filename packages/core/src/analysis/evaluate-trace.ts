import type { Trace } from '../trace/schema.js';
import { checkExpectations } from './check-expectations.js';
import { buildDetectorContext } from './detector-context.js';
import type { Detect } from './detector.js';
import { DETECTORS } from './detectors.js';
import type { Expectations } from './expectations-schema.js';
import type { AnalysisOptions, Check, Evaluation, FailureCategory, Finding, FindingBasis, Severity } from './types.js';

/**
 * Version of the checks and detectors. Stored with every evaluation; bump it whenever a rule changes
 * so stored analyses can be told apart and recomputed.
 */
export const ANALYZER_VERSION = '2.0.0';

/** A detector function; see `DetectorDescriptor` for the registered form. */
export type Detector = Detect;

export interface EvaluateInput {
  expectations?: Expectations;
  /** What the client said (`passed` of the synced result); a failed trace reported passed is a passing failure. */
  reportedPassed?: boolean;
  options?: AnalysisOptions;
}

const SEVERITY_RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

/**
 * Checks a trace against its expectations and runs every failure-pattern detector. The verdict is
 * `failed` when any check fails or any high-severity finding exists. Deterministic: the same trace,
 * expectations and options always give the same evaluation.
 *
 * @example evaluateTrace(trace, { expectations: { tools: ['search_knowledge_base'] }, reportedPassed: true })
 */
export function evaluateTrace(trace: Trace, input: EvaluateInput = {}): Evaluation {
  const checks = input.expectations ? checkExpectations(trace, input.expectations) : [];
  const ctxInput: Parameters<typeof buildDetectorContext>[1] = { checks };
  if (input.expectations) ctxInput.expectations = input.expectations;
  if (input.options) ctxInput.options = input.options;
  const ctx = buildDetectorContext(trace, ctxInput);

  let findings: Finding[] = [];
  for (const detector of DETECTORS) findings.push(...detector.detect(trace, ctx).map(asHint));
  findings = dropCovered(findings);

  const failed = checks.length > 0 || findings.some(failsRun);
  if (input.reportedPassed === true && failed) findings.push(passingFailure(checks, findings));
  findings.sort((a, b) => (a.event_indexes[0] ?? -1) - (b.event_indexes[0] ?? -1) || SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);

  const evaluation: Evaluation = {
    verdict: failed ? 'failed' : 'passed',
    analyzer_version: ANALYZER_VERSION,
    checks,
    findings,
  };
  if (input.reportedPassed !== undefined) evaluation.reported_passed = input.reportedPassed;
  return evaluation;
}

/**
 * Whether a finding fails the case: high severity on a reliable basis (a failed expectation or
 * mechanical evidence). Heuristic findings are hints: shown, never failing a run.
 *
 * @example failsRun({ pattern: 'loop', category: 'reasoning_failure', severity: 'high', basis: 'evidence', event_indexes: [1, 2, 3], summary: '…' }) // true
 */
export function failsRun(finding: Finding): boolean {
  return finding.severity === 'high' && finding.basis !== 'heuristic';
}

// A heuristic reading is at most a medium-severity hint, whatever its detector rated it.
function asHint(finding: Finding): Finding {
  return finding.basis === 'heuristic' && finding.severity === 'high' ? { ...finding, severity: 'medium' } : finding;
}

// A validation error reported as tool misuse is not also reported as an ignored error.
function dropCovered(findings: Finding[]): Finding[] {
  const misused = new Set<number>();
  for (const f of findings) if (f.pattern === 'tool_misuse') for (const i of f.event_indexes) misused.add(i);
  return findings.filter((f) => f.pattern !== 'ignored_tool_error' || !f.event_indexes.slice(0, -1).every((i) => misused.has(i)));
}

function passingFailure(checks: Check[], findings: Finding[]): Finding {
  const high = findings.filter(failsRun);
  const indexes = new Set<number>();
  for (const c of checks) for (const i of c.event_indexes) indexes.add(i);
  for (const f of high) for (const i of f.event_indexes) indexes.add(i);
  const reasons: string[] = [];
  if (checks.length > 0) reasons.push(`${checks.length} expectation check${checks.length === 1 ? '' : 's'} failed`);
  if (high.length > 0)
    reasons.push(`${high.length} failing finding${high.length === 1 ? '' : 's'} (${[...new Set(high.map((f) => f.pattern))].join(', ')})`);
  const first = checks[0]?.message ?? high[0]?.summary ?? '';
  const category: FailureCategory = checks.length > 0 ? 'instruction_failure' : (high[0]?.category ?? 'instruction_failure');
  const basis: FindingBasis = checks.length > 0 ? 'expectation' : (high.find((f) => f.basis === 'expectation')?.basis ?? 'evidence');
  return {
    pattern: 'passing_failure',
    category,
    severity: 'high',
    basis,
    event_indexes: [...indexes].sort((a, b) => a - b),
    summary: `Reported as passed, but ${reasons.join(' and ')}: ${lowerFirst(first.replace(/\.$/, ''))}.`,
  };
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}
