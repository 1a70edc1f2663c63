/** Fields of a sync request the CLI can set from flags (or, in `stepwise check`, from the CI environment). */
export interface SyncOverrides {
  agent?: string;
  run?: string;
  name?: string;
  source?: string;
  branch?: string;
  commit?: string;
  ciUrl?: string;
}

const FIELDS: Array<[keyof SyncOverrides, string]> = [
  ['agent', 'agent_name'],
  ['run', 'test_run_id'],
  ['name', 'name'],
  ['source', 'source'],
  ['branch', 'branch'],
  ['commit', 'commit'],
  ['ciUrl', 'ci_url'],
];

/**
 * The request body for a sync: FILE's text as it is when no flag is given, otherwise the request
 * with the flags' fields set (FILE may then hold only the array of results).
 */
export function syncBody(text: string, overrides: SyncOverrides): string {
  const given = FIELDS.filter(([key]) => overrides[key] !== undefined);
  if (given.length === 0) return text;
  const parsed: unknown = JSON.parse(text);
  const request = Array.isArray(parsed) ? { results: parsed } : (parsed as Record<string, unknown>);
  for (const [key, field] of given) request[field] = overrides[key];
  return JSON.stringify(request);
}

/**
 * Defaults from GitHub Actions' environment: the branch (a pull request's head branch, else the
 * pushed ref's name), the commit and a link to the workflow run. Flags win over these.
 */
export function githubDefaults(env: NodeJS.ProcessEnv): Pick<SyncOverrides, 'branch' | 'commit' | 'ciUrl' | 'source'> {
  const out: Pick<SyncOverrides, 'branch' | 'commit' | 'ciUrl' | 'source'> = {};
  const branch = env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME;
  if (branch) out.branch = branch;
  if (env.GITHUB_SHA) out.commit = env.GITHUB_SHA;
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    out.ciUrl = `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  }
  if (env.GITHUB_ACTIONS === 'true' || env.CI) out.source = 'ci';
  return out;
}
