import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IngestPipeline, type PipelineStage } from '../ingest/pipeline.js';
import { openRuntime } from '../runtime.js';
import { median } from './stats.js';

/**
 * The cost of pipeline stages: the same sync requests through the in-process pipeline with no
 * stages and with the given ones, alternating runs, medians. Returns milliseconds per configuration.
 */
export async function runStageBench(
  bodies: string[],
  configurations: Record<string, (runtime: ReturnType<typeof openRuntime>) => PipelineStage[]>,
  runs = 3,
): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-stages-'));
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(configurations).map((k) => [k, []]));
  try {
    for (let i = 0; i < runs; i++) {
      for (const [name, stagesFor] of Object.entries(configurations)) {
        const runtime = openRuntime({ dbPath: join(dir, `${name}-${i}.db`), secret: Buffer.from('bench') });
        const pipeline = new IngestPipeline({ store: runtime.store, stages: stagesFor(runtime) });
        const started = performance.now();
        for (const body of bodies) await pipeline.sync(pipeline.parse(body), { workspaceId: 'ws_default' });
        times[name]!.push(performance.now() - started);
        await runtime.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}
