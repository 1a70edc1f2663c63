import { IngestPipeline, type PipelineStage } from './ingest/pipeline.js';
import type { ParseLimits } from './ingest/parse.js';
import { SqliteTraceStore } from './store/sqlite/sqlite-trace-store.js';
import type { TraceStore } from './store/trace-store.js';

export interface Runtime {
  store: TraceStore;
  pipeline: IngestPipeline;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  dbPath: string;
  limits?: ParseLimits;
  publicUrl?: string;
  clock?: () => Date;
}

/** The stages every trace passes between normalization and storage, in order. */
export function defaultStages(): PipelineStage[] {
  return [];
}

/** Opens the store and builds the pipeline over it: what `serve`, the CLI and MCP share. */
export function openRuntime(options: RuntimeOptions): Runtime {
  const store = new SqliteTraceStore({ path: options.dbPath });
  const pipeline = new IngestPipeline({
    store,
    stages: defaultStages(),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return { store, pipeline, close: () => store.close() };
}
