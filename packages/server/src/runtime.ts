import { AccessService } from './access/access-service.js';
import { loadServerSecret } from './access/secrets.js';
import { IngestPipeline, type PipelineStage } from './ingest/pipeline.js';
import { analysisStage } from './ingest/stages/analyze.js';
import { redactionStage, truncationStage } from './ingest/stages/privacy.js';
import { PrivacyService } from './services/privacy-service.js';
import { AnalysisService } from './services/analysis-service.js';
import { CompareService } from './services/compare-service.js';
import type { ParseLimits } from './ingest/parse.js';
import { RetentionService } from './retention/retention-service.js';
import { SqliteAccessStore } from './store/sqlite/sqlite-access-store.js';
import { SqliteTraceStore } from './store/sqlite/sqlite-trace-store.js';
import type { TraceStore } from './store/trace-store.js';
import { SqliteWebhookStore } from './store/sqlite/sqlite-webhook-store.js';
import { WebhookService } from './notify/webhook-service.js';

export interface Runtime {
  store: TraceStore;
  pipeline: IngestPipeline;
  access: AccessService;
  retention: RetentionService;
  analysis: AnalysisService;
  compare: CompareService;
  privacy: PrivacyService;
  webhooks: WebhookService;
  close(): Promise<void>;
}

export interface RuntimeOptions {
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
export function defaultStages(store: TraceStore, privacy: PrivacyService): PipelineStage[] {
  const redactorFor = (workspaceId: string) => privacy.redactorFor(workspaceId);
  return [redactionStage(redactorFor), truncationStage(redactorFor), analysisStage(store)];
}

/** Opens the store and builds the services over it: what `serve`, the CLI and MCP share. */
export function openRuntime(options: RuntimeOptions): Runtime {
  const store = new SqliteTraceStore({ path: options.dbPath });
  const accessStore = new SqliteAccessStore(
    store.db,
    (workspaceId, runIds) => runIds.forEach((runId) => store.recountRun(workspaceId, runId)),
    () => store.scrubWal(),
  );
  const clock = options.clock ?? (() => new Date());
  const privacy = new PrivacyService(accessStore);
  const compare = new CompareService(store);
  const webhooks = new WebhookService({
    store: new SqliteWebhookStore(store.db),
    traces: store,
    compare,
    dashboardUrl: () => pipeline.publicUrl,
    clock,
    ...options.webhook,
    ...(options.log ? { log: options.log } : {}),
  });
  const pipeline = new IngestPipeline({
    store,
    stages: defaultStages(store, privacy),
    clock,
    onRunFinished: (workspaceId, runId) => webhooks.runFinished(workspaceId, runId),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
  });
  const access = new AccessService(accessStore, options.secret ?? loadServerSecret(options.dbPath), clock);
  const retention = new RetentionService(accessStore, clock);
  return {
    store,
    pipeline,
    access,
    retention,
    analysis: new AnalysisService(store),
    compare,
    privacy,
    webhooks,
    close: async () => {
      retention.stop();
      await webhooks.close();
      await store.close();
    },
  };
}
