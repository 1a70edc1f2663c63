import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureAccuracy, type ModeFigures } from './accuracy.js';

// `npm run accuracy [dir] [--findings]`: how right the analysis is on labeled real runs, printed as
// Markdown for docs/BENCHMARKS.md. `--findings` also lists every finding and failed check per run.
const out = (line = '') => process.stdout.write(`${line}\n`);
const args = process.argv.slice(2);
const listFindings = args.includes('--findings');
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const dir = args.find((a) => !a.startsWith('--')) ?? join(repoRoot, 'fixtures', 'real', 'tau-airline-dev');

const report = await measureAccuracy(dir);
const pct = (n: number, d: number): string => (d === 0 ? '–' : `${((100 * n) / d).toFixed(0)} %`);
const ratio = (n: number, d: number): string => `${n} of ${d} (${pct(n, d)})`;

out(`# Diagnosis accuracy — analyzer ${report.analyzerVersion}`);
out();
out(`Labeled runs from \`${dir}\`, synced through the ingest pipeline into a temporary SQLite file.`);
for (const mode of report.modes) printMode(mode);

function printMode(m: ModeFigures): void {
  out();
  out(
    `## ${m.mode === 'detectors_alone' ? 'Detectors alone (`passed` and `expected` stripped)' : 'As synced (`passed` and `expected` kept)'}`,
  );
  out();
  out(`- successful runs failed: ${ratio(m.successfulFailed, m.successful)}`);
  out(`- failed runs with a failed check or finding: ${ratio(m.failedExplained, m.failed)}`);
  out(`- failed runs with a failed check or a finding labeled right: ${ratio(m.failedExplainedRight, m.failed)}`);
  const fp = m.failingPrecision;
  const hp = m.hintPrecision;
  out(
    `- precision of findings that can fail a run, on failed runs: ${ratio(fp.right, fp.labeled)} right${fp.unlabeled ? `, ${fp.unlabeled} unlabeled` : ''}`,
  );
  out(`- precision of hints on failed runs: ${ratio(hp.right, hp.labeled)} right${hp.unlabeled ? `, ${hp.unlabeled} unlabeled` : ''}`);
  out();
  out('| detector | on successful runs (can fail) | on failed runs (can fail) | labeled right |');
  out('|---|---|---|---|');
  for (const p of m.patterns) {
    out(
      `| ${p.pattern} | ${p.onSuccessful} (${p.failingOnSuccessful}) | ${p.onFailed} (${p.failingOnFailed}) | ${p.labeled ? ratio(p.right, p.labeled) : '–'} |`,
    );
  }
  if (m.unlabeled.length > 0) {
    out();
    out('Unlabeled findings on failed runs:');
    for (const u of m.unlabeled) out(`- ${u.trace_id} ${u.pattern} [${u.event_indexes.join(',')}]: ${u.summary}`);
  }
  if (!listFindings) return;
  out();
  for (const run of m.runs) {
    if (run.checks.length === 0 && run.findings.length === 0) continue;
    out(`### ${run.trace_id} (${run.succeeded ? 'succeeded' : 'failed'}, verdict ${run.verdict})`);
    for (const c of run.checks) out(`- check ${c.kind} [${c.event_indexes.join(',')}]: ${c.message}`);
    for (const f of run.findings) out(`- ${f.pattern} ${f.severity}/${f.basis ?? '?'} [${f.event_indexes.join(',')}]: ${f.summary}`);
  }
}
