import { resolveDb } from '../store/db-target.js';
import { Command, Option } from 'commander';
import { StepwiseError } from '@stepwise/core';
import { ROLES, type Role } from '../access/roles.js';
import { DEFAULT_DB_PATH, DEFAULT_HOST, DEFAULT_PORT, readServerRecord } from '../config.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { maskHookUrl } from '../notify/webhook-service.js';
import { DEFAULT_WORKSPACE_ID } from '../store/trace-store.js';
import { formatTable } from '../presentation/format.js';
import type { Io } from './main.js';

const LOCAL_ACTOR = 'cli:local';

/**
 * Administration on the database file itself: whoever can read the file owns the data, so these
 * commands act with the owner's rights and are audited as `cli:local`.
 */
export function registerAdminCommands(program: Command, io: Io): void {
  const withDb = (cmd: Command) =>
    cmd
      .addOption(new Option('--db <path>', 'database file or postgres:// URL').env('STEPWISE_DB').default(DEFAULT_DB_PATH))
      .addOption(new Option('--workspace <id>', 'workspace id').default(DEFAULT_WORKSPACE_ID))
      .option('--json', 'print JSON');

  async function withRuntime<T>(opts: { db: string }, fn: (rt: Runtime) => Promise<T>): Promise<T> {
    const rt = openRuntime({ dbPath: resolveDb(opts.db) });
    try {
      return await fn(rt);
    } finally {
      await rt.close();
    }
  }
  const print = (json: boolean | undefined, value: unknown, human: () => string) => io.out(json ? JSON.stringify(value, null, 2) : human());
  const role = (value: string): Role => {
    if (!(ROLES as readonly string[]).includes(value))
      throw new StepwiseError('invalid_request', `role must be one of ${ROLES.join(', ')}`);
    return value as Role;
  };

  const keys = program.command('keys').description('API keys: create, list, revoke');
  withDb(
    keys
      .command('create')
      .description('create a key (shown once)')
      .requiredOption('--name <name>', 'what the key is for')
      .option('--role <role>', 'viewer, member, admin or owner', 'member'),
  ).action(async (opts: { db: string; workspace: string; name: string; role: string; json?: boolean }) =>
    withRuntime(opts, async (rt) => {
      const { key, record } = await rt.access.createApiKey(opts.workspace, { name: opts.name, role: role(opts.role) }, LOCAL_ACTOR);
      print(opts.json, { key, ...record }, () => `${key}\n(shown once; ${record.role} key ${record.id} in ${opts.workspace})`);
    }),
  );
  withDb(keys.command('list').description('list keys (prefix and last four characters only)')).action(
    async (opts: { db: string; workspace: string; json?: boolean }) =>
      withRuntime(opts, async (rt) => {
        const list = await rt.access.listApiKeys(opts.workspace);
        print(opts.json, list, () =>
          formatTable(
            ['ID', 'NAME', 'ROLE', 'KEY', 'CREATED', 'LAST USED', 'REVOKED'],
            list.map((k) => [
              k.id,
              k.name,
              k.role,
              k.display,
              k.created_at.slice(0, 16),
              k.last_used_at?.slice(0, 16) ?? '-',
              k.revoked_at?.slice(0, 16) ?? '-',
            ]),
          ),
        );
      }),
  );
  withDb(keys.command('revoke').description('revoke a key at once').argument('<key-id>')).action(
    async (id: string, opts: { db: string; workspace: string; json?: boolean }) =>
      withRuntime(opts, async (rt) => {
        if (!(await rt.access.revokeApiKey(opts.workspace, id, LOCAL_ACTOR)))
          throw new StepwiseError('not_found', `no active key ${id} in ${opts.workspace}`);
        print(opts.json, { revoked: id }, () => `Revoked ${id}.`);
      }),
  );

  const users = program.command('users').description('people who can sign in');
  withDb(
    users
      .command('add')
      .description('add a person and make them a member')
      .requiredOption('--name <name>')
      .option('--email <email>')
      .option('--password-stdin', 'read a password from standard input')
      .option('--role <role>', 'their role in the workspace', 'viewer'),
  ).action(
    async (opts: { db: string; workspace: string; name: string; email?: string; passwordStdin?: boolean; role: string; json?: boolean }) =>
      withRuntime(opts, async (rt) => {
        const password = opts.passwordStdin ? (await io.readStdin()).replace(/\r?\n$/, '') : undefined;
        const { id } = await rt.access.addUser({
          name: opts.name,
          ...(opts.email ? { email: opts.email } : {}),
          ...(password !== undefined ? { password } : {}),
        });
        await rt.access.setMemberRole(opts.workspace, id, role(opts.role), LOCAL_ACTOR);
        print(opts.json, { id }, () => `Added ${opts.name} (${id}) as ${opts.role} of ${opts.workspace}.`);
      }),
  );
  withDb(users.command('list').description('list people')).action(async (opts: { db: string; json?: boolean }) =>
    withRuntime(opts, async (rt) => {
      const list = (await rt.access.store.listUsers()).map(({ password_hash: _drop, ...u }) => u);
      print(opts.json, list, () =>
        formatTable(
          ['ID', 'NAME', 'EMAIL', 'CREATED'],
          list.map((u) => [u.id, u.name, u.email ?? '-', u.created_at.slice(0, 16)]),
        ),
      );
    }),
  );

  withDb(
    program
      .command('members')
      .description('list members, or change a role with --set USER_ID --role ROLE, or --remove USER_ID')
      .option('--set <user-id>')
      .option('--role <role>')
      .option('--remove <user-id>'),
  ).action(async (opts: { db: string; workspace: string; set?: string; role?: string; remove?: string; json?: boolean }) =>
    withRuntime(opts, async (rt) => {
      if (opts.set) {
        if (!opts.role) throw new StepwiseError('invalid_request', '--set needs --role');
        await rt.access.setMemberRole(opts.workspace, opts.set, role(opts.role), LOCAL_ACTOR);
      }
      if (opts.remove && !(await rt.access.removeMember(opts.workspace, opts.remove, LOCAL_ACTOR))) {
        throw new StepwiseError('not_found', `${opts.remove} is not a member of ${opts.workspace}`);
      }
      const list = await rt.access.store.listMembers(opts.workspace);
      print(opts.json, list, () =>
        formatTable(
          ['USER', 'NAME', 'EMAIL', 'ROLE', 'SINCE'],
          list.map((m) => [m.user_id, m.name, m.email ?? '-', m.role, m.created_at.slice(0, 16)]),
        ),
      );
    }),
  );

  const workspaces = program.command('workspaces').description('workspaces: list, create');
  withDb(workspaces.command('list')).action(async (opts: { db: string; json?: boolean }) =>
    withRuntime(opts, async (rt) => {
      const list = await rt.access.store.listWorkspaces();
      print(opts.json, list, () =>
        formatTable(
          ['ID', 'NAME', 'RETENTION', 'CREATED'],
          list.map((w) => [w.id, w.name, `${w.retention_days} days`, w.created_at.slice(0, 16)]),
        ),
      );
    }),
  );
  withDb(workspaces.command('create').requiredOption('--name <name>').option('--owner <user-id>', 'make this user its owner')).action(
    async (opts: { db: string; name: string; owner?: string; json?: boolean }) =>
      withRuntime(opts, async (rt) => {
        const { id } = await rt.access.createWorkspace(opts.name, opts.owner ?? null, LOCAL_ACTOR);
        print(opts.json, { id }, () => `Created workspace ${id}.`);
      }),
  );

  withDb(program.command('audit').description('who did what, newest first').option('--limit <n>', 'how many', '50')).action(
    async (opts: { db: string; workspace: string; limit: string; json?: boolean }) =>
      withRuntime(opts, async (rt) => {
        const entries = await rt.access.listAudit(opts.workspace, Number(opts.limit));
        print(opts.json, entries, () =>
          formatTable(
            ['WHEN', 'WHO', 'ACTION', 'TARGET', 'DETAILS'],
            entries.map((e) => [
              e.at.slice(0, 19).replace('T', ' '),
              e.actor,
              e.action,
              e.target_id ? `${e.target_type}:${e.target_id}` : '-',
              e.details ? JSON.stringify(e.details) : '',
            ]),
          ),
        );
      }),
  );

  const retention = program.command('retention').description('retention of traces');
  withDb(
    retention.command('apply').description("delete traces older than each workspace's retention period now (pinned traces stay)"),
  ).action(async (opts: { db: string; json?: boolean }) =>
    withRuntime(opts, async (rt) => {
      const reports = await rt.retention.sweep(LOCAL_ACTOR);
      print(opts.json, reports, () =>
        reports.map((r) => `${r.workspaceId}: deleted ${r.traces} trace(s) and ${r.runs} run(s) stored before ${r.cutoff}`).join('\n'),
      );
    }),
  );
  withDb(retention.command('set').description('set the retention period of a workspace').requiredOption('--days <n>')).action(
    async (opts: { db: string; workspace: string; days: string; json?: boolean }) =>
      withRuntime(opts, async (rt) => {
        const days = Number(opts.days);
        if (!Number.isInteger(days) || days < 1 || days > 3650)
          throw new StepwiseError('invalid_request', '--days must be a whole number from 1 to 3650');
        await rt.access.store.updateWorkspace(opts.workspace, { retention_days: days });
        await rt.access.audit(
          { workspaceId: opts.workspace, actor: LOCAL_ACTOR },
          'settings.retention',
          { type: 'workspace', id: opts.workspace },
          { to: days },
        );
        print(opts.json, { retention_days: days }, () => `Retention of ${opts.workspace} is now ${days} days.`);
      }),
  );

  const webhook = program
    .command('webhook')
    .description('the regression webhook: called when a finished run regressed against its baseline');
  withDb(
    webhook
      .command('set')
      .description('call URL when a run finishes with regressions or a lower pass rate')
      .requiredOption('--url <url>', 'http(s) address to POST to')
      .addOption(new Option('--format <format>', 'json (Stepwise payload) or slack ({ text })').choices(['json', 'slack']).default('json')),
  ).action(async (opts: { db: string; workspace: string; url: string; format: string; json?: boolean }) =>
    withRuntime(opts, async (rt) => {
      const saved = await rt.webhooks.configure(opts.workspace, { url: opts.url, format: opts.format });
      await rt.access.audit(
        { workspaceId: opts.workspace, actor: LOCAL_ACTOR },
        'settings.webhook',
        { type: 'workspace', id: opts.workspace },
        { host: new URL(saved.url).host, format: saved.format },
      );
      const shown = { ...saved, url: maskHookUrl(saved.url) };
      print(opts.json, shown, () => `Regression webhook of ${opts.workspace}: ${shown.url} (${saved.format}).`);
    }),
  );
  withDb(webhook.command('show').description('show the webhook (URL masked)')).action(
    async (opts: { db: string; workspace: string; json?: boolean }) =>
      withRuntime(opts, async (rt) => {
        const saved = await rt.webhooks.store.getWebhook(opts.workspace);
        const shown = saved ? { ...saved, url: maskHookUrl(saved.url) } : null;
        print(opts.json, shown, () =>
          shown ? `${shown.url} (${shown.format}), set ${shown.updated_at}` : `${opts.workspace} has no webhook.`,
        );
      }),
  );
  withDb(webhook.command('remove').description('stop notifying')).action(async (opts: { db: string; workspace: string; json?: boolean }) =>
    withRuntime(opts, async (rt) => {
      const removed = await rt.webhooks.store.deleteWebhook(opts.workspace);
      if (removed)
        await rt.access.audit(
          { workspaceId: opts.workspace, actor: LOCAL_ACTOR },
          'settings.webhook.remove',
          { type: 'workspace', id: opts.workspace },
          {},
        );
      print(opts.json, { removed }, () => (removed ? 'Webhook removed.' : `${opts.workspace} had no webhook.`));
    }),
  );
  withDb(webhook.command('deliveries').description('recent deliveries, newest first').option('--limit <n>', 'how many', '20')).action(
    async (opts: { db: string; workspace: string; limit: string; json?: boolean }) =>
      withRuntime(opts, async (rt) => {
        const list = await rt.webhooks.store.listDeliveries(opts.workspace, Math.max(1, Math.min(500, Number(opts.limit) || 20)));
        print(opts.json, list, () =>
          formatTable(
            ['WHEN', 'RUN', 'STATUS', 'ATTEMPTS', 'LAST ANSWER', 'WHY'],
            list.map((d) => [
              d.created_at,
              d.run_id,
              d.status,
              String(d.attempts),
              d.last_error ?? String(d.last_status_code ?? ''),
              d.reason,
            ]),
          ),
        );
      }),
  );

  withDb(
    program
      .command('login-link')
      .description('print a new one-time dashboard login link for the workspace owner')
      .option('--url <url>', "the server's address (default: from --port, STEPWISE_PORT, or the address the last serve recorded)")
      .addOption(new Option('--port <port>', "the server's port on STEPWISE_HOST or 127.0.0.1").env('STEPWISE_PORT')),
  ).action(async (opts: { db: string; workspace: string; url?: string; port?: string; json?: boolean }) =>
    withRuntime(opts, async (rt) => {
      const owner = await rt.access.firstOwner(opts.workspace);
      if (!owner) throw new StepwiseError('not_found', `workspace ${opts.workspace} has no owner; start the server once`);
      const base = loginLinkBase(opts);
      const link = `${base.replace(/\/$/, '')}/login?token=${await rt.access.createLoginToken(opts.workspace, owner.user_id)}`;
      print(opts.json, { url: link }, () => link);
    }),
  );
}

/** `--url`, else `--port` (or STEPWISE_PORT), else what the last `serve` on this database bound, else the default. */
function loginLinkBase(opts: { db: string; url?: string; port?: string }): string {
  if (opts.url !== undefined) return opts.url;
  const host = process.env.STEPWISE_HOST ?? DEFAULT_HOST;
  if (opts.port !== undefined) {
    const port = Number(opts.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new StepwiseError('invalid_request', '--port must be a port number from 1 to 65535');
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }
  return process.env.STEPWISE_PUBLIC_URL ?? readServerRecord(resolveDb(opts.db))?.public_url ?? `http://${DEFAULT_HOST}:${DEFAULT_PORT}`;
}
