import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRuntime } from '../runtime.js';
import { DEFAULT_WORKSPACE_ID } from '../store/trace-store.js';

// The accuracy harness: labeled real runs go through the real ingest pipeline (redaction, truncation,
// analysis, a SQLite file) and the stored verdicts and findings are compared with what really happened.

/** How a labeled dev split is synced: as the client sent it, or with `passed`/`expected` removed. */
export type AccuracyMode = 'detectors_alone' | 'as_synced';

/** A hand label: whether one finding on a failed run names a real problem of that run. */
export interface FindingLabel {
  trace_id: string;
  pattern: string;
  event_indexes: number[];
  right: boolean;
  why: string;
}

interface StoredFinding {
  pattern: string;
  severity: string;
  basis?: string;
  event_indexes: number[];
  summary: string;
}

interface StoredCheck {
  kind: string;
  message: string;
  event_indexes: number[];
}

/** One synced run as the store holds it, next to what really happened. */
export interface RunOutcome {
  trace_id: string;
  succeeded: boolean;
  verdict: string;
  checks: StoredCheck[];
  findings: StoredFinding[];
}

export interface PatternFigures {
  pattern: string;
  onSuccessful: number;
  /** Of `onSuccessful`, findings that can fail a run (not hints). */
  failingOnSuccessful: number;
  onFailed: number;
  failingOnFailed: number;
  /** Labeled findings on failed runs that are right / labeled. */
  right: number;
  labeled: number;
}

export interface ModeFigures {
  mode: AccuracyMode;
  runs: RunOutcome[];
  successful: number;
  failed: number;
  successfulFailed: number;
  /** Failed runs with at least one failed check or finding. */
  failedExplained: number;
  /** Failed runs with a failed check or a finding labeled right. */
  failedExplainedRight: number;
  patterns: PatternFigures[];
  /** Findings on failed runs that can fail a run: right / labeled, and how many carry no label. */
  failingPrecision: { right: number; labeled: number; unlabeled: number };
  hintPrecision: { right: number; labeled: number; unlabeled: number };
  unlabeled: { trace_id: string; pattern: string; event_indexes: number[]; summary: string }[];
}

export interface AccuracyReport {
  modes: ModeFigures[];
  analyzerVersion: string;
}

/** The key a label and a finding share: trace, pattern and event indexes. */
export function labelKey(traceId: string, pattern: string, eventIndexes: readonly number[]): string {
  return `${traceId} ${pattern} ${eventIndexes.join(',')}`;
}

/** Whether a stored finding can fail a run (a reliable basis at high severity); the rest are hints. */
export function canFail(finding: StoredFinding): boolean {
  return finding.severity === 'high' && finding.basis !== 'heuristic';
}

/**
 * Syncs every `sync-*.json` of a labeled split through the ingest pipeline on a temporary SQLite
 * file, once per mode, and scores the stored evaluations against `passed` and `labels.json`.
 *
 * @example await measureAccuracy('fixtures/real/tau-airline-dev')
 */
export async function measureAccuracy(dir: string): Promise<AccuracyReport> {
  const files = readdirSync(dir)
    .filter((f) => /^sync-.*\.json$/.test(f))
    .sort();
  const bodies = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as SyncBody);
  const labels = readLabels(dir);
  const modes: ModeFigures[] = [];
  let analyzerVersion = '';
  for (const mode of ['detectors_alone', 'as_synced'] as const) {
    const { runs, version } = await syncAll(bodies, mode);
    analyzerVersion = version;
    modes.push(score(mode, runs, labels));
  }
  return { modes, analyzerVersion };
}

interface SyncBody {
  agent_name: string;
  results: Array<Record<string, unknown> & { passed?: boolean; trace?: { trace_id?: string } }>;
}

function readLabels(dir: string): Map<string, FindingLabel> {
  const labels = new Map<string, FindingLabel>();
  let raw: FindingLabel[] = [];
  try {
    raw = (JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as { labels: FindingLabel[] }).labels;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  for (const label of raw) labels.set(labelKey(label.trace_id, label.pattern, label.event_indexes), label);
  return labels;
}

async function syncAll(bodies: SyncBody[], mode: AccuracyMode): Promise<{ runs: RunOutcome[]; version: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-accuracy-'));
  const runtime = openRuntime({ dbPath: join(dir, 'accuracy.db'), secret: Buffer.from('accuracy') });
  try {
    const runs: RunOutcome[] = [];
    let version = '';
    for (const body of bodies) {
      const results = body.results.map((r) => (mode === 'as_synced' ? r : { ...r, passed: undefined, expected: undefined }));
      await runtime.pipeline.sync({ ...body, results }, { workspaceId: DEFAULT_WORKSPACE_ID });
      for (const result of body.results) {
        const traceId = result.trace?.trace_id;
        if (traceId === undefined) throw new Error('every result of a labeled split needs trace.trace_id');
        const stored = await runtime.store.getTrace(DEFAULT_WORKSPACE_ID, traceId, false);
        const evaluation = stored?.evaluation as
          { verdict: string; analyzer_version: string; checks: StoredCheck[]; findings: StoredFinding[] } | undefined;
        if (!evaluation) throw new Error(`${traceId} was not stored with an evaluation`);
        version = evaluation.analyzer_version;
        runs.push({
          trace_id: traceId,
          succeeded: result.passed === true,
          verdict: evaluation.verdict,
          checks: evaluation.checks,
          findings: evaluation.findings.filter((f) => f.pattern !== 'passing_failure'),
        });
      }
    }
    return { runs, version };
  } finally {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function score(mode: AccuracyMode, runs: RunOutcome[], labels: Map<string, FindingLabel>): ModeFigures {
  const byPattern = new Map<string, PatternFigures>();
  const figures = (pattern: string): PatternFigures => {
    let f = byPattern.get(pattern);
    if (!f)
      byPattern.set(
        pattern,
        (f = { pattern, onSuccessful: 0, failingOnSuccessful: 0, onFailed: 0, failingOnFailed: 0, right: 0, labeled: 0 }),
      );
    return f;
  };
  const failingPrecision = { right: 0, labeled: 0, unlabeled: 0 };
  const hintPrecision = { right: 0, labeled: 0, unlabeled: 0 };
  const unlabeled: ModeFigures['unlabeled'] = [];
  let successfulFailed = 0;
  let failedExplained = 0;
  let failedExplainedRight = 0;
  for (const run of runs) {
    if (run.succeeded) {
      if (run.verdict === 'failed') successfulFailed++;
      for (const finding of run.findings) {
        const f = figures(finding.pattern);
        f.onSuccessful++;
        if (canFail(finding)) f.failingOnSuccessful++;
      }
      continue;
    }
    if (run.checks.length > 0 || run.findings.length > 0) failedExplained++;
    let rightHere = run.checks.length > 0;
    for (const finding of run.findings) {
      const f = figures(finding.pattern);
      const failing = canFail(finding);
      f.onFailed++;
      if (failing) f.failingOnFailed++;
      const tally = failing ? failingPrecision : hintPrecision;
      const label = labels.get(labelKey(run.trace_id, finding.pattern, finding.event_indexes));
      if (!label) {
        tally.unlabeled++;
        unlabeled.push({
          trace_id: run.trace_id,
          pattern: finding.pattern,
          event_indexes: finding.event_indexes,
          summary: finding.summary,
        });
        continue;
      }
      f.labeled++;
      tally.labeled++;
      if (label.right) {
        f.right++;
        tally.right++;
        rightHere = true;
      }
    }
    if (rightHere) failedExplainedRight++;
  }
  return {
    mode,
    runs,
    successful: runs.filter((r) => r.succeeded).length,
    failed: runs.filter((r) => !r.succeeded).length,
    successfulFailed,
    failedExplained,
    failedExplainedRight,
    patterns: [...byPattern.values()].sort((a, b) => a.pattern.localeCompare(b.pattern)),
    failingPrecision,
    hintPrecision,
    unlabeled,
  };
}
