// The MCP door of Stepwise: tools and resources over stdio (`stepwise mcp`) and streamable HTTP (`/mcp`).

export type {
  McpBackend,
  RunsComparison,
  ScenarioHistoryReply,
  StoredEvaluation,
  TraceComparison,
  McpSyncRequest,
  RunDetail,
  RunList,
  RunListQuery,
  RunResultsQuery,
  TraceDetail,
  TraceSearchPage,
  TraceSearchQuery,
} from './backend.js';
export { LocalBackend } from './local-backend.js';
export type { LocalBackendOptions } from './local-backend.js';
export { RemoteBackend } from './remote-backend.js';
export type { RemoteBackendOptions } from './remote-backend.js';
export { createStepwiseMcpServer } from './mcp-server.js';
export type { StepwiseMcpServerOptions } from './mcp-server.js';
export { mcpHttpHandler, mountMcp } from './mcp-http.js';
export { bearerAuthenticator } from './mcp-auth.js';
export type { ApiKeyResolver } from './mcp-auth.js';
export type { McpCaller, McpHttpDeps } from './mcp-http.js';
export { openMcpBackend, serveMcpOverStdio } from './mcp-stdio.js';
export type { StdioMcpOptions } from './mcp-stdio.js';
export { registerMcpCommand } from './mcp-command.js';
export type { WorkspaceRole } from './tool-context.js';
