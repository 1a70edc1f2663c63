import type { Context } from 'hono';
import { StepwiseError } from '@stepwise/core';
import type { AccessService } from '../access/access-service.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import type { RetentionService } from '../retention/retention-service.js';
import type { AnalysisService } from '../services/analysis-service.js';
import type { CompareService } from '../services/compare-service.js';
import type { PrivacyService } from '../services/privacy-service.js';
import type { TraceStore } from '../store/trace-store.js';
import { principalOf, type AppEnv } from './router.js';

export interface AppDeps {
  store: TraceStore;
  pipeline: IngestPipeline;
  access: AccessService;
  retention: RetentionService;
  analysis?: AnalysisService;
  compare?: CompareService;
  privacy?: PrivacyService;
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
