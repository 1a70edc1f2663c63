import { Command, InvalidArgumentError, Option } from 'commander';
import { FINDING_VERDICTS, type FindingVerdict } from '@stepwise/core';
import { DEFAULT_DB_PATH } from '../config.js';
import type { StepwiseBackend } from '../client/backend.js';
import { openBackend } from '../client/open-backend.js';
import { formatTable } from '../presentation/format.js';
import type { Io } from './main.js';

interface TargetOptions {
  url?: string;
  apiKey?: string;
  db: string;
  json?: boolean;
}

function target(cmd: Command): Command {
  return cmd
    .addOption(new Option('--url <url>', 'a running Stepwise server').env('STEPWISE_URL'))
    .addOption(new Option('--api-key <key>', 'API key for --url').env('STEPWISE_API_KEY'))
    .addOption(new Option('--db <path>', 'database file, when not using --url').env('STEPWISE_DB').default(DEFAULT_DB_PATH))
    .option('--json', 'print JSON');
}

async function withClient<T>(opts: TargetOptions, fn: (client: StepwiseBackend) => Promise<T>): Promise<T> {
  const client = openBackend(opts);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

function verdictArg(value: string): FindingVerdict {
  if (!(FINDING_VERDICTS as readonly string[]).includes(value)) throw new InvalidArgumentError('expected right or wrong');
  return value as FindingVerdict;
}

function eventIndexArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected an event index (0 or more)');
  return n;
}

/**
 * `stepwise feedback mark|unmark|comment|list`: say whether a finding is right or a false alarm,
 * comment on an event, and list the disputed findings. Findings are named `pattern@events` as
 * `stepwise analyze` and `stepwise show` print them.
 */
export function registerFeedbackCommands(program: Command, io: Io): void {
  const feedback = program.command('feedback').description('mark findings right or wrong, comment on events, list disputed findings');

  target(
    feedback
      .command('mark')
      .description('mark a finding of a trace right, or wrong (a false alarm)')
      .argument('<trace-id>')
      .argument('<finding>', 'the finding as pattern@events, e.g. hallucination@3 (see stepwise analyze)')
      .argument('<verdict>', 'right or wrong', verdictArg)
      .option('--reason <text>', 'why, in a sentence'),
  ).action(async (traceId: string, finding: string, verdict: FindingVerdict, opts: TargetOptions & { reason?: string }) =>
    withClient(opts, async (client) => {
      const saved = await client.markFinding(traceId, { finding_key: finding, verdict, reason: opts.reason ?? null });
      if (opts.json) return io.out(JSON.stringify(saved, null, 2));
      io.out(`Marked ${saved.finding_key} of ${traceId} ${saved.verdict}${saved.reason ? `: ${saved.reason}` : ''}.`);
    }),
  );

  target(feedback.command('unmark').description('remove the mark on a finding').argument('<trace-id>').argument('<finding>')).action(
    async (traceId: string, finding: string, opts: TargetOptions) =>
      withClient(opts, async (client) => {
        await client.clearFinding(traceId, finding);
        io.out(opts.json ? JSON.stringify({ deleted: true }) : `Removed the mark on ${finding} of ${traceId}.`);
      }),
  );

  target(
    feedback
      .command('comment')
      .description('comment on one event of a trace')
      .argument('<trace-id>')
      .argument('<event>', 'the event index, as the timeline numbers it', eventIndexArg)
      .argument('<text>'),
  ).action(async (traceId: string, event: number, text: string, opts: TargetOptions) =>
    withClient(opts, async (client) => {
      const comment = await client.commentOnEvent(traceId, { event_index: event, body: text });
      io.out(opts.json ? JSON.stringify(comment, null, 2) : `Commented on event ${comment.event_index} of ${traceId} (${comment.id}).`);
    }),
  );

  target(
    feedback
      .command('list')
      .description('list findings marked wrong (disputed), or right with --verdict right')
      .addOption(new Option('--verdict <verdict>', 'right or wrong').choices([...FINDING_VERDICTS]).default('wrong'))
      .option('--pattern <pattern>', 'only this pattern')
      .option('--run <id>', 'only this test run')
      .option('--limit <n>', 'how many', eventIndexArg, 50),
  ).action(async (opts: TargetOptions & { verdict: FindingVerdict; pattern?: string; run?: string; limit: number }) =>
    withClient(opts, async (client) => {
      const page = await client.listFeedback({
        verdict: opts.verdict,
        ...(opts.pattern !== undefined ? { pattern: opts.pattern } : {}),
        ...(opts.run !== undefined ? { run: opts.run } : {}),
        limit: opts.limit,
        offset: 0,
      });
      if (opts.json) return io.out(JSON.stringify(page.feedback, null, 2));
      if (page.feedback.length === 0) return io.out(`No findings marked ${opts.verdict}.`);
      io.out(
        formatTable(
          ['TRACE', 'SCENARIO', 'FINDING', 'BY', 'WHEN', 'REASON'],
          page.feedback.map((f) => [
            f.trace_id,
            f.scenario_id,
            f.finding_key,
            f.actor,
            f.created_at.slice(0, 16).replace('T', ' '),
            f.reason ?? '-',
          ]),
        ),
      );
      io.out(`${page.feedback.length} of ${page.total ?? page.feedback.length} marked ${opts.verdict}.`);
    }),
  );
}
