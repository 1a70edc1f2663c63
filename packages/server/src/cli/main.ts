import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { StepwiseError, traceFormatJsonSchema, type ValidationIssue } from '@stepwise/core';
import { defaultConfig, DEFAULT_DB_PATH, DEFAULT_HOST, DEFAULT_PORT } from '../config.js';
import { startServer } from '../server.js';
import { HttpClient, LocalClient, type StepwiseClient } from './client.js';
import { formatIssues, formatResults, formatRuns, formatTimeline } from './format.js';
import { registerAdminCommands } from './admin-commands.js';
import { registerAnalysisCommands } from './analysis-commands.js';
import { registerPrivacyCommands } from './privacy-commands.js';
import { registerMcpCommand } from '../mcp/mcp-command.js';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  readStdin: () => Promise<string>;
}

const defaultIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

/** `--url` talks to a running server; otherwise the CLI opens the database file itself. */
function target(cmd: Command): Command {
  return cmd
    .addOption(new Option('--url <url>', 'a running Stepwise server').env('STEPWISE_URL'))
    .addOption(new Option('--api-key <key>', 'API key for --url').env('STEPWISE_API_KEY'))
    .addOption(new Option('--db <path>', 'database file, when not using --url').env('STEPWISE_DB').default(DEFAULT_DB_PATH));
}

function clientFor(opts: { url?: string; apiKey?: string; db: string }): StepwiseClient {
  return opts.url ? new HttpClient(opts.url, opts.apiKey) : new LocalClient(resolve(opts.db));
}

export function buildProgram(io: Io = defaultIo): Command {
  const program = new Command('stepwise')
    .description('Behavioral tracing for AI-agent test runs')
    .version('0.1.0')
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  program
    .command('serve')
    .description('run the API server (and dashboard) on an embedded SQLite file')
    .addOption(new Option('--host <host>', 'address to bind').env('STEPWISE_HOST').default(DEFAULT_HOST))
    .addOption(
      new Option('--port <port>', 'port to listen on (0 picks a free one)')
        .env('STEPWISE_PORT')
        .default(DEFAULT_PORT)
        .argParser(positiveInt),
    )
    .addOption(new Option('--db <path>', 'SQLite database file').env('STEPWISE_DB').default(DEFAULT_DB_PATH))
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
        dbPath: resolve(opts.db),
        demo: opts.demo,
        authMode: opts.auth,
      };
      const server = await startServer(config, io.err);
      io.err(`Stepwise is listening on ${server.url}`);
      io.err(`  database: ${config.dbPath}`);
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

  target(
    program
      .command('sync')
      .description('sync test results (a sync_results request as JSON) from FILE or - for stdin')
      .argument('<file>', 'JSON file, or - for standard input')
      .option('--agent <name>', 'agent name, when FILE holds only an array of results')
      .option('--run <id>', 'append to this test run (incremental sync)')
      .option('--json', 'print the reply as JSON'),
  ).action(async (file: string, opts: { agent?: string; run?: string; json?: boolean; url?: string; apiKey?: string; db: string }) => {
    const text = file === '-' ? await io.readStdin() : readFileSync(file, 'utf8');
    let body = text;
    if (opts.agent !== undefined || opts.run !== undefined) {
      const parsed: unknown = JSON.parse(text);
      const request = Array.isArray(parsed) ? { results: parsed } : (parsed as Record<string, unknown>);
      if (opts.agent !== undefined) request.agent_name = opts.agent;
      if (opts.run !== undefined) request.test_run_id = opts.run;
      body = JSON.stringify(request);
    }
    const client = clientFor(opts);
    try {
      const reply = await client.sync(body);
      if (opts.json) return io.out(JSON.stringify(reply, null, 2));
      io.out(
        `Synced ${reply.synced} result${reply.synced === 1 ? '' : 's'} into run ${reply.test_run_id} (${reply.duplicates} duplicate${reply.duplicates === 1 ? '' : 's'}, ${reply.rejected.length} rejected).`,
      );
      for (const r of reply.rejected) io.out(`Rejected result ${r.index}:\n${formatIssues(r.errors)}`);
      for (const w of reply.warnings) io.out(`Note on result ${w.index} (${w.path}): ${w.message}`);
      io.out(`Open: ${reply.dashboard_url}`);
      if (reply.rejected.length > 0) process.exitCode = 1;
    } finally {
      await client.close();
    }
  });

  target(
    program
      .command('show')
      .description('show a trace as a timeline')
      .argument('<trace-id>')
      .option('--json', 'print the raw trace as JSON'),
  ).action(async (id: string, opts: { json?: boolean; url?: string; apiKey?: string; db: string }) => {
    const client = clientFor(opts);
    try {
      const detail = await client.getTrace(id);
      io.out(
        opts.json
          ? JSON.stringify(detail.trace, null, 2)
          : formatTimeline(detail, process.stdout.isTTY ? process.stdout.columns || 120 : Number.POSITIVE_INFINITY),
      );
    } finally {
      await client.close();
    }
  });

  target(
    program
      .command('runs')
      .description('list test runs, or show one run with --run')
      .option('--agent <name>', 'only this agent')
      .addOption(new Option('--status <status>', 'passed, failed or empty').choices(['passed', 'failed', 'empty']))
      .option('--run <id>', 'show this run and its results')
      .option('--limit <n>', 'how many', positiveInt, 50)
      .option('--offset <n>', 'skip this many', positiveInt, 0)
      .option('--json', 'print JSON'),
  ).action(
    async (opts: {
      agent?: string;
      status?: 'passed' | 'failed' | 'empty';
      run?: string;
      limit: number;
      offset: number;
      json?: boolean;
      url?: string;
      apiKey?: string;
      db: string;
    }) => {
      const client = clientFor(opts);
      try {
        if (opts.run !== undefined) {
          const detail = await client.getRun(opts.run, { limit: opts.limit, offset: opts.offset });
          if (opts.json) return io.out(JSON.stringify(detail, null, 2));
          io.out(formatRuns([detail.run]));
          io.out('');
          io.out(formatResults(detail.results));
          return;
        }
        const page = await client.listRuns({
          ...(opts.agent !== undefined ? { agent: opts.agent } : {}),
          ...(opts.status !== undefined ? { status: opts.status } : {}),
          limit: opts.limit,
          offset: opts.offset,
        });
        io.out(opts.json ? JSON.stringify(page.items, null, 2) : formatRuns(page.items));
      } finally {
        await client.close();
      }
    },
  );

  registerAnalysisCommands(program, io);
  registerMcpCommand(program);
  registerAdminCommands(program, io);
  registerPrivacyCommands(program, io);

  program
    .command('schema')
    .description('print the JSON Schema of the trace format')
    .action(() => io.out(JSON.stringify(traceFormatJsonSchema(), null, 2)));

  return program;
}

/** Runs the CLI; errors print a clear message and set a non-zero exit code. */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const program = buildProgram(io).exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof StepwiseError) {
      io.err(`error: ${error.message}`);
      const details = error.details as
        { issues?: ValidationIssue[]; rejected?: Array<{ index: number; errors: ValidationIssue[] }> } | undefined;
      if (details?.issues) io.err(formatIssues(details.issues));
      for (const r of details?.rejected ?? []) io.err(`result ${r.index}:\n${formatIssues(r.errors)}`);
      return error.code === 'not_found' ? 4 : 2;
    }
    if (error && typeof error === 'object' && 'exitCode' in error && typeof error.exitCode === 'number') {
      return error.exitCode; // commander already printed usage or help
    }
    if (error instanceof SyntaxError) {
      io.err('error: the input is not valid JSON');
      return 2;
    }
    if (error && typeof error === 'object' && 'code' in error && error.code === 'ENOENT') {
      io.err(`error: no such file: ${(error as { path?: string }).path ?? ''}`);
      return 2;
    }
    io.err(`error: ${(error as Error).message ?? String(error)}`);
    return 1;
  }
}
