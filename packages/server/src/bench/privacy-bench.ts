import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createRedactor, formatScoreTable, scorePresidio, scoreProjectCorpus, type Trace } from '@stepwise/core';
import { median } from './stats.js';
import { syntheticTrace } from './synthetic-traces.js';

export interface PrivacyBenchResult {
  megabytesPerSecond: number;
  megabytes: number;
  projectTable: string;
  presidioTables: Array<{ file: string; table: string }>;
}

/** Agent-trace JSON with the occasional email, phone and key among prose and tool results. */
function realisticTraces(count: number): Trace[] {
  const traces: Trace[] = [];
  for (let i = 0; i < count; i++) {
    const trace = syntheticTrace(100 + i, 200);
    const first = trace.events[0];
    if (first?.type === 'user_input')
      first.data.message += ` Reach me at user${i}@example.com or +1 415-555-01${String(i % 100).padStart(2, '0')}.`;
    traces.push(trace);
  }
  return traces;
}

/**
 * Redaction throughput on one core (MB of trace JSON per second, median of runs) and the accuracy
 * tables: the project corpus and presidio-research's labeled PII (read from `piiDir`, the repository's fixtures/pii).
 */
export function runPrivacyBench(piiDir: string, runs = 5): PrivacyBenchResult {
  const redactor = createRedactor();
  const traces = realisticTraces(60);
  const bytes = traces.reduce((sum, t) => sum + Buffer.byteLength(JSON.stringify(t)), 0);
  for (const t of traces.slice(0, 10)) redactor.redactTrace(t);
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    for (const t of traces) redactor.redactTrace(t);
    rates.push(bytes / 1e6 / ((performance.now() - started) / 1000));
  }
  const presidioTables: PrivacyBenchResult['presidioTables'] = [];
  for (const file of ['presidio-generated_small.json', 'presidio-generated_large.json.gz', 'held-out-classes.json']) {
    try {
      const raw = readFileSync(`${piiDir}/${file}`);
      const records = JSON.parse((file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8')) as unknown;
      presidioTables.push({ file, table: formatScoreTable(scorePresidio(records, redactor)) });
    } catch (error) {
      presidioTables.push({ file, table: `not measured: ${(error as Error).message}` });
    }
  }
  return {
    megabytesPerSecond: median(rates),
    megabytes: bytes / 1e6,
    projectTable: formatScoreTable(scoreProjectCorpus(redactor)),
    presidioTables,
  };
}
