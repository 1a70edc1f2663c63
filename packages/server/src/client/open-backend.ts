import { openRuntime } from '../runtime.js';
import { describeDb, resolveDb } from '../store/db-target.js';
import { DEFAULT_WORKSPACE_ID } from '../store/trace-store.js';
import type { StepwiseBackend } from './backend.js';
import { LocalBackend } from './local-backend.js';
import { RemoteBackend } from './remote-backend.js';

export interface BackendTarget {
  /** Database file or postgres:// URL for local mode (ignored when `url` is given). */
  db: string;
  /** A running Stepwise server, for remote mode. */
  url?: string;
  apiKey?: string;
  /** Base URL for dashboard links in local mode. */
  publicUrl?: string;
}

/**
 * The backend the CLI and `stepwise mcp` use: the REST API of `--url`, else the database `--db` (a file or a postgres:// URL).
 *
 * @example
 * const backend = openBackend({ db: './data/stepwise.db' });
 * try { console.log(await backend.listRuns({ limit: 10, offset: 0 })); } finally { await backend.close(); }
 */
export function openBackend(options: BackendTarget): StepwiseBackend {
  if (options.url !== undefined && options.url !== '') {
    return new RemoteBackend({ url: options.url, ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}) });
  }
  const dbPath = resolveDb(options.db);
  const runtime = openRuntime({ dbPath, ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}) });
  return new LocalBackend({
    store: runtime.store,
    pipeline: runtime.pipeline,
    analysis: runtime.analysis,
    compare: runtime.compare,
    feedback: runtime.feedback,
    workspaceId: DEFAULT_WORKSPACE_ID,
    where: `database ${describeDb(dbPath)}`,
    onClose: () => runtime.close(),
  });
}
