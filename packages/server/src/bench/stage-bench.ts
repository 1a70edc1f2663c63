import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IngestPipeline, type PipelineStage } from '../ingest/pipeline.js';
import { openRuntime } from '../runtime.js';
import { median } from './stats.js';

/**
 * Where ingest time goes, measured inside one pipeline: each stage is wrapped with a timer, so its
 * share of the wall time of the same requests is exact rather than a difference of noisy runs.
 */
export async function runStageShares(
  bodies: string[],
  stagesFor: (runtime: ReturnType<typeof openRuntime>) => PipelineStage[],
  runs = 3,
): Promise<{ totalMs: number; stages: Record<string, number> }> {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-shares-'));
  const totals: number[] = [];
  const perStage: Record<string, number[]> = {};
  try {
    for (let i = 0; i < runs; i++) {
      const runtime = openRuntime({ dbPath: join(dir, `shares-${i}.db`), secret: Buffer.from('bench') });
      const spent: Record<string, number> = {};
      const timed = stagesFor(runtime).map((stage) => ({
        name: stage.name,
        async apply(item: Parameters<PipelineStage['apply']>[0], ctx: Parameters<PipelineStage['apply']>[1]) {
          const started = performance.now();
          await stage.apply(item, ctx);
          spent[stage.name] = (spent[stage.name] ?? 0) + performance.now() - started;
        },
      }));
      const pipeline = new IngestPipeline({ store: runtime.store, stages: timed });
      const started = performance.now();
      for (const body of bodies) await pipeline.sync(pipeline.parse(body), { workspaceId: 'ws_default' });
      totals.push(performance.now() - started);
      for (const [name, ms] of Object.entries(spent)) (perStage[name] ??= []).push(ms);
      await runtime.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { totalMs: median(totals), stages: Object.fromEntries(Object.entries(perStage).map(([k, v]) => [k, median(v)])) };
}
