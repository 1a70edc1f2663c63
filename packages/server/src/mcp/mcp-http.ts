import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Env, Hono } from 'hono';
import { StepwiseError } from '@stepwise/core';
import type { IngestPipeline } from '../ingest/pipeline.js';
import { checkContainerCount } from '../ingest/parse.js';
import type { FeedbackService } from '../services/feedback-service.js';
import type { TraceStore } from '../store/trace-store.js';
import { LocalBackend } from '../client/local-backend.js';
import { createStepwiseMcpServer } from './mcp-server.js';
import type { WorkspaceRole } from './tool-context.js';

/** Who is calling `/mcp`: the workspace their API key belongs to and the key's role. */
export interface McpCaller {
  workspaceId: string;
  role: WorkspaceRole;
  /** Who is calling, for rate limits (`key:<id>`); never a secret. */
  actor?: string;
}

export interface McpHttpDeps {
  store: TraceStore;
  pipeline: IngestPipeline;
  feedback?: FeedbackService;
  /** Resolves the request's credentials (`Authorization: Bearer sw_…`) to a caller, or null to refuse. */
  authenticate: (request: Request) => Promise<McpCaller | null>;
  /** Takes one request from the caller's budget: 0 when allowed, else the seconds to wait (answered 429). */
  rateLimit?: (caller: McpCaller) => number | Promise<number>;
  log?: (line: string) => void;
}

// -32001 is what MCP servers commonly answer for a refused or unknown caller; -32000 is generic.
const UNAUTHORIZED = -32001;
const SERVER_ERROR = -32000;
const INTERNAL_ERROR = -32603;

/**
 * The `/mcp` endpoint (MCP streamable HTTP, stateless): every POST is authenticated, then answered
 * by a fresh MCP server over the caller's workspace, with JSON responses (no SSE stream is kept).
 *
 * @example
 * const handle = mcpHttpHandler({ store, pipeline, authenticate });
 * app.all('/mcp', (c) => handle(c.req.raw));
 */
export function mcpHttpHandler(deps: McpHttpDeps): (request: Request) => Promise<Response> {
  const log = deps.log ?? ((line: string) => console.error(line));
  // A results array sent as a JSON string is escaped inside the JSON-RPC body, which can nearly
  // double its size; the pipeline still applies its own limit to what it parses.
  const maxRequestBodySize = Math.max(4 * 1024 * 1024, deps.pipeline.limits.maxBytes * 2);

  return async (request: Request): Promise<Response> => {
    let caller: McpCaller | null;
    try {
      caller = await deps.authenticate(request);
    } catch (error) {
      log(`mcp: authentication failed unexpectedly: ${(error as Error)?.stack ?? String(error)}`);
      return jsonRpcError(500, INTERNAL_ERROR, 'the server could not check your credentials; try again');
    }
    if (caller === null) {
      return jsonRpcError(401, UNAUTHORIZED, 'Unauthorized: send an API key of this Stepwise server as "Authorization: Bearer sw_…"', {
        'www-authenticate': 'Bearer realm="stepwise"',
      });
    }
    const wait = (await deps.rateLimit?.(caller)) ?? 0;
    if (wait > 0) {
      return jsonRpcError(429, SERVER_ERROR, `Too many requests: retry in ${wait} s`, { 'retry-after': String(wait) });
    }
    if (request.method !== 'POST') {
      // Stateless: there is no session to stream to (GET) or to end (DELETE).
      return jsonRpcError(405, SERVER_ERROR, 'Method not allowed: this endpoint is stateless; send JSON-RPC messages with POST', {
        allow: 'POST',
      });
    }

    // The SDK parses the body itself: refuse one that would make millions of objects first.
    let body: string;
    try {
      body = await request.text();
      if (Buffer.byteLength(body) > maxRequestBodySize) {
        throw new StepwiseError('payload_too_large', `the body is larger than the limit of ${maxRequestBodySize} bytes`);
      }
      checkContainerCount(body, deps.pipeline.limits, 'the body');
    } catch (error) {
      if (error instanceof StepwiseError) return jsonRpcError(413, SERVER_ERROR, `Payload too large (${error.code}): ${error.message}`);
      return jsonRpcError(400, SERVER_ERROR, 'the request body could not be read');
    }
    const replayed = new Request(request.url, { method: 'POST', headers: request.headers, body });

    const backend = new LocalBackend({
      store: deps.store,
      pipeline: deps.pipeline,
      workspaceId: caller.workspaceId,
      ...(deps.feedback ? { feedback: deps.feedback } : {}),
      ...(caller.actor !== undefined ? { actor: caller.actor } : {}),
    });
    const server = createStepwiseMcpServer({ backend, role: caller.role, log });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize,
    });
    try {
      await server.connect(transport);
      return await transport.handleRequest(replayed);
    } catch (error) {
      log(`mcp: request failed unexpectedly: ${(error as Error)?.stack ?? String(error)}`);
      return jsonRpcError(500, INTERNAL_ERROR, 'the server failed to handle this request; it has been logged');
    } finally {
      // With JSON responses the reply is complete once handleRequest resolves.
      await server.close().catch(() => undefined);
    }
  };
}

/**
 * Serves MCP at `/mcp` on a Hono app.
 *
 * @example
 * mountMcp(app, { store: deps.store, pipeline: deps.pipeline, authenticate: deps.authenticate });
 */
export function mountMcp<E extends Env>(app: Hono<E>, deps: McpHttpDeps): void {
  const handle = mcpHttpHandler(deps);
  app.all('/mcp', (c) => handle(c.req.raw));
}

function jsonRpcError(status: number, code: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}
