import { describe, expect, it } from 'vitest';
import { fixturePath } from '../../../test-support/fixtures.js';
import { measureAccuracy, type ModeFigures } from '../src/accuracy/accuracy.js';

// The diagnosis bars of DESIGN §8 on the tau-bench airline dev split, through the real ingest
// pipeline. These are properties of the analyzer on labeled real runs, not timings.
describe('diagnosis accuracy on the tau-bench airline dev split', async () => {
  const report = await measureAccuracy(fixturePath('real', 'tau-airline-dev'));
  const mode = (name: ModeFigures['mode']) => report.modes.find((m) => m.mode === name)!;

  it('syncs all 100 runs in both modes: 31 successful, 69 failed', () => {
    for (const m of report.modes) expect([m.successful, m.failed]).toEqual([31, 69]);
  });

  it('fails at most 1 of the 31 successful runs with the detectors alone', () => {
    expect(mode('detectors_alone').successfulFailed).toBeLessThanOrEqual(1);
  });

  it('fails at most 1 of the 31 successful runs as synced, with passed and expected', () => {
    expect(mode('as_synced').successfulFailed).toBeLessThanOrEqual(1);
  });

  it('gives at least 90 % of the failed runs a failed check or a finding labeled right, as synced', () => {
    const m = mode('as_synced');
    expect(m.failedExplainedRight / m.failed).toBeGreaterThanOrEqual(0.9);
  });

  it('labels every finding that can fail a failed run, and every one of them is right', () => {
    for (const m of report.modes) {
      expect(m.failingPrecision.unlabeled, m.mode).toBe(0);
      expect(m.failingPrecision.right, m.mode).toBe(m.failingPrecision.labeled);
    }
  });

  it("still finds tau-air-5-0's unsupported claim and tau-air-9-2's loop with the detectors alone", () => {
    const runs = mode('detectors_alone').runs;
    const claim = runs.find((r) => r.trace_id === 'tau-air-5-0')!.findings.find((f) => f.pattern === 'unsupported_success_claim');
    expect(claim?.summary).toBe('Said "three checked bags have been added" but no tool that could do that was called.');
    const loop = runs.find((r) => r.trace_id === 'tau-air-9-2')!.findings.find((f) => f.pattern === 'loop');
    expect(loop).toMatchObject({ severity: 'high', basis: 'evidence' });
  });
});
