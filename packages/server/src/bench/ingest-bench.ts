import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventSearchText } from '@stepwise/core';
import { inFreshSchema } from './pg-schema.js';
import { median } from './stats.js';
import { SqliteTraceStore } from '../store/sqlite/sqlite-trace-store.js';
import { PgDatabase } from '../store/postgres/pg-database.js';
import { PgTraceStore } from '../store/postgres/pg-trace-store.js';
import { DEFAULT_WORKSPACE_ID, type TraceRecord, type TraceStore } from '../store/trace-store.js';

export interface IngestBenchResult {
  events: number;
  eventBytes: number;
  requests: number;
  httpEventsPerSec: number;
  /** The same with two clients syncing at once (their uploads overlap the server's work). */
  httpConcurrentEventsPerSec: number;
  /** The floor: JSON.parse + INSERT of the rows the store writes (same schema, indexes and search index), no pipeline. */
  floorEventsPerSec: number;
  ratio: number;
  /** The narrow loop of earlier reports: one events table with only its key, no trace rows, no search index. */
  narrowFloorEventsPerSec: number;
  narrowRatio: number;
  /** HTTP sync into PostgreSQL (one client), and its own same-rows floor; null without a PostgreSQL URL. */
  postgres: { httpEventsPerSec: number; floorEventsPerSec: number; ratio: number } | null;
  runs: number;
}

const WORDS =
  'the agent called search with a query and read the articles about refunds shipping orders warranty policy digital products support'.split(
    ' ',
  );

/** A deterministic ~2 KB tool-call event: prose and a JSON result, as agents produce. */
function makeEvent(seed: number, at: string) {
  let text = '';
  for (let i = 0; text.length < 1700; i++) text += `${WORDS[(seed * 7 + i * 13) % WORDS.length]} `;
  return {
    type: 'tool_call',
    timestamp: at,
    data: {
      tool: `tool_${seed % 5}`,
      parameters: { query: `query ${seed}`, limit: 5 },
      result: { articles: [{ id: `kb-${seed}`, title: `Article ${seed}`, content: text }] },
      duration_ms: 50 + (seed % 200),
    },
  };
}

export function makeBodies(requests: number, tracesPerRequest: number, eventsPerTrace: number): string[] {
  const bodies: string[] = [];
  let seed = 0;
  for (let r = 0; r < requests; r++) {
    const results = [];
    for (let t = 0; t < tracesPerRequest; t++) {
      const start = Date.UTC(2026, 2, 13, 14, 0, 0) + seed;
      const events = [];
      for (let e = 0; e < eventsPerTrace; e++) events.push(makeEvent(seed++, new Date(start + e * 10).toISOString()));
      results.push({
        scenario_id: `sc_${t}`,
        user_message: 'What is your refund policy for digital products?',
        agent_response: 'Refunds within 14 days.',
        passed: true,
        trace: { timestamp: new Date(start).toISOString(), events },
      });
    }
    bodies.push(JSON.stringify({ agent_name: 'bench-agent', results, source: 'api' }));
  }
  return bodies;
}

/**
 * The narrow floor of earlier reports: each event parsed and inserted into one table with only a
 * primary key (no workspace column, no trace rows, no index, no search index), one transaction per
 * request. The store writes more than this for every event, so it bounds what no pipeline can reach.
 */
function narrowFloorRun(bodies: string[], dbPath: string): number {
  const db = new Database(dbPath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(
    'CREATE TABLE events (trace_id TEXT NOT NULL, idx INTEGER NOT NULL, type TEXT NOT NULL, ts TEXT NOT NULL, body_json TEXT NOT NULL, PRIMARY KEY (trace_id, idx))',
  );
  const insert = db.prepare('INSERT INTO events (trace_id, idx, type, ts, body_json) VALUES (?, ?, ?, ?, ?)');
  let events = 0;
  const started = performance.now();
  let traceNo = 0;
  for (const body of bodies) {
    const request = JSON.parse(body) as { results: Array<{ trace: { events: Array<{ type: string; timestamp: string }> } }> };
    db.transaction(() => {
      for (const result of request.results) {
        const id = `t${traceNo++}`;
        result.trace.events.forEach((event, i) => {
          insert.run(id, i, event.type, event.timestamp, JSON.stringify(event));
          events++;
        });
      }
    })();
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return events / seconds;
}

interface BodyShape {
  agent_name: string;
  results: Array<{
    scenario_id: string;
    passed: boolean;
    trace: { timestamp: string; events: Array<{ type: string; timestamp: string; data: unknown }> };
  }>;
}

/**
 * The floor DESIGN.md §8 asks for: parse each body and insert the same rows the server stores — a
 * run, a trace row, each event's JSON and its search-index text, through the store's own ingest
 * (same schema, indexes and transaction per request) — with no pipeline: no validation,
 * normalization, redaction, truncation, analysis or content hashing.
 */
async function storeFloorRun(bodies: string[], store: TraceStore, tag: string): Promise<number> {
  let events = 0;
  let traceNo = 0;
  const started = performance.now();
  for (const [r, body] of bodies.entries()) {
    const request = JSON.parse(body) as BodyShape;
    const runId = `run_floor_${tag}_${r}`;
    const records: TraceRecord[] = request.results.map((result) => {
      const eventsJson = result.trace.events.map((event) => JSON.stringify(event));
      events += eventsJson.length;
      return {
        id: `tr_floor_${tag}_${traceNo++}`,
        runId,
        dedupeKey: null,
        scenarioId: result.scenario_id,
        agentName: request.agent_name,
        startedAt: result.trace.timestamp,
        startedMs: Date.parse(result.trace.timestamp),
        durationMs: null,
        toolPath: [],
        reportedPassed: result.passed,
        verdict: result.passed ? 'passed' : 'failed',
        patterns: [],
        model: null,
        tokensTotal: null,
        costUsd: null,
        userMessage: null,
        response: null,
        notes: null,
        warnings: [],
        headerJson: JSON.stringify({ scenario_id: result.scenario_id, timestamp: result.trace.timestamp }),
        eventsJson,
        eventsText: result.trace.events.map(eventSearchText),
        eventTypes: result.trace.events.map((event) => event.type),
        eventTimestamps: result.trace.events.map((event) => event.timestamp),
        expectedJson: null,
        evaluationJson: null,
        redactionJson: null,
        isDemo: false,
      };
    });
    await store.ingest({
      workspaceId: DEFAULT_WORKSPACE_ID,
      newRun: { id: runId, agentName: request.agent_name, name: null, source: 'api', isDemo: false },
      records,
      now: new Date().toISOString(),
    });
  }
  return events / ((performance.now() - started) / 1000);
}

/** Starts `stepwise serve` in its own process, as users run it, so the client does not share its CPU. */
export async function spawnServer(
  dbPath: string,
  env: Record<string, string>,
): Promise<{ url: string; key: string; pid: number; stop: () => Promise<void> }> {
  const bin = fileURLToPath(new URL('../bin.js', import.meta.url));
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--db', dbPath, '--no-demo'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // The first start prints the owner's API key; the bench syncs with it, as a client would.
  const [url, key] = await new Promise<[string, string]>((resolvePromise, reject) => {
    let text = '';
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const address = /listening on (http:\/\/\S+)/.exec(text);
      const apiKey = /\b(sw_[0-9A-Za-z]{32})\b/.exec(text);
      if (address && apiKey) resolvePromise([address[1]!, apiKey[1]!]);
    });
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}: ${text}`)));
  });
  return {
    url,
    key,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolvePromise) => {
        child.once('exit', () => resolvePromise());
        child.kill('SIGTERM');
      }),
  };
}

/** Syncs every body through `clients` concurrent connections (1: one request at a time). */
async function httpRun(bodies: string[], db: string, env: Record<string, string>, clients = 1): Promise<number> {
  const server = await spawnServer(db, env);
  let traces = 0;
  let next = 0;
  const started = performance.now();
  const client = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const response = await fetch(`${server.url}/api/v1/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${server.key}` },
        body,
      });
      const reply = (await response.json()) as { synced: number };
      if (response.status !== 201) throw new Error(`bench sync failed with ${response.status}`);
      traces += reply.synced;
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  const seconds = (performance.now() - started) / 1000;
  await server.stop();
  const perTrace = (JSON.parse(bodies[0]!) as { results: Array<{ trace: { events: unknown[] } }> }).results[0]!.trace.events.length;
  return (traces * perTrace) / seconds;
}

/**
 * Events per second for HTTP sync with the full pipeline and for the floors over the same bodies,
 * measured in the same process, in alternating runs; SQLite, and PostgreSQL when `pgUrl` is given
 * (each run in a fresh schema).
 */
export async function runIngestBench(
  options: { runs?: number; requests?: number; env?: Record<string, string>; pgUrl?: string | null } = {},
): Promise<IngestBenchResult> {
  const runs = options.runs ?? 3;
  const requests = options.requests ?? 40;
  const bodies = makeBodies(requests, 25, 20);
  const eventBytes = Buffer.byteLength(JSON.stringify(makeEvent(1, '2026-03-13T14:00:00.000Z')));
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-'));
  const env = options.env ?? {};
  const http: number[] = [];
  const concurrent: number[] = [];
  const floor: number[] = [];
  const narrow: number[] = [];
  const pgHttp: number[] = [];
  const pgFloor: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      narrow.push(narrowFloorRun(bodies, join(dir, `narrow-${i}.db`)));
      const store = new SqliteTraceStore({ path: join(dir, `floor-${i}.db`) });
      floor.push(await storeFloorRun(bodies, store, String(i)));
      store.db.close();
      http.push(await httpRun(bodies, join(dir, `http-${i}.db`), env));
      concurrent.push(await httpRun(bodies, join(dir, `http2-${i}.db`), env, 2));
      if (options.pgUrl) {
        pgFloor.push(
          await inFreshSchema(options.pgUrl, async (url) => {
            const db = new PgDatabase(url);
            try {
              return await storeFloorRun(bodies, new PgTraceStore(db), String(i));
            } finally {
              await db.close();
            }
          }),
        );
        pgHttp.push(await inFreshSchema(options.pgUrl, (url) => httpRun(bodies, url, { ...env, STEPWISE_SECRET: 'bench' })));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const httpMedian = median(http);
  return {
    events: requests * 25 * 20,
    eventBytes,
    requests,
    httpEventsPerSec: httpMedian,
    httpConcurrentEventsPerSec: median(concurrent),
    floorEventsPerSec: median(floor),
    ratio: httpMedian / median(floor),
    narrowFloorEventsPerSec: median(narrow),
    narrowRatio: httpMedian / median(narrow),
    postgres: options.pgUrl
      ? { httpEventsPerSec: median(pgHttp), floorEventsPerSec: median(pgFloor), ratio: median(pgHttp) / median(pgFloor) }
      : null,
    runs,
  };
}
