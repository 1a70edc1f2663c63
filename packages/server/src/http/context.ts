import type { Context, Hono } from 'hono';
import { StepwiseError } from '@stepwise/core';
import type { AccessService } from '../access/access-service.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import type { RetentionService } from '../retention/retention-service.js';
import type { AnalysisService } from '../services/analysis-service.js';
import type { CompareService } from '../services/compare-service.js';
import type { FeedbackService } from '../services/feedback-service.js';
import type { PriceService } from '../services/price-service.js';
import type { PrivacyService } from '../services/privacy-service.js';
import type { TraceStore } from '../store/trace-store.js';
import type { WebhookService } from '../notify/webhook-service.js';
import { principalOf, type AppEnv } from './router.js';

/** What the HTTP app shares with the other doors it serves beside its own routes (MCP, OTLP). */
export interface DoorShared {
  log: (line: string) => void;
  authMode: 'required' | 'none';
  /** Takes one request from this actor's budget: 0 when allowed, else the seconds to wait. */
  rateLimit: (actor: string) => number | Promise<number>;
}

/** Mounts another door's routes on the app; the composition root (src/app.ts) passes these in. */
export type DoorMount = (app: Hono<AppEnv>, shared: DoorShared) => void;

export interface AppDeps {
  store: TraceStore;
  pipeline: IngestPipeline;
  access: AccessService;
  retention: RetentionService;
  analysis?: AnalysisService;
  compare?: CompareService;
  privacy?: PrivacyService;
  prices?: PriceService;
  /** The regression webhook; its settings routes exist when it is given. */
  webhooks?: WebhookService;
  feedback?: FeedbackService;
  log?: (line: string) => void;
  /** Built dashboard assets; defaults to packages/web/dist. */
  assetsDir?: string;
  /** `none` only for local development on loopback (see AuthOptions). */
  authMode?: 'required' | 'none';
  /** Requests per minute per API key or session (default 1200). */
  rateLimitPerMinute?: number;
  /** Results per sync request (default 1000). */
  maxBatchSize?: number;
  /** Whether cookies are marked Secure (when served over https). */
  secureCookies?: boolean;
  /** Other doors served on the same port (MCP at `/mcp`, OTLP at `/v1/traces`), mounted before the dashboard. */
  doors?: DoorMount[];
}

/** The workspace a request acts in: the caller's, always. */
export function workspaceOf(c: Context<AppEnv>): string {
  return principalOf(c).workspaceId;
}

/** Reads a JSON body through the pipeline's parser (size, depth and key limits). */
export async function readJsonBody(c: Context, pipeline: IngestPipeline): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type.trim())) {
    throw new StepwiseError('unsupported_media_type', 'send the body as JSON with Content-Type: application/json');
  }
  return pipeline.parse(await c.req.text());
}
