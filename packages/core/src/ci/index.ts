export { FAIL_ON_POLICIES, decideGate, formatCheckSummary, formatJunitXml, toCiRun } from './ci-report.js';
export type { CiReport, CiResult, CiRun, FailOnPolicy, GateOutcome } from './ci-report.js';
