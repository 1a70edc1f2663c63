// The composition root of the command line: the CLI door plus the commands that start the other
// doors (`serve` runs the HTTP server with REST, OTLP and MCP; `mcp` runs MCP over stdio).
import { type Command, Option } from 'commander';
import { defaultConfig, DEFAULT_DB_PATH, DEFAULT_HOST, DEFAULT_PORT } from './config.js';
import { buildProgram as buildCliProgram, defaultIo, main as cliMain, positiveInt, type CommandRegistrar, type Io } from './cli/main.js';
import { registerMcpCommand } from './mcp/mcp-command.js';
import { startServer } from './server.js';
import { describeDb, resolveDb } from './store/db-target.js';

/** `stepwise serve`: the API server, OTLP receiver, MCP endpoint and dashboard on one SQLite file or a PostgreSQL database. */
export function registerServeCommand(program: Command, io: Io): void {
  program
    .command('serve')
    .description('run the API server (and dashboard) on an embedded SQLite file or a PostgreSQL database')
    .addOption(new Option('--host <host>', 'address to bind').env('STEPWISE_HOST').default(DEFAULT_HOST))
    .addOption(
      new Option('--port <port>', 'port to listen on (0 picks a free one)')
        .env('STEPWISE_PORT')
        .default(DEFAULT_PORT)
        .argParser(positiveInt),
    )
    .addOption(new Option('--db <path>', 'SQLite database file, or a postgres:// URL').env('STEPWISE_DB').default(DEFAULT_DB_PATH))
    .addOption(
      new Option('--auth <mode>', '"required", or "none" for local development on loopback only')
        .choices(['required', 'none'])
        .env('STEPWISE_AUTH')
        .default('required'),
    )
    .option('--no-demo', 'do not load demo data into an empty database')
    .action(async (opts: { host: string; port: number; db: string; demo: boolean; auth: 'required' | 'none' }) => {
      const config = {
        ...defaultConfig(),
        host: opts.host,
        port: opts.port,
        dbPath: resolveDb(opts.db),
        demo: opts.demo,
        authMode: opts.auth,
      };
      const server = await startServer(config, io.err);
      io.err(`Stepwise is listening on ${server.url}`);
      io.err(`  database: ${describeDb(config.dbPath)}`);
      if (server.demoSeeded) io.err('  loaded demo data (start with --no-demo to skip it)');
      if (server.loginUrl) io.err(`  open the dashboard (one-time login link, valid 24 h):\n    ${server.loginUrl}`);
      if (server.firstApiKey) {
        io.err('  your owner API key (shown once; keep it secret):');
        io.err(`    ${server.firstApiKey}`);
        io.err(`  try: curl -H "Authorization: Bearer ${server.firstApiKey}" ${server.url}/api/v1/runs`);
      }
      if (config.authMode === 'none') io.err('  authentication is OFF (loopback only)');
      const stop = () => {
        void server.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

/** The commands the composition root adds to the CLI's own. */
export const SERVER_COMMANDS: CommandRegistrar[] = [registerServeCommand, (program) => void registerMcpCommand(program)];

/** The whole `stepwise` program (CLI commands plus `serve` and `mcp`). */
export function buildProgram(io: Io = defaultIo): Command {
  return buildCliProgram(io, SERVER_COMMANDS);
}

/** Runs `stepwise` with these arguments; resolves to the exit code. */
export function main(argv: string[], io: Io = defaultIo): Promise<number> {
  return cliMain(argv, io, SERVER_COMMANDS);
}
