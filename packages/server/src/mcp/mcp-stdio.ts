import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { DEFAULT_PARSE_LIMITS } from '../ingest/parse.js';
import { openBackend } from '../client/open-backend.js';
import { createStepwiseMcpServer } from './mcp-server.js';

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
  const backend = openBackend(options);
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
