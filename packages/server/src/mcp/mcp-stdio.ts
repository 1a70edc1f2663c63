import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { DEFAULT_PARSE_LIMITS } from '../ingest/parse.js';
import { openRuntime } from '../runtime.js';
import { DEFAULT_WORKSPACE_ID } from '../store/trace-store.js';
import type { McpBackend } from './backend.js';
import { LocalBackend } from './local-backend.js';
import { createStepwiseMcpServer } from './mcp-server.js';
import { RemoteBackend } from './remote-backend.js';

export interface StdioMcpOptions {
  /** Database file for local mode (ignored when `url` is given). */
  db: string;
  /** A running Stepwise server, for remote mode. */
  url?: string;
  apiKey?: string;
  /** Base URL for dashboard links in local mode. */
  publicUrl?: string;
  /** Diagnostics; defaults to stderr, since stdout carries the protocol. */
  log?: (line: string) => void;
  stdin?: Readable;
  stdout?: Writable;
}

/** The backend `stepwise mcp` uses: the REST API of `--url`, else the database file `--db`. */
export function openMcpBackend(options: Pick<StdioMcpOptions, 'db' | 'url' | 'apiKey' | 'publicUrl'>): McpBackend {
  if (options.url !== undefined && options.url !== '') {
    return new RemoteBackend({ url: options.url, ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}) });
  }
  const dbPath = resolve(options.db);
  const runtime = openRuntime({ dbPath, ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}) });
  return new LocalBackend({
    store: runtime.store,
    pipeline: runtime.pipeline,
    analysis: runtime.analysis,
    compare: runtime.compare,
    workspaceId: DEFAULT_WORKSPACE_ID,
    where: `database ${dbPath}`,
    onClose: () => runtime.close(),
  });
}

/**
 * Serves MCP over stdio until the client closes stdin (or the process is asked to stop), then
 * closes the database. Nothing but protocol messages is written to stdout.
 *
 * @example
 * await serveMcpOverStdio({ db: './data/stepwise.db' });
 */
export async function serveMcpOverStdio(options: StdioMcpOptions): Promise<void> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const backend = openMcpBackend(options);
  const server = createStepwiseMcpServer({ backend, log });
  // One JSON-RPC line carries a whole sync; a results array sent as a JSON string is escaped, which
  // can nearly double it. The pipeline applies its own size limit to what it parses.
  const transport = new StdioServerTransport(stdin, stdout, { maxBufferSize: 2 * DEFAULT_PARSE_LIMITS.maxBytes + 1024 * 1024 });

  const closed = new Promise<void>((resolveClosed) => {
    transport.onclose = () => resolveClosed();
  });
  transport.onerror = (error) => log(`stepwise mcp: ${error.message}`);
  const stop = () => void server.close().catch(() => undefined);
  stdin.once('end', stop);
  stdin.once('close', stop);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  try {
    await server.connect(transport);
    log(`stepwise mcp: serving ${backend.where} over stdio`);
    await closed;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await backend.close();
  }
}
