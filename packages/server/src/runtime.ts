import { AccessService } from './access/access-service.js';
import { loadServerSecret } from './access/secrets.js';
import { IngestPipeline, type PipelineStage } from './ingest/pipeline.js';
import { analysisStage } from './ingest/stages/analyze.js';
import { redactionStage, truncationStage } from './ingest/stages/privacy.js';
import { PriceService } from './services/price-service.js';
import { PrivacyService } from './services/privacy-service.js';
import { AnalysisService } from './services/analysis-service.js';
import { CompareService } from './services/compare-service.js';
import { FeedbackService } from './services/feedback-service.js';
import type { ParseLimits } from './ingest/parse.js';
import { RetentionService } from './retention/retention-service.js';
import type { AccessStore } from './store/access-store.js';
import { parseDbTarget } from './store/db-target.js';
import { PgAccessStore } from './store/postgres/pg-access-store.js';
import { PgDatabase } from './store/postgres/pg-database.js';
import { PgTraceStore } from './store/postgres/pg-trace-store.js';
import { SqliteAccessStore } from './store/sqlite/sqlite-access-store.js';
import { SqliteTraceStore } from './store/sqlite/sqlite-trace-store.js';
import type { TraceStore } from './store/trace-store.js';
import { SqliteWebhookStore } from './store/sqlite/sqlite-webhook-store.js';
import { PgWebhookStore } from './store/postgres/pg-webhook-store.js';
import type { WebhookStore } from './store/webhook-store.js';
import { WebhookService } from './notify/webhook-service.js';

export interface Runtime {
  store: TraceStore;
  pipeline: IngestPipeline;
  access: AccessService;
  retention: RetentionService;
  analysis: AnalysisService;
  compare: CompareService;
  privacy: PrivacyService;
  prices: PriceService;
  webhooks: WebhookService;
  /** Which backend `dbPath` selected. */
  backend: 'sqlite' | 'postgres';
  /** Resolves once the database is reachable and migrated (PostgreSQL connects lazily). */
  ready(): Promise<void>;
  feedback: FeedbackService;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** A SQLite file path or a postgres:// URL (see parseDbTarget). */
  dbPath: string;
  limits?: ParseLimits;
  publicUrl?: string;
  clock?: () => Date;
  /** Keys the stored hashes of API keys and tokens; defaults to STEPWISE_SECRET or a file beside the database. */
  secret?: Buffer;
  /** The regression webhook's retry waits and per-attempt timeout (tests make them short). */
  webhook?: { backoffMs?: readonly number[]; timeoutMs?: number };
  log?: (line: string) => void;
}

/**
 * The stages every trace passes between normalization and storage, in this order: redact (so no
 * raw value is truncated into a fragment, analyzed or stored), truncate, analyze.
 */
export function defaultStages(store: TraceStore, privacy: PrivacyService, prices?: PriceService): PipelineStage[] {
  const redactorFor = (workspaceId: string) => privacy.redactorFor(workspaceId);
  const overrideFor = async (workspaceId: string) => prices?.overrideFor(workspaceId);
  return [redactionStage(redactorFor), truncationStage(redactorFor), analysisStage(store, overrideFor)];
}

/** Opens the store and builds the services over it: what `serve`, the CLI and MCP share. */
export function openRuntime(options: RuntimeOptions): Runtime {
  const target = parseDbTarget(options.dbPath);
  let store: TraceStore;
  let accessStore: AccessStore;
  let secret: Buffer | Promise<Buffer>;
  let ready: () => Promise<void>;
  let webhookStore: WebhookStore;
  if (target.kind === 'postgres') {
    const db = new PgDatabase(target.url);
    const pgAccess = new PgAccessStore(db);
    store = new PgTraceStore(db);
    accessStore = pgAccess;
    secret = options.secret ?? (process.env.STEPWISE_SECRET ? Buffer.from(process.env.STEPWISE_SECRET, 'utf8') : pgAccess.loadSecret());
    webhookStore = new PgWebhookStore(db);
    ready = () => db.ready();
  } else {
    const sqlite = new SqliteTraceStore({ path: target.path });
    store = sqlite;
    accessStore = new SqliteAccessStore(
      sqlite.db,
      (workspaceId, runIds) => runIds.forEach((runId) => sqlite.recountRun(workspaceId, runId)),
      () => sqlite.scrubWal(),
    );
    secret = options.secret ?? loadServerSecret(target.path);
    webhookStore = new SqliteWebhookStore(sqlite.db);
    ready = async () => {};
  }
  const clock = options.clock ?? (() => new Date());
  const privacy = new PrivacyService(accessStore);
  const prices = new PriceService(accessStore, clock);
  const compare = new CompareService(store);
  const webhooks = new WebhookService({
    store: webhookStore,
    traces: store,
    compare,
    dashboardUrl: () => pipeline.publicUrl,
    clock,
    ...options.webhook,
    ...(options.log ? { log: options.log } : {}),
  });
  const pipeline = new IngestPipeline({
    store,
    stages: defaultStages(store, privacy, prices),
    clock,
    onRunFinished: (workspaceId, runId) => webhooks.runFinished(workspaceId, runId),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
  });
  const access = new AccessService(accessStore, secret, clock);
  const retention = new RetentionService(accessStore, clock);
  return {
    store,
    pipeline,
    access,
    retention,
    analysis: new AnalysisService(store, (workspaceId) => prices.overrideFor(workspaceId)),
    prices,
    compare,
    privacy,
    webhooks,
    backend: target.kind,
    ready,
    feedback: new FeedbackService({
      store,
      audit: (entry) => accessStore.audit(entry),
      redactorFor: (ws) => privacy.redactorFor(ws),
      clock,
    }),
    close: async () => {
      retention.stop();
      await webhooks.close();
      await store.close();
    },
  };
}
