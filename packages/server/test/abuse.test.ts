import { describe, expect, it } from 'vitest';
import { runAbuse } from '../src/bench/abuse.js';

// The review's memory attacks against a real `stepwise serve` child process (it runs the built
// CLI, as `npm test` builds first). Memory is read from the child's peak RSS (VmHWM), never from
// a timer. Before the fix the 12 MB nested body ended the process with "Reached heap limit", and a
// body of 990,000 nested `{}` (within every limit) peaked at 1.2 GB in truncation alone.
const PEAK_RSS_BOUND_MIB = 800;

describe('one request cannot exhaust the server memory', () => {
  it('refuses the 12 MB nested and 20 MB flat bodies through sync, preview and MCP, and truncates the largest accepted one within bounded memory', async () => {
    const report = await runAbuse({
      attacks: ['nested-sync', 'flat-sync', 'nested-preview', 'flat-preview', 'under-cap-sync', 'mcp-flat'],
    });
    expect(report.outcomes.map((o) => [o.attack, o.outcome, o.ok])).toEqual([
      [expect.stringContaining('sync, 12 MB'), '413 payload_too_large', true],
      [expect.stringContaining('sync, 20 MB'), '413 payload_too_large', true],
      [expect.stringContaining('preview, 12 MB'), '413 payload_too_large', true],
      [expect.stringContaining('preview, 20 MB'), '413 payload_too_large', true],
      [expect.stringContaining('990,000'), '201', true],
      [expect.stringContaining('MCP sync_results, 20 MB'), '413 payload_too_large', true],
    ]);
    expect(report.healthzFailures).toBe(0);
    expect(report.peakRssMiB).toBeLessThan(PEAK_RSS_BOUND_MIB);
  }, 120_000);
});
