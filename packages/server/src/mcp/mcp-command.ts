import { type Command, Option } from 'commander';
import { DEFAULT_DB_PATH } from '../config.js';
import { serveMcpOverStdio } from './mcp-stdio.js';

/**
 * Adds `stepwise mcp` to the CLI: an MCP server over stdio, on a database file (`--db`) or on a
 * running server (`--url` and `--api-key`).
 *
 * @example
 * registerMcpCommand(program); // then: stepwise mcp --db ./data/stepwise.db
 */
export function registerMcpCommand(program: Command): Command {
  return program
    .command('mcp')
    .description('run the MCP server over stdio, for Claude Code, Cursor and other MCP clients')
    .addOption(
      new Option('--db <path>', 'database file or postgres:// URL, when not using --url').env('STEPWISE_DB').default(DEFAULT_DB_PATH),
    )
    .addOption(new Option('--url <url>', 'use a running Stepwise server instead of a database file').env('STEPWISE_URL'))
    .addOption(new Option('--api-key <key>', 'API key (sw_…) for --url').env('STEPWISE_API_KEY'))
    .addOption(new Option('--public-url <url>', 'base URL of the dashboard, for links in replies').env('STEPWISE_PUBLIC_URL'))
    .action(async (opts: { db: string; url?: string; apiKey?: string; publicUrl?: string }) => {
      await serveMcpOverStdio({
        db: opts.db,
        ...(opts.url !== undefined ? { url: opts.url } : {}),
        ...(opts.apiKey !== undefined ? { apiKey: opts.apiKey } : {}),
        ...(opts.publicUrl !== undefined ? { publicUrl: opts.publicUrl } : {}),
      });
    });
}
