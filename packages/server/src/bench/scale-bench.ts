import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inFreshSchema } from './pg-schema.js';
import { createStepwiseApp } from '../app.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { encodeCursor } from '../store/cursor.js';
import { DEFAULT_WORKSPACE_ID, type TraceRecord } from '../store/trace-store.js';
import { percentile } from './stats.js';

const WS = DEFAULT_WORKSPACE_ID;
const EVENTS = 6;
const RUN_SIZE = 1_000;
const SCENARIOS = 1_000;
const AGENTS = ['support', 'travel', 'coder', 'research', 'billing'];
const T0 = Date.UTC(2026, 0, 1);

export interface ScaleRow {
  path: string;
  p50: number;
  p95: number;
}

export interface ScaleResult {
  backend: 'sqlite' | 'postgres';
  traces: number;
  loadSeconds: number;
  rows: ScaleRow[];
  bytesPerTrace: number;
  bytesPerEvent: number;
}

/** Trace `i` of the synthetic load: ~3 KB, 6 events, runs of 1,000, 1,000 scenarios, a few findings. */
function record(i: number): TraceRecord {
  const startedMs = T0 + i * 1000;
  const startedAt = new Date(startedMs).toISOString();
  const failed = i % 5 === 0;
  const patterns = i % 20 === 0 ? ['loop'] : i % 50 === 1 ? ['hallucination'] : [];
  const filler = 'lorem ipsum dolor sit amet '.repeat(14);
  const events = Array.from({ length: EVENTS }, (_, k) =>
    JSON.stringify({
      type: k === 0 ? 'user_input' : k === EVENTS - 1 ? 'agent_response' : 'tool_call',
      timestamp: startedAt,
      data: { n: k, text: filler },
    }),
  );
  return {
    id: `tr_${i.toString(36).padStart(8, '0')}`,
    runId: `run_${Math.floor(i / RUN_SIZE)}`,
    dedupeKey: null,
    scenarioId: `sc_${i % SCENARIOS}`,
    agentName: AGENTS[i % AGENTS.length]!,
    startedAt,
    startedMs,
    durationMs: 1200,
    toolPath: ['search', 'lookup', 'search', 'answer'],
    reportedPassed: !failed,
    verdict: failed ? 'failed' : 'passed',
    patterns,
    model: 'gpt-bench',
    tokensTotal: 900,
    costUsd: 0.002,
    userMessage: `question ${i}`,
    response: `answer ${i}`,
    notes: null,
    warnings: [],
    headerJson: JSON.stringify({
      trace_id: `tr_${i}`,
      scenario_id: `sc_${i % SCENARIOS}`,
      agent_name: AGENTS[i % AGENTS.length],
      timestamp: startedAt,
    }),
    eventsJson: events,
    eventTypes: events.map((e) => (JSON.parse(e) as { type: string }).type),
    eventTimestamps: events.map(() => startedAt),
    expectedJson: null,
    evaluationJson: null,
    redactionJson: null,
    isDemo: false,
  };
}

/** Loads `traces` records through the store's bulk path (ingest batches of 1,000, one run each). */
async function load(runtime: Runtime, traces: number): Promise<number> {
  const started = performance.now();
  for (let run = 0; run * RUN_SIZE < traces; run++) {
    const records = Array.from({ length: Math.min(RUN_SIZE, traces - run * RUN_SIZE) }, (_, k) => record(run * RUN_SIZE + k));
    await runtime.store.ingest({
      workspaceId: WS,
      newRun: { id: `run_${run}`, agentName: AGENTS[run % AGENTS.length]!, name: `nightly ${run}`, source: 'ci', isDemo: false },
      records,
      now: new Date(T0 + run * RUN_SIZE * 1000).toISOString(),
    });
  }
  return (performance.now() - started) / 1000;
}

async function timeGets(request: (path: string) => Promise<Response>, path: string, n: number): Promise<ScaleRow> {
  const times: number[] = [];
  for (let i = 0; i < n + 2; i++) {
    const t = performance.now();
    const response = await request(path);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    if (i >= 2) times.push(performance.now() - t);
  }
  return { path, p50: percentile(times, 50), p95: percentile(times, 95) };
}

async function measure(
  backend: 'sqlite' | 'postgres',
  dbPath: string,
  traces: number,
  diskBytes: () => Promise<number>,
): Promise<ScaleResult> {
  const runtime = openRuntime({ dbPath, secret: Buffer.from('bench') });
  await runtime.ready();
  const boot = await runtime.access.bootstrap(WS);
  const loadSeconds = await load(runtime, traces);
  // A reopened store, as a restarted server would see it (SQLite refreshes planner statistics at open).
  await runtime.close();
  const reopened = openRuntime({ dbPath, secret: Buffer.from('bench') });
  await reopened.ready();
  const app = createStepwiseApp({
    store: reopened.store,
    pipeline: reopened.pipeline,
    access: reopened.access,
    retention: reopened.retention,
    log: () => {},
  });
  const headers = { authorization: `Bearer ${boot!.apiKey}` };
  const request = (path: string) => Promise.resolve(app.request(path, { headers }));
  const lastRun = Math.ceil(traces / RUN_SIZE) - 1;
  const deep = encodeCursor({
    startedMs: T0 + Math.floor(traces / 2) * 1000,
    id: `tr_${Math.floor(traces / 2)
      .toString(36)
      .padStart(8, '0')}`,
  });
  const paths = [
    '/api/v1/runs?limit=50',
    '/api/v1/traces?limit=50',
    '/api/v1/traces?limit=50&agent=travel',
    '/api/v1/traces?limit=50&scenario=sc_17',
    `/api/v1/traces?limit=50&run=run_${Math.floor(lastRun / 2)}`,
    '/api/v1/traces?limit=50&verdict=failed',
    '/api/v1/traces?limit=50&pattern=hallucination',
    '/api/v1/traces?limit=50&pattern=absent_pattern',
    // A pattern with a filter few of its traces match: no `loop` trace is travel's or passed, every
    // `hallucination` trace passed and none failed (see record()).
    '/api/v1/traces?limit=50&pattern=loop&agent=travel',
    '/api/v1/traces?limit=50&pattern=loop&verdict=passed',
    '/api/v1/traces?limit=50&pattern=loop&agent=support&verdict=passed',
    '/api/v1/traces?limit=50&pattern=hallucination&verdict=passed',
    '/api/v1/traces?limit=50&pattern=hallucination&verdict=failed',
    `/api/v1/traces?limit=50&since=${new Date(T0 + traces * 250).toISOString()}&until=${new Date(T0 + traces * 500).toISOString()}`,
    `/api/v1/traces?limit=50&cursor=${deep}`,
    `/api/v1/traces/tr_${Math.floor(traces / 3)
      .toString(36)
      .padStart(8, '0')}`,
    '/api/v1/scenarios/sc_17/traces',
    `/api/v1/compare/runs?base=run_${Math.max(0, lastRun - 1)}&head=run_${lastRun}`,
    '/healthz',
  ];
  const rows: ScaleRow[] = [];
  for (const path of paths) rows.push(await timeGets(request, path, path.startsWith('/api/v1/compare') ? 10 : 30));
  await reopened.close();
  const bytes = await diskBytes();
  return { backend, traces, loadSeconds, rows, bytesPerTrace: bytes / traces, bytesPerEvent: bytes / (traces * EVENTS) };
}

export async function runScaleBench(traces: number, pgUrl: string | null): Promise<ScaleResult[]> {
  const results: ScaleResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-scale-'));
  try {
    const file = join(dir, 'scale.db');
    results.push(
      await measure('sqlite', file, traces, async () => {
        let bytes = statSync(file).size;
        try {
          bytes += statSync(`${file}-wal`).size;
        } catch {
          // no WAL left after close
        }
        return bytes;
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (pgUrl === null) return results;
  results.push(
    await inFreshSchema(pgUrl, (url, { admin, schema }) =>
      measure('postgres', url, traces, async () => {
        await admin.query(`VACUUM ANALYZE`);
        const { rows } = await admin.query<{ bytes: string }>(
          'SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = $2',
          [schema, 'r'],
        );
        return Number(rows[0]!.bytes);
      }),
    ),
  );
  return results;
}
