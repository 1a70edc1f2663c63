import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inFreshSchema } from './pg-schema.js';
import { rssMiB } from './abuse.js';
import { syntheticTrace } from './browser-bench.js';
import { spawnServer } from './ingest-bench.js';
import { openRuntime } from '../runtime.js';
import { DEFAULT_WORKSPACE_ID } from '../store/trace-store.js';

/**
 * What a full `GET /api/v1/traces/:id` of one long trace costs the server in memory: `stepwise serve`
 * runs in a child process; before each measurement its peak-RSS mark is reset (`/proc/PID/clear_refs`),
 * and the figure is the peak (VmHWM) minus the resident size just before the request(s).
 */
export interface TraceMemoryResult {
  backend: 'sqlite' | 'postgres';
  events: number;
  replyBytes: number;
  /** Resident size of the idle server just before the first measured request. */
  idleRssMiB: number;
  one: { addedMiB: number[]; ms: number[] };
  four: { addedMiB: number[]; ms: number[] };
}

const TRACE_ID = 'tr_memory_100k';

/** Resets the kernel's peak-RSS mark of a process (Linux ≥ 4.0: writing 5 to clear_refs). */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** `concurrent` full GETs at once, each body read to its end as it arrives (the client keeps none of it). */
async function getAll(url: string, key: string, concurrent: number): Promise<number> {
  const sizes = await Promise.all(
    Array.from({ length: concurrent }, async () => {
      const response = await fetch(`${url}/api/v1/traces/${TRACE_ID}`, { headers: { authorization: `Bearer ${key}` } });
      if (response.status !== 200 || !response.body) throw new Error(`GET of the trace answered ${response.status}`);
      let bytes = 0;
      for await (const chunk of response.body) bytes += (chunk as Uint8Array).byteLength;
      return bytes;
    }),
  );
  return sizes[0]!;
}

async function measureOn(backend: TraceMemoryResult['backend'], db: string, events: number, repeats: number): Promise<TraceMemoryResult> {
  const server = await spawnServer(db, {});
  try {
    // Seeded through the ingest pipeline from this process, into the database the server reads.
    const seeder = openRuntime({ dbPath: db });
    await seeder.ready();
    const reply = await seeder.pipeline.ingestTraces(syntheticTrace(TRACE_ID, events), { workspaceId: DEFAULT_WORKSPACE_ID });
    await seeder.close();
    if (reply.stored !== 1) throw new Error(`seeding the ${events}-event trace failed: ${JSON.stringify(reply.rejected).slice(0, 500)}`);

    // Warm-up, and a check that the streamed reply is the whole trace.
    const check = await fetch(`${server.url}/api/v1/traces/${TRACE_ID}`, { headers: { authorization: `Bearer ${server.key}` } });
    const text = await check.text();
    const parsed = JSON.parse(text) as { trace: { events: unknown[] } };
    if (parsed.trace.events.length !== events) throw new Error(`the reply held ${parsed.trace.events.length} events, not ${events}`);
    await getAll(server.url, server.key, 4);

    const result: TraceMemoryResult = {
      backend,
      events,
      replyBytes: Buffer.byteLength(text),
      idleRssMiB: rssMiB(server.pid, 'VmRSS'),
      one: { addedMiB: [], ms: [] },
      four: { addedMiB: [], ms: [] },
    };
    for (let i = 0; i < repeats; i++) {
      for (const [concurrent, into] of [
        [1, result.one],
        [4, result.four],
      ] as const) {
        resetPeak(server.pid);
        const before = rssMiB(server.pid, 'VmRSS');
        const started = performance.now();
        await getAll(server.url, server.key, concurrent);
        into.ms.push(performance.now() - started);
        into.addedMiB.push(rssMiB(server.pid, 'VmHWM') - before);
      }
    }
    return result;
  } finally {
    await server.stop();
  }
}

/** On SQLite and, when `pgUrl` is given, on a fresh schema of that PostgreSQL database. */
export async function runTraceMemoryBench(pgUrl: string | null, events = 100_000, repeats = 5): Promise<TraceMemoryResult[]> {
  const results: TraceMemoryResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-trace-memory-'));
  try {
    results.push(await measureOn('sqlite', join(dir, 'memory.db'), events, repeats));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (pgUrl === null) return results;
  results.push(await inFreshSchema(pgUrl, (url) => measureOn('postgres', url, events, repeats)));
  return results;
}
