import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { SyncReply } from '@stepwise/core';
import type { SyncArguments } from '../client/backend.js';
import { allowed, type ToolContext } from './tool-context.js';
import { errorResult, toolError, toolResult } from './tool-result.js';

/**
 * What a result item looks like, for the model reading the tool's schema. Items are validated one
 * by one by the ingest pipeline (so one bad item is rejected alone, with its JSON paths), which is
 * why the schema the SDK enforces accepts any array and this one is only attached as documentation.
 */
const ResultItemDoc = z.looseObject({
  scenario_id: z.string().describe('Stable id of the test scenario, e.g. "sc_refund_policy"; links runs of the same scenario.'),
  user_message: z.string().describe('The message or trigger sent to the agent.'),
  agent_response: z.string().describe("The agent's final response."),
  tools_called: z
    .array(
      z.looseObject({
        name: z.string().describe('Tool name.'),
        parameters: z.record(z.string(), z.unknown()).optional().describe('Arguments the agent passed.'),
        result: z
          .unknown()
          .optional()
          .describe('What the tool returned (raw). Include it: it is what shows an empty result the agent ignored.'),
        error: z.looseObject({ type: z.string().optional(), message: z.string() }).optional().describe('If the tool failed.'),
        duration_ms: z.number().optional(),
        timestamp: z.string().optional().describe('ISO-8601 time of the call.'),
      }),
    )
    .optional()
    .describe('Tool calls in order; each becomes a tool_call (or tool_error) event.'),
  passed: z.boolean().optional().describe('Your own verdict for the case.'),
  notes: z.string().optional(),
  expected: z
    .looseObject({
      tools: z.array(z.unknown()).optional().describe('Tool names (or {name, parameters, match}) that should be called.'),
      order: z.enum(['strict', 'in_order', 'any']).optional(),
      forbidden_tools: z.array(z.string()).optional(),
      response_contains: z.array(z.string()).optional(),
    })
    .optional()
    .describe('Expectations checked against the trace (missing, extra, reordered tools, wrong parameters).'),
  trace: z
    .looseObject({ events: z.array(z.unknown()) })
    .optional()
    .describe('A full trace (see resource stepwise://schema/trace-format); its events win over tools_called.'),
  model: z.string().optional(),
  tokens: z.unknown().optional(),
  duration_ms: z.number().optional(),
  cost_usd: z.number().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
const resultItemJsonSchema = (() => {
  const { $schema: _drop, ...schema } = z.toJSONSchema(ResultItemDoc, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return schema;
})();

const agentName = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? 'agent_name is required: the name of the agent under test, e.g. "customer-support-agent"'
        : 'agent_name must be a string',
  })
  .min(1, 'agent_name must not be empty: give the name of the agent under test')
  .describe('Name of the agent under test, e.g. "customer-support-agent". When appending (test_run_id), it must equal the run\'s agent.');
const testRunId = z
  .string({ error: 'test_run_id must be a string: the test_run_id from an earlier sync reply' })
  .min(1)
  .optional()
  .describe('Append to this existing test run (incremental or streaming mode), as returned by an earlier sync. Omit to start a new run.');
const runName = z
  .string({ error: 'name must be a string' })
  .max(500)
  .optional()
  .describe('A label for a new run, e.g. "nightly 2026-03-13" or a commit SHA.');
const source = z
  .enum(['mcp', 'ci', 'vscode', 'cli', 'api'], { error: 'source must be one of mcp, ci, vscode, cli, api' })
  .optional()
  .describe('Where the results come from; defaults to "mcp".');
const createEmpty = z
  .boolean({ error: 'create_empty must be true or false' })
  .optional()
  .describe(
    'Streaming mode: true with an empty results list opens a new run and returns its test_run_id, to append cases to as they finish.',
  );

const branch = z
  .string({ error: 'branch must be a string' })
  .min(1)
  .max(200)
  .optional()
  .describe('For a new run: the branch it was made on, e.g. "main"; lets CI compare with the last run on a branch.');
const commit = z
  .string({ error: 'commit must be a string' })
  .min(1)
  .max(100)
  .optional()
  .describe('For a new run: the commit it was made at.');
const ciUrl = z
  .string({ error: 'ci_url must be a string' })
  .max(2000)
  .optional()
  .describe('For a new run: an http(s) link to the CI job that made it.');

const SyncResultsInput = z.object({
  agent_name: agentName,
  results: z
    .union([z.array(z.unknown()).meta({ items: resultItemJsonSchema }), z.string()], {
      error: 'results must be an array of result objects, or a JSON-encoded string of that array',
    })
    .optional()
    .describe(
      'The test results: an array of result objects (or the same array JSON-encoded as a string). May be omitted or empty only with create_empty: true.',
    ),
  test_run_id: testRunId,
  name: runName,
  source,
  create_empty: createEmpty,
  branch,
  commit,
  ci_url: ciUrl,
});

const InvariumSyncResultsInput = z.object({
  agent_name: agentName,
  results: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? 'results is required: a JSON-encoded string of an array of results (use "[]" with create_empty: true)'
          : 'results must be a string holding the JSON-encoded array of results (or call sync_results, which also accepts an array)',
    })
    .describe(
      'JSON-encoded array of results. Each result: {scenario_id, user_message, agent_response, tools_called?: [{name, parameters?, result?, error?}], passed?, notes?, expected?, trace?}. Use "[]" with create_empty: true.',
    ),
  test_run_id: testRunId,
  name: runName,
  source,
  create_empty: createEmpty,
  branch,
  commit,
  ci_url: ciUrl,
});

const SyncReplyOutput = z.looseObject({
  test_run_id: z.string(),
  agent_name: z.string(),
  synced: z.number(),
  duplicates: z.number(),
  rejected: z.array(z.looseObject({ index: z.number(), errors: z.array(z.looseObject({ path: z.string(), message: z.string() })) })),
  warnings: z.array(z.looseObject({ index: z.number(), path: z.string(), message: z.string() })),
  trace_ids: z.array(z.string()),
  dashboard_url: z.string(),
});

const SYNC_DESCRIPTION = `Send results of agent test cases to Stepwise. Each result becomes a behavioral trace (user input → tool calls with parameters and results → final response) that is PII-redacted, analyzed for failure patterns and stored in a test run.

Modes: batch (omit test_run_id: a new run is created); incremental (pass test_run_id from an earlier reply to append); streaming (create_empty: true with no results opens a run, then append each case as it finishes).

Each result needs scenario_id, user_message and agent_response. For a rich trace add tools_called with each tool's name, parameters and result (or error), or a full trace; add passed for your verdict and expected (tools that should be called) for checks. Invalid results are rejected one by one with the JSON path of each problem while the others are stored.

Returns the test_run_id, counts, trace_ids (read one with get_trace), rejected results with their errors, warnings and a dashboard link. Guide: resource stepwise://guide/rich-traces.`;

const INVARIUM_DESCRIPTION = `Invarium-compatible sync: the same as sync_results, with the parameters of invarium_sync_results — results is a JSON-encoded string of the results array.

${SYNC_DESCRIPTION}`;

/** Registers `sync_results` and its Invarium-compatible twin `invarium_sync_results`. */
export function registerSyncTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'sync_results',
    {
      title: 'Sync test results',
      description: SYNC_DESCRIPTION,
      inputSchema: SyncResultsInput,
      outputSchema: SyncReplyOutput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args) => syncWith(ctx, { ...args, results: args.results ?? [] }),
  );
  server.registerTool(
    'invarium_sync_results',
    {
      title: 'Sync test results (Invarium-compatible)',
      description: INVARIUM_DESCRIPTION,
      inputSchema: InvariumSyncResultsInput,
      outputSchema: SyncReplyOutput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args) => syncWith(ctx, args),
  );
}

async function syncWith(ctx: ToolContext, args: SyncArguments) {
  if (!allowed(ctx, 'write')) return toolError(`your key's role (${ctx.role}) cannot sync; use a member key`);
  try {
    const request: SyncArguments = { ...args, source: args.source ?? 'mcp' };
    const reply = await ctx.backend.sync(request);
    return toolResult(describeSyncReply(reply), { ...reply });
  } catch (error) {
    return errorResult(error, ctx.log);
  }
}

/** The reply in sentences: what was stored where, what was rejected and why, what to do next. */
export function describeSyncReply(reply: SyncReply): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const lines = [
    `Synced ${plural(reply.synced, 'result')} into test run ${reply.test_run_id} (agent ${reply.agent_name}; ${plural(reply.duplicates, 'duplicate')} skipped, ${reply.rejected.length} rejected).`,
  ];
  if (reply.trace_ids.length > 0) lines.push(`Trace ids: ${reply.trace_ids.join(', ')}`);
  for (const rejected of reply.rejected) {
    lines.push(`Result ${rejected.index} was rejected:`);
    for (const issue of rejected.errors) lines.push(`  - ${issue.path}: ${issue.message}`);
  }
  for (const warning of reply.warnings) lines.push(`Note on result ${warning.index} (${warning.path}): ${warning.message}`);
  lines.push(`Dashboard: ${reply.dashboard_url}`);
  const first = reply.trace_ids[0];
  if (first !== undefined)
    lines.push(`Next: get_trace with trace_id "${first}" shows its timeline; append more results with test_run_id "${reply.test_run_id}".`);
  else lines.push(`Next: append results with test_run_id "${reply.test_run_id}".`);
  return lines.join('\n');
}
