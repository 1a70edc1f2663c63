import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { StepwiseError, formatAlignmentSideBySide, IMPORT_FORMATS, importLog, type ImportFormat, type Trace } from '@stepwise/core';
import { DEFAULT_DB_PATH } from '../config.js';
import type { StepwiseBackend } from '../client/backend.js';
import { openBackend } from '../client/open-backend.js';
import { formatEvaluation } from '../presentation/evaluation.js';
import { formatTable } from '../presentation/format.js';
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
      .description('import an agent log (OpenAI, Anthropic, Vercel AI SDK, LangChain, ToolBench, SWE-agent) as a trace')
      .argument('<file>')
      .addOption(
        new Option('--format <format>', 'the log format, or auto to detect it').choices(['auto', ...IMPORT_FORMATS]).default('auto'),
      )
      .requiredOption('--scenario <id>', 'scenario id of the trace')
      .requiredOption('--agent <name>', 'agent name')
      .option('--run <id>', 'add the trace to this test run (default: a new run)')
      .option('--passed', 'record the test as passed')
      .option('--no-passed', 'record the test as failed')
      .option('--timestamp <iso>', 'start time (logs carry none)', new Date().toISOString()),
  ).action(
    async (
      file: string,
      opts: TargetOptions & {
        format: ImportFormat | 'auto';
        scenario: string;
        agent: string;
        timestamp: string;
        run?: string;
        passed?: boolean;
      },
    ) => {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      const { trace, format, warnings } = importLog(parsed, opts.format, {
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
      .description('export a trace (or a run with --run) as JSON')
      .argument('[trace-id]')
      .option('--run <id>', 'export a whole run'),
  ).action(async (traceId: string | undefined, opts: TargetOptions & { run?: string }) =>
    withClient(opts, async (client) => {
      if (opts.run) {
        const detail = await client.getRun(opts.run, { limit: 500, offset: 0 });
        const traces = [];
        for (const r of detail.results) traces.push(await client.getTrace(r.id));
        return io.out(JSON.stringify({ format: 'stepwise.run.v1', run: detail.run, traces }, null, 2));
      }
      if (!traceId) throw new StepwiseError('invalid_request', 'give a trace id, or --run RUN_ID');
      const detail = await client.getTrace(traceId);
      io.out(
        JSON.stringify(
          {
            format: 'stepwise.trace.v1',
            trace: detail.trace,
            evaluation: detail.evaluation,
            redaction: detail.redaction,
            notes: detail.notes,
          },
          null,
          2,
        ),
      );
    }),
  );
}
