import type { Context } from 'hono';
import { StepwiseError } from '@stepwise/core';
import type { IngestPipeline } from '../ingest/pipeline.js';
import type { TraceStore } from '../store/trace-store.js';
import { DEFAULT_WORKSPACE_ID } from '../store/trace-store.js';

export interface AppDeps {
  store: TraceStore;
  pipeline: IngestPipeline;
  log?: (line: string) => void;
  /** Built dashboard assets; defaults to packages/web/dist. */
  assetsDir?: string;
}

/** The workspace a request acts in. */
export function workspaceOf(_c: Context): string {
  return DEFAULT_WORKSPACE_ID;
}

/** Reads a JSON body through the pipeline's parser (size, depth and key limits). */
export async function readJsonBody(c: Context, pipeline: IngestPipeline): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type.trim())) {
    throw new StepwiseError('unsupported_media_type', 'send the body as JSON with Content-Type: application/json');
  }
  return pipeline.parse(await c.req.text());
}
