import type { ResultChange, RunComparison } from '../compare/compare-runs.js';
import type { RunSummary } from '../trace/summaries.js';

/**
 * What `stepwise check` decides on, and what it writes for CI systems: JUnit XML (one test case per
 * result) and a Markdown summary (GitHub step summary, PR comment). Pure: the CLI gathers the data.
 */

/** `regressions`: fail when a result that passed in the baseline fails now. `failures`: fail on any failed result. `never`: report only. */
export const FAIL_ON_POLICIES = ['regressions', 'failures', 'never'] as const;
export type FailOnPolicy = (typeof FAIL_ON_POLICIES)[number];

export interface CiRun {
  id: string;
  agent_name: string;
  name: string | null;
  branch: string | null;
  commit: string | null;
  ci_url: string | null;
  pass_rate: number | null;
  total: number;
  passed: number;
  failed: number;
}

/** The fields of a run that reports and notifications show. */
export function toCiRun(run: RunSummary): CiRun {
  const { id, agent_name, name, branch, commit, ci_url, pass_rate, total, passed, failed } = run;
  return { id, agent_name, name, branch, commit, ci_url, pass_rate, total, passed, failed };
}

export interface CiResult {
  trace_id: string;
  scenario_id: string;
  verdict: 'passed' | 'failed' | null;
  reported_passed: boolean | null;
  duration_ms: number | null;
  /** How this result changed against the baseline (absent without a baseline). */
  change?: ResultChange;
  /** `basis`: what the finding rests on (expectation, evidence, heuristic); findings are listed in that order. */
  findings: Array<{ pattern: string; severity: string; summary: string; basis?: string }>;
  checks: Array<{ kind: string; message: string }>;
}

export interface CiReport {
  run: CiRun;
  /** Null when no run matched the baseline rule (e.g. the first run on a branch). */
  baseline: CiRun | null;
  baseline_rule: string;
  comparison: RunComparison | null;
  results: CiResult[];
  /** Results the sync rejected (not stored, so not checked). */
  rejected: number;
  /** Base URL of the dashboard, without a trailing slash. */
  dashboard_url: string;
}

export interface GateOutcome {
  exit_code: 0 | 1;
  reason: string;
}

/**
 * The exit policy of `stepwise check`: 0 when the gate passes, 1 when it fails. Rejected results
 * fail the gate under `regressions` and `failures`: a result that could not be stored was not checked.
 *
 * @example
 * decideGate(report, 'regressions') // { exit_code: 1, reason: '1 regression against run_…' }
 */
export function decideGate(report: CiReport, policy: FailOnPolicy): GateOutcome {
  if (policy === 'never') return { exit_code: 0, reason: 'report only (--fail-on never)' };
  if (report.rejected > 0) return { exit_code: 1, reason: `${plural(report.rejected, 'result')} rejected by the sync, so not checked` };
  if (policy === 'failures') {
    const failed = report.results.filter((r) => r.verdict === 'failed').length;
    return failed > 0 ? { exit_code: 1, reason: `${plural(failed, 'result')} failed` } : { exit_code: 0, reason: 'no result failed' };
  }
  if (!report.baseline || !report.comparison) {
    return { exit_code: 0, reason: `no baseline run matched ${report.baseline_rule}, so nothing can regress` };
  }
  const regressions = report.comparison.counts.regression;
  return regressions > 0
    ? { exit_code: 1, reason: `${plural(regressions, 'regression')} against run ${report.baseline.id}` }
    : { exit_code: 0, reason: `no regression against run ${report.baseline.id}` };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

// XML 1.0 forbids most control characters even when escaped; drop them.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function xml(text: string): string {
  return text
    .replace(XML_INVALID, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function traceUrl(report: CiReport, traceId: string): string {
  return `${report.dashboard_url}/traces/${encodeURIComponent(traceId)}`;
}

function failureText(report: CiReport, result: CiResult): string {
  const lines = [
    ...result.checks.map((c) => `check ${c.kind}: ${c.message}`),
    ...byBasis(result.findings).map((f) => `${f.pattern} (${f.basis ? `${f.basis}, ` : ''}${f.severity}): ${f.summary}`),
  ];
  if (result.change === 'regression') lines.unshift('regression: passed in the baseline run, fails now');
  lines.push(`trace: ${traceUrl(report, result.trace_id)}`);
  return lines.join('\n');
}

function failureMessage(result: CiResult): string {
  const first = result.checks[0]?.message ?? byBasis(result.findings)[0]?.summary;
  const prefix = result.change === 'regression' ? 'Regression. ' : '';
  return `${prefix}${first ?? 'the case failed'}`;
}

/**
 * JUnit XML as CI systems read it: one `<testsuite>` for the run, one `<testcase>` per result
 * (classname = agent, name = scenario id), a `<failure>` carrying the failed checks and the finding
 * sentences, `<skipped>` for results without a verdict.
 */
export function formatJunitXml(report: CiReport): string {
  const { run } = report;
  const failures = report.results.filter((r) => r.verdict === 'failed').length;
  const skipped = report.results.filter((r) => r.verdict === null).length;
  const seconds = report.results.reduce((sum, r) => sum + (r.duration_ms ?? 0), 0) / 1000;
  const suiteName = `${run.agent_name} ${run.name ?? run.id}`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="stepwise" tests="${report.results.length}" failures="${failures}" skipped="${skipped}" time="${seconds.toFixed(3)}">`,
    `  <testsuite name="${xml(suiteName)}" tests="${report.results.length}" failures="${failures}" skipped="${skipped}" errors="0" time="${seconds.toFixed(3)}">`,
    '    <properties>',
    ...suiteProperties(report).map(([name, value]) => `      <property name="${xml(name)}" value="${xml(value)}"/>`),
    '    </properties>',
  ];
  for (const result of report.results) lines.push(...testcase(report, result));
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

function suiteProperties(report: CiReport): Array<[string, string]> {
  const props: Array<[string, string | null]> = [
    ['stepwise.run_id', report.run.id],
    ['stepwise.run_url', `${report.dashboard_url}/runs/${encodeURIComponent(report.run.id)}`],
    ['stepwise.branch', report.run.branch],
    ['stepwise.commit', report.run.commit],
    ['stepwise.baseline_run_id', report.baseline?.id ?? null],
  ];
  return props.filter((p): p is [string, string] => p[1] !== null);
}

function testcase(report: CiReport, result: CiResult): string[] {
  const time = ((result.duration_ms ?? 0) / 1000).toFixed(3);
  const open = `    <testcase classname="${xml(report.run.agent_name)}" name="${xml(result.scenario_id)}" time="${time}" file="${xml(traceUrl(report, result.trace_id))}"`;
  if (result.verdict === 'passed') return [`${open}/>`];
  if (result.verdict === null)
    return [`${open}>`, '      <skipped message="no verdict: no expectations, no reported result and no finding"/>', '    </testcase>'];
  return [
    `${open}>`,
    `      <failure message="${xml(failureMessage(result))}" type="${result.change === 'regression' ? 'regression' : 'failure'}">${xml(failureText(report, result))}</failure>`,
    '    </testcase>',
  ];
}

function percent(rate: number | null): string {
  return rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`;
}

function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

const TOP_FINDINGS = 10;

/**
 * The Markdown summary: the gate's outcome, pass rate against the baseline, regressions, fixes,
 * behavior drift and the top findings, each linked to its trace in the dashboard.
 */
export function formatCheckSummary(report: CiReport, gate: GateOutcome): string {
  const { run, baseline, comparison } = report;
  const runLink = `[${mdCell(run.name ?? run.id)}](${report.dashboard_url}/runs/${encodeURIComponent(run.id)})`;
  const lines = [
    `## Stepwise check: ${gate.exit_code === 0 ? 'passed' : 'failed'}`,
    '',
    `${gate.exit_code === 0 ? '✅' : '❌'} ${mdCell(gate.reason)}.`,
    '',
    `Run ${runLink} of **${mdCell(run.agent_name)}**${run.branch ? ` on \`${mdCell(run.branch)}\`` : ''}${run.commit ? ` at \`${mdCell(run.commit.slice(0, 12))}\`` : ''}: ${run.passed} passed, ${run.failed} failed of ${run.total}.`,
  ];
  if (baseline && comparison) {
    const compareUrl = `${report.dashboard_url}/compare/runs?base=${encodeURIComponent(baseline.id)}&head=${encodeURIComponent(run.id)}`;
    lines.push(
      '',
      `| | baseline ([${mdCell(baseline.name ?? baseline.id)}](${report.dashboard_url}/runs/${encodeURIComponent(baseline.id)})) | this run | change |`,
      '|---|---|---|---|',
      `| pass rate | ${percent(comparison.pass_rate.a)} | ${percent(comparison.pass_rate.b)} | ${deltaText(comparison.pass_rate.a, comparison.pass_rate.b)} |`,
      `| regressions | | ${comparison.counts.regression} | |`,
      `| fixes | | ${comparison.counts.fix} | |`,
      `| behavior drift | | ${comparison.counts.behavior_drift} | |`,
      '',
      `Baseline chosen by \`${mdCell(report.baseline_rule)}\`. [Compare the runs](${compareUrl}).`,
    );
    lines.push(...changeSection(report, 'regression', 'Regressions (passed in the baseline, fail now)'));
    lines.push(...changeSection(report, 'fix', 'Fixes (failed in the baseline, pass now)'));
    lines.push(...changeSection(report, 'behavior_drift', 'Behavior drift (same verdict, different tool path)'));
  } else {
    lines.push('', `No baseline run matched \`${mdCell(report.baseline_rule)}\`; pass rate ${percent(run.pass_rate)}.`);
  }
  if (report.rejected > 0) lines.push('', `⚠️ ${plural(report.rejected, 'result')} rejected by the sync (see the sync output).`);
  lines.push(...findingsSection(report), '');
  return lines.join('\n');
}

function deltaText(base: number | null, head: number | null): string {
  if (base === null || head === null) return '';
  const points = (head - base) * 100;
  return `${points > 0 ? '+' : ''}${points.toFixed(1)} pts`;
}

function changeSection(report: CiReport, change: ResultChange, title: string): string[] {
  const rows = report.results.filter((r) => r.change === change);
  if (rows.length === 0) return [];
  return ['', `### ${title}`, '', ...rows.map((r) => `- [${mdCell(r.scenario_id)}](${traceUrl(report, r.trace_id)})${reasonOf(r)}`)];
}

function reasonOf(result: CiResult): string {
  const reason = result.checks[0]?.message ?? byBasis(result.findings)[0]?.summary;
  return reason ? `: ${mdCell(reason)}` : '';
}

const SEVERITY_RANK: Record<string, number> = { high: 0, medium: 1, low: 2 };
// What a verdict rests on first: failed expectations, then mechanical evidence, then readings of the wording.
const BASIS_RANK: Record<string, number> = { expectation: 0, evidence: 1, heuristic: 2 };

function byBasis<T extends { basis?: string; severity: string }>(findings: readonly T[]): T[] {
  const rank = (f: T) => (BASIS_RANK[f.basis ?? ''] ?? 3) * 10 + (SEVERITY_RANK[f.severity] ?? 3);
  return [...findings].sort((a, b) => rank(a) - rank(b));
}

function findingsSection(report: CiReport): string[] {
  const all = report.results.flatMap((r) => r.findings.map((f) => ({ ...f, result: r })));
  if (all.length === 0) return [];
  const top = byBasis(all).slice(0, TOP_FINDINGS);
  const lines = ['', '### Top findings', '', '| basis | severity | pattern | scenario | finding |', '|---|---|---|---|---|'];
  for (const f of top) {
    lines.push(
      `| ${f.basis ?? ''} | ${f.severity} | ${mdCell(f.pattern)} | [${mdCell(f.result.scenario_id)}](${traceUrl(report, f.result.trace_id)}) | ${mdCell(f.summary)} |`,
    );
  }
  if (all.length > top.length) lines.push('', `…and ${all.length - top.length} more in the dashboard.`);
  return lines;
}
