import os from 'node:os';
import { runBrowserBench } from './browser-bench.js';
import { runCoreBench } from './core-bench.js';
import { runPrivacyBench } from './privacy-bench.js';
import { fileURLToPath } from 'node:url';
import { makeBodies, runIngestBench } from './ingest-bench.js';
import { runOtlpBench } from './otlp-bench.js';
import { runStageShares } from './stage-bench.js';
import { runAbuse } from './abuse.js';
import { defaultStages } from '../runtime.js';
import { fmt, median } from './stats.js';
import { runTraceMemoryBench } from './trace-memory-bench.js';
import { runScaleBench } from './scale-bench.js';

// `npm run bench`: measured figures, printed as Markdown for docs/BENCHMARKS.md. Nothing here asserts
// a time; the bars are read off these numbers (the machine is shared and noisy).
const out = (line = '') => process.stdout.write(`${line}\n`);
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const only = new Set(process.argv.slice(2).filter((a) => !a.startsWith('--')));
// `scale` loads 100,000 traces (1,000,000 with --million) per backend: only when asked for by name.
const want = (name: string) => (name === 'scale' ? only.has(name) : only.size === 0 || only.has(name));

out(`# Stepwise benchmarks — ${new Date().toISOString().slice(0, 10)}`);
out();
out(
  `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(2)} at start. Medians of repeated runs in one process.`,
);
out();

if (want('scale')) {
  const count = flags.find((f) => f.startsWith('--traces='));
  const traces = count ? Number(count.slice('--traces='.length)) : flags.includes('--million') ? 1_000_000 : 100_000;
  const pgUrl = flags.includes('--no-postgres') ? null : (process.env.STEPWISE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  out(`## Read paths at ${fmt(traces)} traces`);
  out();
  out(
    `Loaded through the store's bulk path (ingest batches of 1,000 = one run each, 6 events of ~500 bytes per trace, 1,000 scenarios, 5 agents); then each GET through the in-process HTTP app, 30 times (run comparison 10), after 2 warm-ups. Times in ms.`,
  );
  out();
  const results = await runScaleBench(traces, pgUrl);
  out(`| path | ${results.map((r) => `${r.backend} p50 | ${r.backend} p95`).join(' | ')} |`);
  out(`|---|${results.map(() => '---|---').join('|')}|`);
  for (let i = 0; i < results[0]!.rows.length; i++) {
    out(
      `| \`${results[0]!.rows[i]!.path}\` | ${results.map((r) => `${fmt(r.rows[i]!.p50, 1)} | ${fmt(r.rows[i]!.p95, 1)}`).join(' | ')} |`,
    );
  }
  out();
  for (const r of results) {
    out(
      `- ${r.backend}: loaded in ${fmt(r.loadSeconds, 1)} s (${fmt(r.traces / r.loadSeconds)} traces/s); ${fmt(r.bytesPerTrace)} bytes per trace, ${fmt(r.bytesPerEvent)} per event on disk (indexes included).`,
    );
  }
  out();
}

if (want('trace-memory')) {
  const pgUrl = flags.includes('--no-postgres') ? null : (process.env.STEPWISE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  const results = await runTraceMemoryBench(pgUrl);
  out(`## Memory of a full \`GET /api/v1/traces/:id\` of a ${fmt(results[0]!.events)}-event trace`);
  out();
  out(
    `\`stepwise serve\` in a child process; the trace seeded through the ingest pipeline; after a warm-up, ${results[0]!.one.ms.length} rounds of one GET then four concurrent GETs, each body read to its end. Added = peak RSS (VmHWM, reset before each round through \`/proc/PID/clear_refs\`) minus RSS just before the round. Bar: one GET adds < 20 MiB.`,
  );
  out();
  out(
    '| backend | reply MB | idle RSS MiB | one GET: added MiB (median / max) | one GET ms | four GETs: added MiB (median / max) | four GETs ms |',
  );
  out('|---|---|---|---|---|---|---|');
  for (const r of results) {
    out(
      `| ${r.backend} | ${fmt(r.replyBytes / 1e6, 1)} | ${fmt(r.idleRssMiB)} | ${fmt(median(r.one.addedMiB), 1)} / ${fmt(Math.max(...r.one.addedMiB), 1)} | ${fmt(median(r.one.ms))} | ${fmt(median(r.four.addedMiB), 1)} / ${fmt(Math.max(...r.four.addedMiB), 1)} | ${fmt(median(r.four.ms))} |`,
    );
  }
  out();
}

if (want('ingest')) {
  const pgUrl = flags.includes('--no-postgres') ? null : (process.env.STEPWISE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  const ingest = await runIngestBench({ pgUrl });
  out('## Ingest: HTTP sync vs parse-and-insert floors');
  out();
  out(
    `${fmt(ingest.events)} events of ~${fmt(ingest.eventBytes)} bytes in ${ingest.requests} requests of 500 events, ${ingest.runs} alternating runs each; the server runs in its own process, privacy on (redaction, truncation, analysis).`,
  );
  out();
  out('| path | events/s |');
  out('|---|---|');
  out(`| HTTP \`POST /api/v1/sync\` → full pipeline → SQLite (WAL, synchronous=FULL), one client | ${fmt(ingest.httpEventsPerSec)} |`);
  out(`| the same, two clients syncing at once | ${fmt(ingest.httpConcurrentEventsPerSec)} |`);
  out(
    `| floor: JSON.parse + the store's INSERT of the same rows (trace, events, search index), no pipeline | ${fmt(ingest.floorEventsPerSec)} |`,
  );
  out(`| narrow floor: JSON.parse + INSERT into one events table with only its key | ${fmt(ingest.narrowFloorEventsPerSec)} |`);
  out(`| ratio (one client / floor) | ${fmt(ingest.ratio, 2)} |`);
  out(`| ratio (two clients / floor) | ${fmt(ingest.httpConcurrentEventsPerSec / ingest.floorEventsPerSec, 2)} |`);
  out(`| ratio (one client / narrow floor) | ${fmt(ingest.narrowRatio, 2)} |`);
  if (ingest.postgres) {
    out(`| HTTP sync → full pipeline → PostgreSQL, one client | ${fmt(ingest.postgres.httpEventsPerSec)} |`);
    out(`| PostgreSQL floor: JSON.parse + the store's INSERT of the same rows | ${fmt(ingest.postgres.floorEventsPerSec)} |`);
    out(`| ratio on PostgreSQL (one client / floor) | ${fmt(ingest.postgres.ratio, 2)} |`);
  }
  out();
}

if (want('stages')) {
  const bodies = makeBodies(20, 25, 20);
  const shares = await runStageShares(bodies, (rt) => defaultStages(rt.store, rt.privacy), 5);
  out('## Where ingest time goes (in-process pipeline, production stages, 10,000 events of ~2 KB)');
  out();
  out('Each stage is timed inside the same runs, so shares are exact for those runs (medians of 5).');
  out();
  out('| part | ms | share of ingest time |');
  out('|---|---|---|');
  let inStages = 0;
  for (const [name, ms] of Object.entries(shares.stages)) {
    inStages += ms;
    out(`| stage \`${name}\` | ${fmt(ms)} | ${fmt((ms / shares.totalMs) * 100, 1)} % |`);
  }
  out(
    `| parse, validate, normalize, serialize, store | ${fmt(shares.totalMs - inStages)} | ${fmt(((shares.totalMs - inStages) / shares.totalMs) * 100, 1)} % |`,
  );
  out(`| **total** (${fmt(10_000 / (shares.totalMs / 1000))} events/s in process) | ${fmt(shares.totalMs)} | 100 % |`);
  out();
  out(`Analysis costs ${fmt(((shares.stages.analyze ?? 0) / shares.totalMs) * 100, 1)} % of ingest time (bar ≤ 15 %).`);
  out();
}

if (want('otlp')) {
  const otlp = await runOtlpBench();
  out('## OTLP ingest: `POST /v1/traces` → span assembly → full pipeline → SQLite');
  out();
  out(
    `${fmt(otlp.spans)} GenAI spans (${otlp.spansPerTrace} per trace: an agent span, model calls with messages, tool calls with ~1 KB results) in ${otlp.requests} export requests of ${fmt(otlp.spans / otlp.requests)} spans, ${otlp.runs} runs each; the server runs in its own process.`,
  );
  out();
  out('| encoding | spans/s | bytes per request |');
  out('|---|---|---|');
  out(`| OTLP/JSON | ${fmt(otlp.jsonSpansPerSec)} | ${fmt(otlp.jsonBytesPerRequest)} |`);
  out(`| OTLP/protobuf | ${fmt(otlp.protobufSpansPerSec)} | ${fmt(otlp.protobufBytesPerRequest)} |`);
  out();
}

if (want('privacy')) {
  const privacy = runPrivacyBench(fileURLToPath(new URL('../../../../fixtures/pii', import.meta.url)));
  out('## Redaction');
  out();
  out(
    `Throughput on one core: **${fmt(privacy.megabytesPerSecond, 1)} MB/s** of agent-trace JSON (${fmt(privacy.megabytes, 1)} MB per pass, median of 5; bar ≥ 60).`,
  );
  out();
  out('### Project corpus (per-rule true and false positives, agent-trace negatives)');
  out();
  out(privacy.projectTable);
  out();
  for (const { file, table } of privacy.presidioTables) {
    out(
      file.startsWith('held-out')
        ? `### Held-out classes \`${file}\` (the project's own labeled set: cards outside known prefixes, phones after labels, local forms, and negatives)`
        : `### presidio-research \`${file}\``,
    );
    out();
    out(table);
    out();
  }
}

if (want('core')) {
  const core = runCoreBench();
  out('## Compare and analysis on 10,000-event traces');
  out();
  out('| what | median ms | bar |');
  out('|---|---|---|');
  out(`| \`alignTraces\`, two traces that differ in a few places | ${fmt(core.alignFewChangesMs, 1)} | ≤ 50 |`);
  out(`| \`alignTraces\`, two unrelated traces (${core.alignUnrelatedAlgorithm}) | ${fmt(core.alignUnrelatedMs, 1)} | ≤ 200 |`);
  out(`| \`alignTraces\`, identical traces | ${fmt(core.alignIdenticalMs, 1)} | — |`);
  out(`| \`evaluateTrace\`, one 10,000-event trace | ${fmt(core.analyze10kMs, 1)} | — |`);
  out();
}

if (want('browser')) {
  const browser = await runBrowserBench();
  out('## Dashboard in headless Chromium');
  out();
  if (browser.skipped) out(`skipped: ${browser.skipped}`);
  else {
    out(`${browser.chromium ?? 'Chromium'}; time from navigation to the first rows drawn with keyboard focus, median of fresh page loads.`);
    out();
    out('| trace | interactive ms (median) | all opens ms | JS heap MB | scroll to the end | last event drawn |');
    out('|---|---|---|---|---|---|');
    for (const f of [browser.tenK, browser.hundredK]) {
      if (!f) continue;
      const scroll = 'scroll' in f ? (f as { scroll: { endMs: number; lastIndex: number } }).scroll : null;
      out(
        `| ${fmt(f.events)} events | ${fmt(f.interactiveMs)} | ${f.interactiveAllMs.map((v) => fmt(v)).join(' / ')} | ${fmt(f.heapUsedMB, 1)} | ${scroll ? `${fmt(scroll.endMs)} ms` : '—'} | ${scroll ? fmt(scroll.lastIndex) : '—'} |`,
      );
    }
    out();
    out(
      `Bars: 10,000 events interactive ≤ ${fmt(browser.bars.tenKInteractiveMs)} ms; 100,000 events open and scroll to the last event. Met: ${browser.passed ? 'yes' : 'no'}.`,
    );
  }
  out();
}

if (want('abuse')) {
  const abuse = await runAbuse();
  out('## Abuse: the reliability review replayed against a server child process');
  out();
  out(
    `\`stepwise serve\` in a child process (default limits; body timeout 5 s for the bench), with \`/healthz\` probed every 25 ms throughout (${fmt(abuse.healthzProbes)} probes, ${abuse.healthzFailures} failed).`,
  );
  out();
  out('| attack | answer | as hardened | ms |');
  out('|---|---|---|---|');
  for (const o of abuse.outcomes) out(`| ${o.attack.replaceAll('|', '\\|')} | ${o.outcome} | ${o.ok ? 'yes' : '**no**'} | ${fmt(o.ms)} |`);
  out();
  out(
    `Peak RSS of the server: **${fmt(abuse.peakRssMiB)} MiB** (${fmt(abuse.baselineRssMiB)} MiB after start). Longest \`/healthz\` wait: **${fmt(abuse.longestHealthzMs)} ms**.`,
  );
  out();
}
