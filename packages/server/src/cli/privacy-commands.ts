import { readFileSync } from 'node:fs';
import { resolveDb } from '../store/db-target.js';
import { Command, Option } from 'commander';
import { DEFAULT_DB_PATH } from '../config.js';
import { openRuntime } from '../runtime.js';
import { DEFAULT_WORKSPACE_ID } from '../store/trace-store.js';
import type { Io } from './main.js';

function readJson(file: string, io: Io): Promise<unknown> {
  return (file === '-' ? io.readStdin() : Promise.resolve(readFileSync(file, 'utf8'))).then((text) => JSON.parse(text) as unknown);
}

/** Privacy settings and a dry run of redaction, on the database file. */
export function registerPrivacyCommands(program: Command, io: Io): void {
  const withDb = (cmd: Command) =>
    cmd
      .addOption(new Option('--db <path>', 'database file or postgres:// URL').env('STEPWISE_DB').default(DEFAULT_DB_PATH))
      .addOption(new Option('--workspace <id>', 'workspace id').default(DEFAULT_WORKSPACE_ID));

  withDb(
    program
      .command('redact')
      .description('show what a payload (a trace, or any JSON) becomes after redaction and truncation; stores nothing')
      .argument('<file>', 'JSON file, or - for standard input')
      .option('--settings <file>', "draft privacy settings to try instead of the workspace's"),
  ).action(async (file: string, opts: { db: string; workspace: string; settings?: string }) => {
    const payload = await readJson(file, io);
    const draft = opts.settings ? await readJson(opts.settings, io) : undefined;
    const rt = openRuntime({ dbPath: resolveDb(opts.db) });
    try {
      const preview = await rt.privacy.preview(opts.workspace, payload, draft);
      io.out(JSON.stringify(preview.redacted, null, 2));
      io.err(`redaction report: ${JSON.stringify(preview.report)}`);
    } finally {
      await rt.close();
    }
  });

  const privacy = program.command('privacy').description("the workspace's privacy settings");
  withDb(privacy.command('show')).action(async (opts: { db: string; workspace: string }) => {
    const rt = openRuntime({ dbPath: resolveDb(opts.db) });
    try {
      io.out(JSON.stringify(await rt.privacy.settings(opts.workspace), null, 2));
    } finally {
      await rt.close();
    }
  });
  withDb(
    privacy
      .command('set')
      .description('replace the settings with a JSON file (rules, custom_rules, allowlist, max_event_bytes)')
      .argument('<file>'),
  ).action(async (file: string, opts: { db: string; workspace: string }) => {
    const input = await readJson(file, io);
    const rt = openRuntime({ dbPath: resolveDb(opts.db) });
    try {
      const saved = await rt.privacy.update(opts.workspace, input);
      await rt.access.audit(
        { workspaceId: opts.workspace, actor: 'cli:local' },
        'settings.privacy',
        { type: 'workspace', id: opts.workspace },
        { custom_rules: saved.custom_rules.length, allowlist: saved.allowlist.length },
      );
      io.out(JSON.stringify(saved, null, 2));
    } finally {
      await rt.close();
    }
  });
}
