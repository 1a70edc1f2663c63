import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { FINDING_PATTERNS, StepwiseError, formatAlignmentSideBySide, type Trace } from '@stepwise/core';
import { formatEvaluation } from '../presentation/evaluation.js';
import { describeEvent, formatTable } from '../presentation/format.js';
import type { TraceDetail } from '../client/backend.js';
import { allowed, type ToolContext } from './tool-context.js';
import { errorResult, toolError, toolResult } from './tool-result.js';

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
const Loose = z.looseObject({});

const id = (name: string, what: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${name} is required: ${what}` : `${name} must be a string: ${what}`) })
    .min(1, `${name} must not be empty: ${what}`)
    .describe(what);

const AnalyzeTraceInput = z.object({
  trace_id: id('trace_id', 'the id of the trace to explain (tr_…), e.g. a failing result from get_test_run'),
  recompute: z
    .boolean({ error: 'recompute must be true or false' })
    .default(false)
    .describe(
      "Run the analysis again with the scenario's current expectations instead of reading the stored one (needs a key that may sync).",
    ),
});

const CompareTracesInput = z.object({
  trace_a: id('trace_a', 'the baseline trace id (A), e.g. the last passing run of the scenario'),
  trace_b: id('trace_b', 'the trace id to compare with it (B), e.g. the failing one'),
});

const CompareRunsInput = z.object({
  base_run_id: id('base_run_id', 'the earlier test run (the baseline)'),
  head_run_id: id('head_run_id', 'the later test run, compared against the baseline'),
  limit: z
    .number({ error: 'limit must be a whole number from 1 to 500' })
    .int('limit must be a whole number from 1 to 500')
    .min(1, 'limit must be a whole number from 1 to 500')
    .max(500, 'limit must be at most 500')
    .default(50)
    .describe('Most scenario rows in the text (changes first; default 50). The structured content has all.'),
});

const ScenarioHistoryInput = z.object({
  scenario_id: id('scenario_id', 'the scenario whose results across runs to read'),
  limit: z
    .number({ error: 'limit must be a whole number from 1 to 500' })
    .int('limit must be a whole number from 1 to 500')
    .min(1, 'limit must be a whole number from 1 to 500')
    .max(500, 'limit must be at most 500')
    .default(20)
    .describe('How many of the most recent traces to list (default 20).'),
});

/** Longest text a comparison answers with; past it, the rows around the divergence are kept. */
const MAX_SIDE_BY_SIDE_LINES = 160;

/** Registers analyze_trace, compare_traces, compare_test_runs and get_scenario_history. */
export function registerAnalysisTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'analyze_trace',
    {
      title: 'Explain a trace',
      description: `Explain why a test case failed: the verdict, the failed expectation checks (missing, extra or reordered tools, wrong parameters, forbidden tools, response text) and the failure patterns found (${FINDING_PATTERNS.join(', ')}), each as one sentence naming the tool, parameters and event, with its severity and basis (expectation, evidence, or a heuristic hint that never fails a case), followed by the events they point at.`,
      inputSchema: AnalyzeTraceInput,
      outputSchema: z.looseObject({ verdict: z.string(), checks: z.array(Loose), findings: z.array(Loose) }),
      annotations: { ...READ_ONLY, readOnlyHint: false },
    },
    async ({ trace_id, recompute }) => {
      if (recompute && !allowed(ctx, 'write')) {
        return toolError(`your key's role (${ctx.role}) cannot re-run the analysis; use a member key, or call without recompute`);
      }
      try {
        const evaluation = await ctx.backend.analyzeTrace(trace_id, { recompute });
        const lines = [formatEvaluation(evaluation, `Trace ${trace_id}`)];
        const pointed = [...new Set([...evaluation.findings, ...evaluation.checks].flatMap((x) => x.event_indexes))].sort((x, y) => x - y);
        if (pointed.length > 0) {
          const detail = await ctx.backend.getTrace(trace_id).catch(() => null);
          const events = (detail?.trace.events ?? []) as Array<{ type: string; timestamp: string; data: Record<string, unknown> }>;
          const shown = pointed.filter((i) => events[i] !== undefined);
          if (shown.length > 0) {
            lines.push('', 'The events they point at:');
            for (const i of shown)
              lines.push(`  ${String(i).padStart(3)}  ${events[i]!.type.padEnd(15)} ${clip(describeEvent(events[i]!), 300)}`);
          }
        }
        lines.push('', 'get_trace shows the whole timeline; compare_traces against a passing run shows where behavior diverged.');
        return toolResult(lines.join('\n'), { ...evaluation });
      } catch (error) {
        return errorResult(error, ctx.log);
      }
    },
  );

  server.registerTool(
    'compare_traces',
    {
      title: 'Compare two traces',
      description:
        'Compare two traces (usually of the same scenario: a passing and a failing run) step by step. Answers with the divergence point in one sentence (the first step where behavior differs: another tool, other parameters, an empty result, a skipped or extra step), the differences in duration, tokens, tool calls and verdict, and the aligned steps side by side (= same, ~ changed, - only in A, + only in B, >> the divergence).',
      inputSchema: CompareTracesInput,
      outputSchema: z.looseObject({
        a: Loose,
        b: Loose,
        same_scenario: z.boolean(),
        alignment: z.looseObject({ divergence: Loose.nullable(), rows: z.array(Loose) }),
      }),
      annotations: READ_ONLY,
    },
    async ({ trace_a, trace_b }) => {
      try {
        const comparison = await ctx.backend.compareTraces(trace_a, trace_b);
        const [a, b] = await Promise.all([ctx.backend.getTrace(trace_a), ctx.backend.getTrace(trace_b)]);
        const alignment = comparison.alignment;
        const lines: string[] = [];
        if (!comparison.same_scenario)
          lines.push(`Note: these traces are of different scenarios (${comparison.a.scenario_id} vs ${comparison.b.scenario_id}).`);
        for (const warning of alignment.warnings) if (!lines.some((l) => l.includes(warning))) lines.push(`Note: ${warning}`);
        lines.push(
          alignment.divergence
            ? `Divergence: ${alignment.divergence.sentence}`
            : 'No behavioral divergence: both traces took the same steps with the same parameters and outcomes.',
        );
        const d = alignment.deltas;
        const pair = (x: { a: number | null; b: number | null }, unit = '') => `${x.a ?? '?'}${unit} → ${x.b ?? '?'}${unit}`;
        const facts = [
          `duration ${pair(d.duration_ms, ' ms')}`,
          `tokens ${pair(d.tokens)}`,
          `tool calls ${pair(d.tool_calls)}`,
          `tool errors ${pair(d.tool_errors)}`,
        ];
        if (d.verdict) facts.push(`verdict ${d.verdict.a ?? '?'} → ${d.verdict.b ?? '?'}`);
        if (d.model.changed) facts.push(`model ${d.model.a ?? '?'} → ${d.model.b ?? '?'}`);
        lines.push(`A → B: ${facts.join(' · ')}`);
        if (d.findings && (d.findings.appeared.length > 0 || d.findings.disappeared.length > 0)) {
          const parts = [];
          if (d.findings.appeared.length > 0) parts.push(`new in B: ${d.findings.appeared.join(', ')}`);
          if (d.findings.disappeared.length > 0) parts.push(`gone in B: ${d.findings.disappeared.join(', ')}`);
          lines.push(`Failure patterns ${parts.join('; ')}.`);
        }
        const s = alignment.stats;
        lines.push(`Steps: ${s.same} same, ${s.changed} changed, ${s.only_a} only in A, ${s.only_b} only in B.`, '');
        const sideBySide = formatAlignmentSideBySide(alignment, asTrace(a), asTrace(b), { width: 160 }).split('\n');
        // The renderer ends with its own summary of the divergence and deltas, said above already.
        const lastRule = sideBySide.findLastIndex((l) => /^-{20,}$/.test(l));
        lines.push(around((lastRule > 1 ? sideBySide.slice(0, lastRule + 1) : sideBySide).join('\n'), MAX_SIDE_BY_SIDE_LINES));
        return toolResult(lines.join('\n'), { ...comparison });
      } catch (error) {
        return errorResult(
          renameParams(error, { 'query.a': 'trace_a', 'query.b': 'trace_b' }, { 'trace a': 'trace_a', 'trace b': 'trace_b' }),
          ctx.log,
        );
      }
    },
  );

  server.registerTool(
    'compare_test_runs',
    {
      title: 'Compare two test runs',
      description:
        'Compare two test runs of an agent scenario by scenario: regressions (passed before, fail now), fixes, behavior drift (same verdict, different tool path), results still failing, added and removed scenarios, the pass rate before and after, and which failure patterns grew. Use it after a change to the agent; then compare_traces on a regressed scenario shows where its behavior diverged.',
      inputSchema: CompareRunsInput,
      outputSchema: z.looseObject({ base: Loose, head: Loose, comparison: z.looseObject({ results: z.array(Loose), counts: Loose }) }),
      annotations: READ_ONLY,
    },
    async ({ base_run_id, head_run_id, limit }) => {
      try {
        const reply = await ctx.backend.compareRuns(base_run_id, head_run_id);
        const { base, head, comparison } = reply;
        const pct = (v: number | null) => (v === null ? '-' : `${Math.round(v * 100)}%`);
        const c = comparison.counts;
        const lines = [
          `Base ${base.id} (${base.name ?? base.agent_name}) → head ${head.id} (${head.name ?? head.agent_name})`,
          `Pass rate ${pct(comparison.pass_rate.a)} → ${pct(comparison.pass_rate.b)}`,
          `${c.regression} regression(s), ${c.fix} fix(es), ${c.behavior_drift} with behavior drift, ${c.still_failing} still failing, ${c.still_passing} still passing, ${c.added} added, ${c.removed} removed.`,
        ];
        const grown = comparison.patterns.filter((p) => p.delta !== 0);
        if (grown.length > 0) lines.push(`Failure patterns: ${grown.map((p) => `${p.pattern} ${p.base} → ${p.head}`).join(', ')}`);
        const order = ['regression', 'behavior_drift', 'still_failing', 'fix', 'added', 'removed', 'unknown', 'still_passing'];
        const rows = [...comparison.results].sort((x, y) => order.indexOf(x.status) - order.indexOf(y.status));
        lines.push(
          '',
          formatTable(
            ['SCENARIO', 'CHANGE', 'BASE', 'HEAD', 'BASE TRACE', 'HEAD TRACE', 'TOOL PATH'],
            rows
              .slice(0, limit)
              .map((r) => [
                r.scenario_id + (r.occurrence > 0 ? ` #${r.occurrence + 1}` : ''),
                r.status.replace('_', ' '),
                r.base?.verdict ?? '-',
                r.head?.verdict ?? '-',
                r.base?.trace_id ?? '-',
                r.head?.trace_id ?? '-',
                r.tool_path_changed
                  ? `${r.base?.tool_path.join(' → ') || '(none)'}  ⇒  ${r.head?.tool_path.join(' → ') || '(none)'}`
                  : (r.head ?? r.base)?.tool_path.join(' → ') || '(none)',
              ]),
          ),
        );
        if (rows.length > limit)
          lines.push(`(${rows.length - limit} more scenario rows, all unchanged or less urgent; raise limit to see them)`);
        for (const m of comparison.count_mismatches)
          lines.push(`Note: ${m.scenario_id} ran ${m.base} time(s) in base and ${m.head} in head.`);
        return toolResult(lines.join('\n'), { ...reply });
      } catch (error) {
        return errorResult(
          renameParams(error, { 'query.base': 'base_run_id', 'query.head': 'head_run_id' }, { base: 'base_run_id', head: 'head_run_id' }),
          ctx.log,
        );
      }
    },
  );

  server.registerTool(
    'get_scenario_history',
    {
      title: 'Scenario history',
      description:
        "Read one scenario's results across runs: how many, how flaky (0 = always the same verdict, 1 = half passing, half failing), the distinct tool paths the agent took with how often each passed and failed, and the most recent traces. Use it to see whether a failure is new, recurring or flaky, and to pick a passing trace to compare_traces against.",
      inputSchema: ScenarioHistoryInput,
      outputSchema: z.looseObject({
        scenario_id: z.string(),
        traces: z.array(Loose),
        total: z.number(),
        flakiness: z.number(),
        history: Loose,
      }),
      annotations: READ_ONLY,
    },
    async ({ scenario_id, limit }) => {
      try {
        // The first page of traces and the summary of the whole history (counted by the server).
        const reply = await ctx.backend.scenarioHistory(scenario_id, { limit });
        const h = reply.history;
        const lines = [
          `Scenario ${reply.scenario_id}: ${reply.total} result${reply.total === 1 ? '' : 's'} (${reply.passed} passed, ${reply.failed} failed), ${flipText(h.flip_rate)}.`,
          '',
          'Tool paths, most frequent first:',
          ...h.tool_paths.map(
            (p) => `  ${p.tool_path.join(' → ') || '(no tool calls)'}  ×${p.count} (${p.passed} passed, ${p.failed} failed)`,
          ),
          '',
          `Most recent traces:`,
          formatTable(
            ['TRACE', 'RUN', 'STARTED', 'VERDICT', 'PATTERNS', 'TOOLS'],
            reply.traces.map((t) => [
              t.id,
              t.run_id ?? '-',
              t.timestamp.slice(0, 19).replace('T', ' '),
              t.verdict ?? '-',
              t.patterns.join(', ') || '-',
              t.tool_path.join(' → ') || '(none)',
            ]),
          ),
        ];
        if (reply.total > reply.traces.length)
          lines.push(
            `(${reply.total - reply.traces.length} older traces not listed; raise limit, or use search_traces with scenario "${reply.scenario_id}")`,
          );
        return toolResult(lines.join('\n'), { ...reply });
      } catch (error) {
        return errorResult(error, ctx.log);
      }
    },
  );
}

function asTrace(detail: TraceDetail): Trace {
  return detail.trace as unknown as Trace;
}

/** Keeps a long side-by-side readable: its header and the rows around the divergence marker. */
function around(text: string, maxLines: number): string {
  const lines = text.split('\n');
  if (lines.length <= maxLines) return text;
  const header = lines.slice(0, 2);
  const marker = Math.max(
    2,
    lines.findIndex((l) => l.startsWith('>>')),
  );
  const start = Math.max(2, marker - Math.floor(maxLines / 4));
  const end = Math.min(lines.length, start + maxLines - 2);
  const out = [...header];
  if (start > 2) out.push(`   … ${start - 2} aligned lines before this point omitted …`);
  out.push(...lines.slice(start, end));
  if (end < lines.length) out.push(`   … ${lines.length - end} more lines omitted (the structured content has every row) …`);
  return out.join('\n');
}

/**
 * Service errors name the REST API's query parameters (`query.a`, and "trace a:" in the message);
 * the tool's parameters are named otherwise, and the model should read the names it used.
 */
function renameParams(error: unknown, paths: Record<string, string>, prefixes: Record<string, string>): unknown {
  if (!(error instanceof StepwiseError)) return error;
  const details = error.details as { issues?: Array<{ path: string; message: string }> } | undefined;
  if (!details?.issues) return error;
  const issues = details.issues.map((issue) => ({ ...issue, path: paths[issue.path] ?? issue.path }));
  let message = error.message;
  for (const [from, to] of Object.entries(prefixes))
    if (message.startsWith(`${from}:`)) message = `${to}:${message.slice(from.length + 1)}`;
  return new StepwiseError(error.code, message, { ...details, issues });
}

function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** The flip rate in words: how often consecutive results changed verdict. */
function flipText(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return 'too few results to tell how often the verdict flips';
  return `verdict flipped between ${Math.round(rate * 100)}% of consecutive results`;
}
