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
