import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import {
  FAIL_ON_POLICIES,
  StepwiseError,
  decideGate,
  formatCheckSummary,
  formatJunitXml,
  toCiRun,
  type CiReport,
  type CiResult,
  type Evaluation,
  type FailOnPolicy,
  type RunComparison,
} from '@stepwise/core';
import type { RunListQuery, StepwiseBackend } from '../client/backend.js';
import type { RunSummary, TraceSummary } from '../store/trace-store.js';
import { githubDefaults, syncBody, type SyncOverrides } from './sync-request.js';
import type { Io } from './main.js';

interface CheckOptions extends SyncOverrides {
  baseline: string;
  failOn: FailOnPolicy;
  junit?: string;
  summary?: string;
  json?: boolean;
  url?: string;
  apiKey?: string;
  db: string;
}

type Target = (cmd: Command) => Command;
type ClientFor = (opts: { url?: string; apiKey?: string; db: string }) => StepwiseBackend;

const BASELINE_HELP =
  'which run to compare with: latest (the newest earlier run of the same agent), latest:BRANCH, name:NAME, agent:AGENT, or a run id';

/**
 * `stepwise check`: the CI gate. Syncs a results file (or takes `--run`), compares the run with a
 * baseline chosen by rule, writes JUnit XML and a Markdown summary, and exits 0 (gate passed),
 * 1 (gate failed) or 2 (could not check: bad input, unreachable server, unknown run).
 */
export function registerCheckCommand(program: Command, io: Io, target: Target, clientFor: ClientFor): void {
  target(
    program
      .command('check')
      .description('CI gate: sync FILE (or take --run), compare with a baseline, write JUnit/Markdown, exit 0 (pass), 1 (fail), 2 (error)')
      .argument('[file]', 'results to sync: a sync_results request as JSON, or - for standard input')
      .option('--run <id>', 'check this existing run instead of syncing FILE')
      .option('--agent <name>', 'agent name, when FILE holds only an array of results')
      .option('--name <name>', 'a label for the new run')
      .option('--branch <branch>', 'the branch of the new run (default: from GITHUB_HEAD_REF or GITHUB_REF_NAME)')
      .option('--commit <sha>', 'the commit of the new run (default: GITHUB_SHA)')
      .option('--ci-url <url>', 'a link to the CI job (default: the GitHub Actions run)')
      .option('--baseline <rule>', BASELINE_HELP, 'latest')
      .addOption(
        new Option(
          '--fail-on <policy>',
          'regressions: fail when a result that passed in the baseline fails; failures: on any failure; never',
        )
          .choices([...FAIL_ON_POLICIES])
          .default('regressions'),
      )
      .option('--junit <file>', 'write JUnit XML here (one test case per result)')
      .option('--summary <file>', 'write the Markdown summary here (default: append to $GITHUB_STEP_SUMMARY when set)')
      .option('--json', 'print the report as JSON'),
  ).action(async (file: string | undefined, opts: CheckOptions) => {
    const client = clientFor(opts);
    try {
      const report = await buildReport(client, file, opts, io);
      const gate = decideGate(report, opts.failOn);
      const summary = formatCheckSummary(report, gate);
      if (opts.junit) writeFileSync(opts.junit, formatJunitXml(report));
      const summaryFile = opts.summary ?? process.env.GITHUB_STEP_SUMMARY;
      // GitHub's step summary file is shared by the job's steps: append, never overwrite.
      if (summaryFile) (opts.summary ? writeFileSync : appendFileSync)(summaryFile, summary);
      io.out(opts.json ? JSON.stringify({ gate, report }, null, 2) : summary.trimEnd());
      process.exitCode = gate.exit_code;
    } catch (error) {
      // Exit 2 means "could not check", whatever went wrong (an unknown run is not a failed gate).
      if (error instanceof StepwiseError && error.code === 'not_found')
        throw new StepwiseError('invalid_request', error.message, error.details);
      throw error;
    } finally {
      await client.close();
    }
  });
}

async function buildReport(client: StepwiseBackend, file: string | undefined, opts: CheckOptions, io: Io): Promise<CiReport> {
  const { run, rejected } = await headRun(client, file, opts, io);
  const baseline = await findBaseline(client, run, opts.baseline);
  const comparison = baseline ? (await client.compareRuns(baseline.id, run.id)).comparison : null;
  const results = await ciResults(client, run.id, comparison);
  return {
    run: toCiRun(run),
    baseline: baseline ? toCiRun(baseline) : null,
    baseline_rule: opts.baseline,
    comparison,
    results,
    rejected,
    dashboard_url: client.dashboardUrl(),
  };
}

async function headRun(client: StepwiseBackend, file: string | undefined, opts: CheckOptions, io: Io) {
  if (opts.run !== undefined) {
    if (file !== undefined) throw new StepwiseError('invalid_request', 'give either FILE to sync or --run, not both');
    return { run: (await client.getRun(opts.run, { limit: 1, offset: 0 })).run, rejected: 0 };
  }
  if (file === undefined) throw new StepwiseError('invalid_request', 'give FILE (results to sync, or - for stdin) or --run <id>');
  const text = file === '-' ? await io.readStdin() : readFileSync(file, 'utf8');
  const fromEnv = githubDefaults(process.env);
  const overrides: SyncOverrides = { ...fromEnv, ...definedOnly(opts) };
  delete overrides.run;
  const reply = await client.syncText(syncBody(text, overrides));
  for (const r of reply.rejected) io.err(`Rejected result ${r.index}: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return { run: (await client.getRun(reply.test_run_id, { limit: 1, offset: 0 })).run, rejected: reply.rejected.length };
}

function definedOnly(opts: CheckOptions): SyncOverrides {
  const out: SyncOverrides = {};
  for (const key of ['agent', 'name', 'branch', 'commit', 'ciUrl'] as const) if (opts[key] !== undefined) out[key] = opts[key];
  return out;
}

/**
 * The baseline rule, resolved to a run created before the head run:
 * `latest` · `latest:BRANCH` · `name:NAME` (all of the head's agent) · `agent:AGENT` · a run id.
 */
export function baselineQuery(rule: string, head: RunSummary): RunListQuery | { id: string } {
  // Runs created in the same millisecond as the head count as earlier; the head itself is skipped after.
  const until = new Date(Date.parse(head.created_at) + 1).toISOString();
  const [kind, ...rest] = rule.split(':');
  const value = rest.join(':');
  if (kind === 'latest' && rest.length === 0) return { agent: head.agent_name, until, limit: 2, offset: 0 };
  if (kind === 'latest' && value) return { agent: head.agent_name, branch: value, until, limit: 2, offset: 0 };
  if (kind === 'name' && value) return { agent: head.agent_name, name: value, until, limit: 2, offset: 0 };
  if (kind === 'agent' && value) return { agent: value, until, limit: 2, offset: 0 };
  if (kind === 'run' && value) return { id: value };
  if (rest.length === 0 && rule.length > 0) return { id: rule };
  throw new StepwiseError('invalid_request', `--baseline ${rule} is not a rule; use ${BASELINE_HELP}`);
}

async function findBaseline(client: StepwiseBackend, head: RunSummary, rule: string): Promise<RunSummary | null> {
  const query = baselineQuery(rule, head);
  if ('id' in query) {
    if (query.id === head.id) throw new StepwiseError('invalid_request', '--baseline names the run being checked');
    return (await client.getRun(query.id, { limit: 1, offset: 0 })).run;
  }
  return (await client.listRuns(query)).runs.find((r) => r.id !== head.id) ?? null;
}

const PAGE = 500;

async function ciResults(client: StepwiseBackend, runId: string, comparison: RunComparison | null): Promise<CiResult[]> {
  const summaries: TraceSummary[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await client.getRun(runId, { limit: PAGE, offset });
    summaries.push(...page.results);
    if (page.results.length < PAGE) break;
  }
  const changes = new Map(comparison?.results.filter((r) => r.head).map((r) => [r.head!.trace_id, r.status]) ?? []);
  const results: CiResult[] = [];
  for (const t of summaries) {
    // Only failed results carry failure text; passing ones need no extra read.
    const evaluation = t.verdict === 'failed' ? ((await client.analyzeTrace(t.id, { recompute: false })) as Evaluation) : null;
    const change = changes.get(t.id);
    results.push({
      trace_id: t.id,
      scenario_id: t.scenario_id,
      verdict: t.verdict,
      reported_passed: t.reported_passed,
      duration_ms: t.duration_ms,
      ...(change !== undefined ? { change } : {}),
      findings: (evaluation?.findings ?? []).map((f) => ({ pattern: f.pattern, severity: f.severity, summary: f.summary, basis: f.basis })),
      checks: (evaluation?.checks ?? []).map((c) => ({ kind: c.kind, message: c.message })),
    });
  }
  return results;
}
