// The MCP door of Stepwise: tools and resources over stdio (`stepwise mcp`) and streamable HTTP (`/mcp`).

export type {
  StepwiseBackend,
  RunsComparison,
  ScenarioHistoryReply,
  StoredEvaluation,
  TraceComparison,
  SyncArguments,
  RunDetail,
  RunList,
  RunListQuery,
  RunResultsQuery,
  TraceDetail,
  TraceSearchPage,
  TraceSearchQuery,
} from '../client/backend.js';
export { LocalBackend } from '../client/local-backend.js';
export type { LocalBackendOptions } from '../client/local-backend.js';
export { RemoteBackend } from '../client/remote-backend.js';
export type { RemoteBackendOptions } from '../client/remote-backend.js';
export { createStepwiseMcpServer } from './mcp-server.js';
export type { StepwiseMcpServerOptions } from './mcp-server.js';
export { mcpHttpHandler, mountMcp } from './mcp-http.js';
export { bearerAuthenticator } from '../access/bearer-auth.js';
export type { ApiKeyResolver } from '../access/bearer-auth.js';
export type { McpCaller, McpHttpDeps } from './mcp-http.js';
export { serveMcpOverStdio } from './mcp-stdio.js';
export { openBackend } from '../client/open-backend.js';
export type { StdioMcpOptions } from './mcp-stdio.js';
export { registerMcpCommand } from './mcp-command.js';
export type { WorkspaceRole } from './tool-context.js';
