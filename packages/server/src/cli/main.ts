import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { StepwiseError, traceFormatJsonSchema, type ValidationIssue } from '@stepwise/core';
import { DEFAULT_DB_PATH } from '../config.js';
import type { StepwiseBackend } from '../client/backend.js';
import { openBackend } from '../client/open-backend.js';
import { formatIssues, formatResults, formatRuns, formatTimeline } from '../presentation/format.js';
import { registerAdminCommands } from './admin-commands.js';
import { registerAnalysisCommands } from './analysis-commands.js';
import { registerFeedbackCommands } from './feedback-commands.js';
import { registerPrivacyCommands } from './privacy-commands.js';
import { registerCheckCommand } from './check-command.js';
import { syncBody, type SyncOverrides } from './sync-request.js';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  readStdin: () => Promise<string>;
}

/**
 * Adds commands that belong to another door or to the whole server (`serve`, `mcp`): the
 * composition root (src/main.ts) passes them in, so the CLI never imports the other doors.
 */
export type CommandRegistrar = (program: Command, io: Io) => void;

export const defaultIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

/** `--url` talks to a running server; otherwise the CLI opens the database file itself. */
export function target(cmd: Command): Command {
  return cmd
    .addOption(new Option('--url <url>', 'a running Stepwise server').env('STEPWISE_URL'))
    .addOption(new Option('--api-key <key>', 'API key for --url').env('STEPWISE_API_KEY'))
    .addOption(
      new Option('--db <path>', 'database file or postgres:// URL, when not using --url').env('STEPWISE_DB').default(DEFAULT_DB_PATH),
    );
}

export function clientFor(opts: { url?: string; apiKey?: string; db: string }): StepwiseBackend {
  return openBackend(opts);
}

export function buildProgram(io: Io = defaultIo, registrars: CommandRegistrar[] = []): Command {
  const program = new Command('stepwise')
    .description('Behavioral tracing for AI-agent test runs')
    .version('0.1.0')
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  for (const register of registrars) register(program, io);

  target(
    program
      .command('sync')
      .description('sync test results (a sync_results request as JSON) from FILE or - for stdin')
      .argument('<file>', 'JSON file, or - for standard input')
      .option('--agent <name>', 'agent name, when FILE holds only an array of results')
      .option('--run <id>', 'append to this test run (incremental sync)')
      .option('--name <name>', 'a label for the new run')
      .addOption(new Option('--source <source>', 'where the results come from').choices(['mcp', 'ci', 'vscode', 'cli', 'api']))
      .option('--branch <branch>', 'the branch the new run was made on')
      .option('--commit <sha>', 'the commit the new run was made at')
      .option('--ci-url <url>', 'a link to the CI job that made the new run')
      .option('--json', 'print the reply as JSON'),
  ).action(async (file: string, opts: SyncOverrides & { json?: boolean; url?: string; apiKey?: string; db: string }) => {
    const text = file === '-' ? await io.readStdin() : readFileSync(file, 'utf8');
    const body = syncBody(text, opts);
    const client = clientFor(opts);
    try {
      const reply = await client.syncText(body);
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
        io.out(opts.json ? JSON.stringify(page.runs, null, 2) : formatRuns(page.runs));
      } finally {
        await client.close();
      }
    },
  );

  registerCheckCommand(program, io, target, clientFor);
  registerAnalysisCommands(program, io);
  registerFeedbackCommands(program, io);
  registerAdminCommands(program, io);
  registerPrivacyCommands(program, io);

  program
    .command('schema')
    .description('print the JSON Schema of the trace format')
    .action(() => io.out(JSON.stringify(traceFormatJsonSchema(), null, 2)));

  return program;
}

/** Runs the CLI; errors print a clear message and set a non-zero exit code. */
export async function main(argv: string[], io: Io = defaultIo, registrars: CommandRegistrar[] = []): Promise<number> {
  const program = buildProgram(io, registrars).exitOverride();
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
