import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerAnalysisTools } from './analysis-tools.js';
import type { StepwiseBackend } from '../client/backend.js';
import { registerFeedbackTools } from './feedback-tools.js';
import { registerReadTools } from './read-tools.js';
import { registerResources } from './resources.js';
import { registerSyncTools } from './sync-tools.js';
import type { ToolContext, WorkspaceRole } from './tool-context.js';

export interface StepwiseMcpServerOptions {
  backend: StepwiseBackend;
  /** The caller's role when Stepwise authenticated the caller itself (`/mcp`); see `ToolContext.role`. */
  role?: WorkspaceRole | null;
  /** Diagnostics; over stdio this must not write to stdout, which carries the protocol. */
  log?: (line: string) => void;
}

const INSTRUCTIONS = `Stepwise stores behavioral traces of AI-agent test runs: what the agent did step by step (user input, tool calls with parameters and results, tool errors, final response).
Sync results with sync_results (or invarium_sync_results). To debug a failing case: list_test_runs → get_test_run with status "failed" → analyze_trace (why it failed) and get_trace (the timeline) on a failing trace id → get_scenario_history and compare_traces against a passing trace (where behavior diverged). compare_test_runs finds regressions between two runs; search_traces finds traces by words in their messages and tool data (q), scenario, tool, pattern or verdict across runs. mark_finding records that a finding is right or a false alarm.
Read stepwise://guide/rich-traces for what to put in a result to get a rich trace.`;

/**
 * Builds the Stepwise MCP server (tools and resources) over a backend. Connect it to any transport.
 *
 * @example
 * const server = createStepwiseMcpServer({ backend, log: (l) => process.stderr.write(`${l}\n`) });
 * await server.connect(new StdioServerTransport());
 */
export function createStepwiseMcpServer(options: StepwiseMcpServerOptions): McpServer {
  const server = new McpServer(
    { name: 'stepwise', title: 'Stepwise', version: '0.1.0' },
    { capabilities: { tools: {}, resources: {} }, instructions: INSTRUCTIONS },
  );
  const ctx: ToolContext = {
    backend: options.backend,
    role: options.role ?? null,
    log: options.log ?? ((line) => process.stderr.write(`${line}\n`)),
  };
  registerSyncTools(server, ctx);
  registerReadTools(server, ctx);
  registerAnalysisTools(server, ctx);
  registerFeedbackTools(server, ctx);
  registerResources(server);
  return server;
}
