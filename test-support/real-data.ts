// Test-time access to the real agent runs copied into fixtures/real (ToolBench, SWE-agent; licences beside them).
import { readdirSync } from 'node:fs';
import { fixturePath, readFixture } from './fixtures.js';

export type RealDataKind = 'toolbench' | 'swe-agent';

/** Every run file of one kind (licence files left out), sorted by name, parsed. */
export function realRuns(kind: RealDataKind): { file: string; json: unknown }[] {
  return readdirSync(fixturePath('real', kind))
    .filter((file) => file.endsWith('.json') || file.endsWith('.traj'))
    .sort()
    .map((file) => ({ file, json: JSON.parse(readFixture('real', kind, file)) as unknown }));
}

/** One synced result of the tau-bench airline dev split (fixtures/real/tau-airline-dev), as the client sent it. */
export interface TauResult {
  scenario_id: string;
  passed: boolean;
  expected: Record<string, unknown>;
  trace: { trace_id: string; events: unknown[] } & Record<string, unknown>;
}

/** The dev split's results by trace id (`tau-air-<task>-<trial>`). */
export function tauAirlineDev(): Map<string, TauResult> {
  const byId = new Map<string, TauResult>();
  for (const file of readdirSync(fixturePath('real', 'tau-airline-dev')).filter((f) => f.startsWith('sync-'))) {
    const body = JSON.parse(readFixture('real', 'tau-airline-dev', file)) as { results: TauResult[] };
    for (const result of body.results) byId.set(result.trace.trace_id, result);
  }
  return byId;
}
