import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { formatResults, formatRuns, formatTable } from '../presentation/format.js';
import { MAX_PAGE_SIZE } from '../store/trace-store.js';
import type { TraceSummary } from '../store/trace-store.js';
import type { ToolContext } from './tool-context.js';
import { formatTraceForModel } from '../presentation/trace-text.js';
import { errorResult, toolResult } from './tool-result.js';

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

const limit = (fallback: number, max = MAX_PAGE_SIZE) =>
  z
    .number({ error: `limit must be a whole number from 1 to ${max}` })
    .int(`limit must be a whole number from 1 to ${max}`)
    .min(1, `limit must be a whole number from 1 to ${max}`)
    .max(max, `limit must be at most ${max}; page with offset or cursor instead`)
    .default(fallback)
    .describe(`How many to return (1–${max}, default ${fallback}).`);
const offset = z
  .number({ error: 'offset must be a whole number, 0 or more' })
  .int('offset must be a whole number, 0 or more')
  .min(0, 'offset must be a whole number, 0 or more')
  .default(0)
  .describe('How many to skip, for paging (default 0).');
const id = (name: string, what: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${name} is required: ${what}` : `${name} must be a string: ${what}`) })
    .min(1, `${name} must not be empty: ${what}`)
    .describe(what);
const timestamp = (name: string) =>
  z.iso.datetime({ offset: true, error: `${name} must be an ISO-8601 date-time with a time zone, e.g. "2026-03-13T14:30:00Z"` }).optional();

const ListRunsInput = z.object({
  agent: z.string().min(1).optional().describe('Only runs of this agent (exact agent_name).'),
  status: z
    .enum(['passed', 'failed', 'empty'], { error: 'status must be passed, failed or empty' })
    .optional()
    .describe('passed: every verdict passed; failed: at least one failed; empty: no results yet.'),
  limit: limit(20),
  offset,
});

const GetRunInput = z.object({
  test_run_id: id('test_run_id', 'the id of a test run, e.g. from list_test_runs or a sync reply'),
  status: z
    .enum(['passed', 'failed'], { error: 'status must be passed or failed' })
    .optional()
    .describe('Only results with this verdict; "failed" lists the cases to debug.'),
  limit: limit(50),
  offset,
});

const GetTraceInput = z.object({
  trace_id: id('trace_id', 'the id of a trace (tr_…), from a sync reply, get_test_run or search_traces'),
  event_offset: z
    .number({ error: 'event_offset must be a whole number, 0 or more' })
    .int('event_offset must be a whole number, 0 or more')
    .min(0, 'event_offset must be a whole number, 0 or more')
    .default(0)
    .describe('First event to show in the timeline text, for long traces (default 0).'),
  event_limit: z
    .number({ error: 'event_limit must be a whole number from 1 to 2000' })
    .int('event_limit must be a whole number from 1 to 2000')
    .min(1, 'event_limit must be a whole number from 1 to 2000')
    .max(2000, 'event_limit must be at most 2000; page with event_offset')
    .default(200)
    .describe('How many events to show in the timeline text (default 200). The structured content always holds the whole trace.'),
});

const SearchTracesInput = z.object({
  agent: z.string().min(1).optional().describe('Only traces of this agent.'),
  scenario: z.string().min(1).optional().describe('Only traces of this scenario_id (its history across runs).'),
  run: z.string().min(1).optional().describe('Only traces of this test run id; "none" for traces that belong to no run.'),
  q: z
    .string()
    .min(1)
    .max(500)
    .optional()
    .describe(
      'Full-text search over user messages, reasoning, responses and tool names, parameters, results and errors: words (all must occur) and "quoted phrases". The index holds text after redaction.',
    ),
  tool: z.string().min(1).optional().describe('Only traces that called this tool.'),
  model: z.string().min(1).optional().describe('Only traces of this model (as recorded).'),
  pattern: z
    .string()
    .min(1)
    .optional()
    .describe('Only traces with a finding of this failure pattern, e.g. hallucination, tool_misuse, missing_tool_call, loop.'),
  verdict: z
    .enum(['passed', 'failed'], { error: 'verdict must be passed or failed' })
    .optional()
    .describe('Only passed or only failed traces.'),
  since: timestamp('since').describe('Only traces that started at or after this ISO-8601 time.'),
  until: timestamp('until').describe('Only traces that started before this ISO-8601 time.'),
  limit: limit(20),
  cursor: z.string().min(1).max(500).optional().describe('next_cursor from the previous page, to read the next one.'),
});

const Loose = z.looseObject({});

/** Registers the read tools: list_test_runs, get_test_run, get_trace, search_traces. */
export function registerReadTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'list_test_runs',
    {
      title: 'List test runs',
      description:
        'List test runs in this workspace, newest first, with their pass/fail counts and pass rate. Filter by agent or status (failed = at least one failing case). Use get_test_run on a run to see its cases.',
      inputSchema: ListRunsInput,
      outputSchema: z.looseObject({ runs: z.array(Loose), total: z.number().nullable(), limit: z.number(), offset: z.number() }),
      annotations: READ_ONLY,
    },
    async (args) => {
      try {
        const page = await ctx.backend.listRuns(args);
        const shown = page.runs.length;
        const lines = [formatRuns(page.runs)];
        if (shown > 0) lines.push('', pageNote(page.offset, shown, page.total, 'run'));
        return toolResult(lines.join('\n'), { ...page });
      } catch (error) {
        return errorResult(error, ctx.log);
      }
    },
  );

  server.registerTool(
    'get_test_run',
    {
      title: 'Read a test run',
      description:
        'Read one test run: its summary (agent, counts, pass rate, failure patterns) and its results, one line per test case with trace id, scenario, verdict and tool path. Filter with status "failed" to list only the cases to debug, then open one with get_trace.',
      inputSchema: GetRunInput,
      outputSchema: z.looseObject({
        run: Loose,
        results: z.array(Loose),
        total: z.number().nullable(),
        limit: z.number(),
        offset: z.number(),
      }),
      annotations: READ_ONLY,
    },
    async ({ test_run_id, ...query }) => {
      try {
        const detail = await ctx.backend.getRun(test_run_id, query);
        const run = detail.run;
        const lines = [formatRuns([run]), ''];
        const patterns = Object.entries(run.findings_by_pattern ?? {});
        if (patterns.length > 0) lines.push(`Findings by pattern: ${patterns.map(([p, n]) => `${p} ×${n}`).join(', ')}`, '');
        if (detail.results.length === 0) lines.push(query.status ? `No ${query.status} results in this page.` : 'No results in this page.');
        else {
          lines.push(formatResults(detail.results));
          lines.push('', pageNote(detail.offset, detail.results.length, detail.total, 'result'));
        }
        lines.push(`Dashboard: ${ctx.backend.runUrl(run.id)}`);
        return toolResult(lines.join('\n'), { ...detail });
      } catch (error) {
        return errorResult(error, ctx.log);
      }
    },
  );

  server.registerTool(
    'get_trace',
    {
      title: 'Read a trace',
      description:
        "Read one trace as a timeline: one line per event with its index, elapsed time, type and a short description (tool name, key parameters, abbreviated result, errors), then the analysis findings pinned to their events. Use it to see what the agent did step by step and why a case failed. The structured content holds the full trace (every event's parameters and raw results), its summary, expectations and evaluation.",
      inputSchema: GetTraceInput,
      outputSchema: z.looseObject({ trace: z.looseObject({ events: z.array(z.unknown()) }), summary: Loose }),
      annotations: READ_ONLY,
    },
    async ({ trace_id, event_offset, event_limit }) => {
      try {
        const detail = await ctx.backend.getTrace(trace_id);
        const text = formatTraceForModel(detail, { offset: event_offset, limit: event_limit, width: 320 });
        return toolResult(text, { ...detail });
      } catch (error) {
        return errorResult(error, ctx.log);
      }
    },
  );

  server.registerTool(
    'search_traces',
    {
      title: 'Search traces',
      description:
        'Find traces across runs, newest first, by text (q: words in messages and tool data), agent, scenario, run (or "none"), tool called, model, failure pattern (hallucination, tool_misuse, missing_tool_call, loop, …), verdict and time range. Each line gives the trace id, scenario, verdict, patterns and tool path; with q, also the first matching event and the words around the match. Open one with get_trace. Pass next_cursor back as cursor for the next page.',
      inputSchema: SearchTracesInput,
      outputSchema: z.looseObject({ traces: z.array(Loose), next_cursor: z.string().nullable() }),
      annotations: READ_ONLY,
    },
    async (args) => {
      try {
        const page = await ctx.backend.searchTraces(args);
        const lines = [page.traces.length === 0 ? 'No traces match these filters.' : formatTraceRows(page.traces)];
        const matches = page.traces.filter((t) => t.match);
        if (matches.length > 0) {
          lines.push('', 'Matches:');
          for (const t of matches) lines.push(`- ${t.id} event ${t.match!.event_index}: ${t.match!.snippet}`);
        }
        if (page.next_cursor) lines.push('', `More traces match: call search_traces again with cursor "${page.next_cursor}".`);
        return toolResult(lines.join('\n'), { ...page });
      } catch (error) {
        return errorResult(error, ctx.log);
      }
    },
  );
}

function formatTraceRows(traces: TraceSummary[]): string {
  return formatTable(
    ['TRACE', 'SCENARIO', 'AGENT', 'STARTED', 'VERDICT', 'PATTERNS', 'TOOLS'],
    traces.map((t) => [
      t.id,
      t.scenario_id,
      t.agent_name,
      t.timestamp.slice(0, 19).replace('T', ' '),
      t.verdict ?? '-',
      t.patterns.join(', ') || '-',
      t.tool_path.join(' → ') || '(none)',
    ]),
  );
}

function pageNote(offset: number, shown: number, total: number | null, noun: string): string {
  const last = offset + shown;
  const of = total === null ? '' : ` of ${total}`;
  const more = total !== null && last < total ? `; call again with offset ${last} for more` : '';
  return `Showing ${noun}s ${offset + 1}–${last}${of}${more}.`;
}
