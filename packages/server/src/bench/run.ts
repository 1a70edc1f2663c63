import os from 'node:os';
import { runIngestBench } from './ingest-bench.js';
import { fmt } from './stats.js';

// `npm run bench`: measured figures, printed as Markdown for docs/BENCHMARKS.md. Nothing here asserts
// a time; the bars are checked by reading the numbers (the machine is shared and noisy).
const out = (line = '') => process.stdout.write(`${line}\n`);

out(`# Stepwise benchmarks — ${new Date().toISOString().slice(0, 10)}`);
out();
out(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}. Medians of alternating runs.`);
out();

const ingest = await runIngestBench();
out('## Ingest: HTTP sync into SQLite vs a bare parse-and-insert loop');
out();
out(`${fmt(ingest.events)} events of ~${fmt(ingest.eventBytes)} bytes in ${ingest.requests} requests of 500 events, ${ingest.runs} runs each.`);
out();
out('| path | events/s |');
out('|---|---|');
out(`| HTTP \`POST /api/v1/sync\` → pipeline → SQLite (WAL, synchronous=FULL) | ${fmt(ingest.httpEventsPerSec)} |`);
out(`| floor: JSON.parse + INSERT of the same rows, no pipeline | ${fmt(ingest.floorEventsPerSec)} |`);
out(`| ratio (HTTP / floor) | ${fmt(ingest.ratio, 2)} |`);
out();
