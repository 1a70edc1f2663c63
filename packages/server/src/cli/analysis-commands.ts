import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import {
  StepwiseError,
  formatAlignmentSideBySide,
  importOpenAIMessages,
  importSweAgent,
  importToolBench,
  type Trace,
} from '@stepwise/core';
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
    .addOption(new Option('--db <path>', 'database file, when not using --url').env('STEPWISE_DB').default(DEFAULT_DB_PATH))
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
      .description('import an agent log from another format as a trace')
      .argument('<file>')
      .addOption(
        new Option('--format <format>', 'the log format').choices(['openai-messages', 'toolbench', 'swe-agent']).makeOptionMandatory(),
      )
      .requiredOption('--scenario <id>', 'scenario id of the trace')
      .requiredOption('--agent <name>', 'agent name')
      .option('--timestamp <iso>', 'start time (logs carry none)', new Date().toISOString()),
  ).action(async (file: string, opts: TargetOptions & { format: string; scenario: string; agent: string; timestamp: string }) => {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    const options = { scenario_id: opts.scenario, agent_name: opts.agent, timestamp: opts.timestamp };
    const trace =
      opts.format === 'toolbench'
        ? importToolBench(parsed, options)
        : opts.format === 'swe-agent'
          ? importSweAgent(parsed, options)
          : importOpenAIMessages(
              (Array.isArray(parsed) ? parsed : ((parsed as { messages?: unknown[] }).messages ?? [])) as unknown[],
              options,
            );
    await withClient(opts, async (client) => {
      const reply = await client.postTraces(JSON.stringify(trace));
      io.out(
        opts.json
          ? JSON.stringify(reply, null, 2)
          : `Imported ${trace.events.length} events as trace ${reply.trace_ids[0]} (${reply.stored} stored, ${reply.duplicates} duplicate).`,
      );
    });
  });

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
