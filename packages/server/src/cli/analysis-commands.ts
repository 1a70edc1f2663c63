import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { Command, Option } from 'commander';
import {
  StepwiseError,
  formatAlignmentSideBySide,
  IMPORT_FORMATS,
  importLog,
  CSV_ROW_KINDS,
  EXPORT_FORMATS,
  type CsvRowKind,
  type ExportFormat,
  type ImportFormat,
  type Trace,
} from '@stepwise/core';
import type { ExportSelection } from '../services/export-service.js';
import { DEFAULT_DB_PATH } from '../config.js';
import type { StepwiseBackend } from '../client/backend.js';
import { openBackend } from '../client/open-backend.js';
import { formatEvaluation } from '../presentation/evaluation.js';
import { formatTable } from '../presentation/format.js';
import { progressReporter } from './progress.js';
import type { Io } from './main.js';

interface TargetOptions {
  url?: string;
  apiKey?: string;
  db: string;
  json?: boolean;
}

function target(cmd: Command): Command {
  return cmd
    .addOption(new Option('--url <url>', 'a running Stepwise server').env('STEPWISE_URL'))
    .addOption(new Option('--api-key <key>', 'API key for --url').env('STEPWISE_API_KEY'))
    .addOption(
      new Option('--db <path>', 'database file or postgres:// URL, when not using --url').env('STEPWISE_DB').default(DEFAULT_DB_PATH),
    )
    .option('--json', 'print JSON');
}

async function withClient<T>(opts: TargetOptions, fn: (client: StepwiseBackend) => Promise<T>): Promise<T> {
  const client = openBackend(opts);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

export function registerAnalysisCommands(program: Command, io: Io): void {
  target(
    program
      .command('analyze')
      .description('explain why a test case failed: failed checks and failure patterns, as sentences')
      .argument('[trace-id]')
      .option('--run <id>', 're-analyze every trace of a run and summarize it'),
  ).action(async (traceId: string | undefined, opts: TargetOptions & { run?: string }) =>
    withClient(opts, async (client) => {
      if (opts.run) {
        const summary = await client.reanalyzeRun(opts.run);
        const detail = await client.getRun(opts.run, { limit: 500, offset: 0 });
        if (opts.json) return io.out(JSON.stringify({ summary, results: detail.results }, null, 2));
        io.out(`Run ${opts.run}: ${summary.analyzed} analyzed, ${summary.passed} passed, ${summary.failed} failed.`);
        for (const result of detail.results.filter((r) => r.verdict === 'failed')) {
          io.out('');
          io.out(formatEvaluation(await client.analyzeTrace(result.id, { recompute: false }), `${result.scenario_id} (${result.id})`));
        }
        return;
      }
      if (!traceId) throw new StepwiseError('invalid_request', 'give a trace id, or --run RUN_ID');
      const evaluation = await client.analyzeTrace(traceId, { recompute: false });
      io.out(opts.json ? JSON.stringify(evaluation, null, 2) : formatEvaluation(evaluation, `Trace ${traceId}`));
    }),
  );

  target(
    program
      .command('diff')
      .description('compare two traces side by side with the divergence marked, or two runs with --runs')
      .argument('<a>', 'trace id (or base run id with --runs)')
      .argument('<b>', 'trace id (or head run id with --runs)')
      .option('--runs', 'compare two runs: regressions, fixes, behavior drift (exits 1 on regressions)'),
  ).action(async (a: string, b: string, opts: TargetOptions & { runs?: boolean }) =>
    withClient(opts, async (client) => {
      if (opts.runs) {
        const { base, head, comparison } = await client.compareRuns(a, b);
        if (opts.json) io.out(JSON.stringify({ base, head, comparison }, null, 2));
        else {
          const pct = (v: number | null) => (v === null ? '-' : `${Math.round(v * 100)}%`);
          io.out(`Base ${base.id} (${base.name ?? base.agent_name})  →  head ${head.id} (${head.name ?? head.agent_name})`);
          io.out(`Pass rate ${pct(comparison.pass_rate.a)} → ${pct(comparison.pass_rate.b)}`);
          const c = comparison.counts;
          io.out(
            `${c.regression} regression(s), ${c.fix} fix(es), ${c.behavior_drift} behavior drift, ${c.still_failing} still failing, ${c.still_passing} still passing, ${c.added} added, ${c.removed} removed`,
          );
          io.out('');
          io.out(
            formatTable(
              ['SCENARIO', 'CHANGE', 'BASE', 'HEAD', 'TOOL PATH'],
              comparison.results.map((r) => [
                r.scenario_id + (r.occurrence > 0 ? ` #${r.occurrence + 1}` : ''),
                r.status.replace('_', ' '),
                r.base?.verdict ?? '-',
                r.head?.verdict ?? '-',
                r.tool_path_changed
                  ? `${r.base?.tool_path.join(' → ') || '(none)'}  ⇒  ${r.head?.tool_path.join(' → ') || '(none)'}`
                  : (r.head ?? r.base)?.tool_path.join(' → ') || '(none)',
              ]),
            ),
          );
          for (const m of comparison.count_mismatches) io.out(`note: ${m.scenario_id} ran ${m.base} time(s) in base and ${m.head} in head`);
        }
        if (comparison.counts.regression > 0) process.exitCode = 1;
        return;
      }
      const comparison = await client.compareTraces(a, b);
      if (opts.json) return io.out(JSON.stringify(comparison, null, 2));
      const [ta, tb] = await Promise.all([client.getTrace(a), client.getTrace(b)]);
      if (!comparison.same_scenario)
        io.out(`note: these traces are of different scenarios (${comparison.a.scenario_id} vs ${comparison.b.scenario_id})`);
      io.out(comparison.alignment.divergence ? `Divergence: ${comparison.alignment.divergence.sentence}` : 'No behavioral divergence.');
      const d = comparison.alignment.deltas;
      const fmt = (x: { a: number | null; b: number | null }, unit: string) => `${x.a ?? '?'}${unit} → ${x.b ?? '?'}${unit}`;
      io.out(
        `Duration ${fmt(d.duration_ms, ' ms')} · tokens ${fmt(d.tokens, '')} · tool calls ${fmt(d.tool_calls, '')}${d.verdict ? ` · verdict ${d.verdict.a ?? '?'} → ${d.verdict.b ?? '?'}` : ''}`,
      );
      io.out('');
      const width = process.stdout.isTTY ? process.stdout.columns || 120 : 140;
      io.out(formatAlignmentSideBySide(comparison.alignment, ta.trace as unknown as Trace, tb.trace as unknown as Trace, { width }));
    }),
  );

  target(
    program
      .command('import')
      .description(
        'import a Stepwise export (JSON or JSONL), or an agent log (OpenAI, Anthropic, Vercel AI SDK, LangChain, ToolBench, SWE-agent) as a trace',
      )
      .argument('<file>')
      .addOption(
        new Option('--format <format>', 'stepwise (an export), a log format, or auto to detect it')
          .choices(['auto', 'stepwise', ...IMPORT_FORMATS])
          .default('auto'),
      )
      .option('--scenario <id>', 'scenario id of the trace (logs; an export names its own)')
      .option('--agent <name>', 'agent name (logs; an export names its own)')
      .option('--run <id>', 'add the trace to this test run (default: a new run)')
      .option('--passed', 'record the test as passed')
      .option('--no-passed', 'record the test as failed')
      .option('--timestamp <iso>', 'start time (logs carry none)', new Date().toISOString()),
  ).action(
    async (
      file: string,
      opts: TargetOptions & {
        format: ImportFormat | 'auto' | 'stepwise';
        scenario?: string;
        agent?: string;
        timestamp: string;
        run?: string;
        passed?: boolean;
      },
    ) => {
      const text = readFileSync(file, 'utf8');
      if (opts.format === 'stepwise' || (opts.format === 'auto' && STEPWISE_EXPORT.test(text.slice(0, 200)))) {
        return withClient(opts, (client) => importExport(client, text, io, opts.json === true));
      }
      if (opts.scenario === undefined || opts.agent === undefined) {
        throw new StepwiseError('invalid_request', 'a log names no scenario or agent: give --scenario and --agent');
      }
      const parsed = JSON.parse(text) as unknown;
      const { trace, format, warnings } = importLog(parsed, opts.format as ImportFormat | 'auto', {
        scenario_id: opts.scenario,
        agent_name: opts.agent,
        timestamp: opts.timestamp,
      });
      const firstUser = trace.events.find((e) => e.type === 'user_input')?.data.message;
      const lastResponse = [...trace.events].reverse().find((e) => e.type === 'agent_response')?.data.message;
      const request = {
        agent_name: opts.agent,
        source: 'cli',
        ...(opts.run !== undefined ? { test_run_id: opts.run } : {}),
        results: [
          {
            scenario_id: opts.scenario,
            user_message: typeof firstUser === 'string' ? firstUser : '',
            agent_response: typeof lastResponse === 'string' ? lastResponse : '',
            ...(opts.passed !== undefined ? { passed: opts.passed } : {}),
            trace,
          },
        ],
      };
      await withClient(opts, async (client) => {
        const reply = await client.syncText(JSON.stringify(request));
        if (opts.json) return io.out(JSON.stringify({ ...reply, format, import_warnings: warnings }, null, 2));
        io.out(
          `Imported ${trace.events.length} events (${format}) as trace ${reply.trace_ids[0] ?? '-'} in run ${reply.test_run_id}${reply.duplicates > 0 ? ' (a duplicate of a stored trace)' : ''}.`,
        );
        for (const warning of warnings) io.out(`Warning: ${warning.path}: ${warning.message}`);
        for (const note of reply.warnings) io.out(`Note (${note.path}): ${note.message}`);
        io.out(`Open: ${reply.dashboard_url}`);
      });
    },
  );

  target(
    program
      .command('export')
      .description('export a trace, a run (--run) or every trace matching filters, streamed to --out or standard output')
      .argument('[trace-id]')
      .option('--run <id>', 'the traces of this run')
      .option('--agent <name>', 'only this agent')
      .option('--scenario <id>', 'only this scenario')
      .addOption(new Option('--verdict <verdict>', 'only passed or failed traces').choices(['passed', 'failed']))
      .option('--pattern <pattern>', 'only traces with this failure pattern')
      .option('--since <iso>', 'only traces started at or after this time')
      .option('--until <iso>', 'only traces started before this time')
      .addOption(
        new Option('--format <format>', 'json, jsonl (one trace a line), csv or otlp (OTLP JSON)')
          .choices([...EXPORT_FORMATS])
          .default('json'),
      )
      .addOption(new Option('--rows <rows>', 'CSV: one row per result or per event').choices([...CSV_ROW_KINDS]).default('results'))
      .option('-o, --out <file>', 'write here instead of standard output'),
  ).action(async (traceId: string | undefined, opts: TargetOptions & ExportOptions) =>
    withClient(opts, async (client) => {
      const selection = exportSelection(traceId, opts);
      // Progress goes to standard error on a terminal, and not while the export itself is printed there.
      const progress = progressReporter(opts.out !== undefined || !process.stdout.isTTY ? process.stderr : null);
      const out = opts.out !== undefined ? createWriteStream(opts.out) : process.stdout;
      try {
        for await (const chunk of client.exportChunks({ format: opts.format, rows: opts.rows, selection }, progress.update)) {
          if (!out.write(chunk)) await once(out, 'drain');
        }
      } finally {
        progress.done();
        if (out !== process.stdout) await new Promise<void>((resolvePromise) => out.end(() => resolvePromise()));
      }
    }),
  );
}

// An export's first object names its format first (the JSON export and each JSONL line alike).
const STEPWISE_EXPORT = /^\s*\{\s*"format"\s*:\s*"stepwise\.(?:export|trace)\.v1"/;

async function importExport(client: StepwiseBackend, text: string, io: Io, json: boolean): Promise<void> {
  const reply = await client.importExport(text);
  const synced = reply.runs.reduce((n, r) => n + r.synced, 0) + reply.traces_without_run.stored;
  const duplicates = reply.runs.reduce((n, r) => n + r.duplicates, 0) + reply.traces_without_run.duplicates;
  io.out(
    json
      ? JSON.stringify(reply, null, 2)
      : `Imported ${synced} trace${synced === 1 ? '' : 's'} in ${reply.runs.length} run${reply.runs.length === 1 ? '' : 's'} (${duplicates} already here, ${reply.rejected.length} rejected).`,
  );
  for (const r of reply.rejected)
    io.err(`Rejected ${r.trace_id ?? 'a trace'}: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  if (reply.rejected.length > 0) process.exitCode = 1;
}

interface ExportOptions {
  run?: string;
  agent?: string;
  scenario?: string;
  verdict?: 'passed' | 'failed';
  pattern?: string;
  since?: string;
  until?: string;
  format: ExportFormat;
  rows: CsvRowKind;
  out?: string;
}

function exportSelection(traceId: string | undefined, opts: ExportOptions): ExportSelection {
  const filter = {
    ...(opts.run !== undefined ? { run: opts.run } : {}),
    ...(opts.agent !== undefined ? { agent: opts.agent } : {}),
    ...(opts.scenario !== undefined ? { scenario: opts.scenario } : {}),
    ...(opts.verdict !== undefined ? { verdict: opts.verdict } : {}),
    ...(opts.pattern !== undefined ? { pattern: opts.pattern } : {}),
    ...(opts.since !== undefined ? { since: isoOption(opts.since, '--since') } : {}),
    ...(opts.until !== undefined ? { until: isoOption(opts.until, '--until') } : {}),
  };
  if (traceId === undefined) return { filter };
  if (Object.keys(filter).length > 0)
    throw new StepwiseError('invalid_request', 'give a trace id or filters (--run, --agent, …), not both');
  return { trace: traceId };
}

function isoOption(value: string, flag: string): string {
  if (Number.isNaN(Date.parse(value)))
    throw new StepwiseError('invalid_request', `${flag} must be an ISO-8601 time, e.g. 2026-03-01T00:00:00Z`);
  return new Date(value).toISOString();
}
