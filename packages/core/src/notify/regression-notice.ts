import type { CiRun } from '../ci/ci-report.js';
import type { RunComparison } from '../compare/compare-runs.js';

/** A finished run measured against its baseline: what a regression webhook is about. */
export interface RegressionNoticeInput {
  run: CiRun;
  baseline: CiRun;
  comparison: RunComparison;
  /** Base URL of the dashboard, without a trailing slash. */
  dashboard_url: string;
}

function percent(rate: number | null): string {
  return rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`;
}

/**
 * Why a run deserves a notification — it has regressions (results that passed in the baseline and
 * fail now) or its pass rate fell — as one sentence; null when it does not.
 *
 * @example
 * regressionReason(comparison) // '1 regression; pass rate fell from 100.0% to 50.0%'
 */
export function regressionReason(comparison: RunComparison): string | null {
  const parts: string[] = [];
  const regressions = comparison.counts.regression;
  if (regressions > 0) parts.push(`${regressions} regression${regressions === 1 ? '' : 's'}`);
  const { a, b } = comparison.pass_rate;
  if (a !== null && b !== null && b < a) parts.push(`pass rate fell from ${percent(a)} to ${percent(b)}`);
  return parts.length > 0 ? parts.join('; ') : null;
}

const runUrl = (input: RegressionNoticeInput, id: string) => `${input.dashboard_url}/runs/${encodeURIComponent(id)}`;
const traceUrl = (input: RegressionNoticeInput, id: string) => `${input.dashboard_url}/traces/${encodeURIComponent(id)}`;
const compareUrl = (input: RegressionNoticeInput) =>
  `${input.dashboard_url}/compare/runs?base=${encodeURIComponent(input.baseline.id)}&head=${encodeURIComponent(input.run.id)}`;

function regressions(input: RegressionNoticeInput) {
  return input.comparison.results
    .filter((r) => r.status === 'regression' && r.head)
    .map((r) => ({ scenario_id: r.scenario_id, trace_id: r.head!.trace_id, url: traceUrl(input, r.head!.trace_id) }));
}

/** The generic JSON payload (`format: json`), documented in the README. */
export function regressionNoticeJson(input: RegressionNoticeInput): Record<string, unknown> {
  const { run, baseline, comparison } = input;
  return {
    event: 'run.regressed',
    reason: regressionReason(comparison),
    run: { ...run, url: runUrl(input, run.id) },
    baseline: { ...baseline, url: runUrl(input, baseline.id) },
    pass_rate: { baseline: comparison.pass_rate.a, run: comparison.pass_rate.b, delta: comparison.pass_rate.delta },
    counts: { regressions: comparison.counts.regression, fixes: comparison.counts.fix, behavior_drift: comparison.counts.behavior_drift },
    regressions: regressions(input),
    compare_url: compareUrl(input),
  };
}

// Slack's mrkdwn: &, < and > must be escaped; links are <url|text>.
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const SLACK_MAX_LISTED = 10;

/** A Slack-compatible incoming-webhook body (`format: slack`): `{ text }` in mrkdwn. */
export function regressionNoticeSlack(input: RegressionNoticeInput): { text: string } {
  const { run, baseline, comparison } = input;
  const where = [run.branch ? ` on ${slackEscape(run.branch)}` : '', run.commit ? ` at ${slackEscape(run.commit.slice(0, 12))}` : ''].join(
    '',
  );
  const lines = [
    `:rotating_light: *${slackEscape(run.agent_name)}* run <${runUrl(input, run.id)}|${slackEscape(run.name ?? run.id)}>${where}: ${slackEscape(regressionReason(comparison) ?? 'no regression')}.`,
    `Pass rate ${percent(comparison.pass_rate.a)} → ${percent(comparison.pass_rate.b)} against <${runUrl(input, baseline.id)}|${slackEscape(baseline.name ?? baseline.id)}>. <${compareUrl(input)}|Compare the runs>`,
  ];
  const listed = regressions(input);
  for (const r of listed.slice(0, SLACK_MAX_LISTED)) lines.push(`• <${r.url}|${slackEscape(r.scenario_id)}> passed before, fails now`);
  if (listed.length > SLACK_MAX_LISTED) lines.push(`…and ${listed.length - SLACK_MAX_LISTED} more`);
  if (run.ci_url) lines.push(`<${run.ci_url}|CI job>`);
  return { text: lines.join('\n') };
}
