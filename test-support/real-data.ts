// Test-time access to the real agent runs in ../shared/data/real. Never copied into the repository.
import { readdirSync } from 'node:fs';
import { readShared, sharedPath } from './shared-data.js';

export type RealDataKind = 'toolbench' | 'swe-agent';

/** Every run file of one kind (licence files left out), sorted by name, parsed. */
export function realRuns(kind: RealDataKind): { file: string; json: unknown }[] {
  return readdirSync(sharedPath('data', 'real', kind))
    .filter((file) => file.endsWith('.json') || file.endsWith('.traj'))
    .sort()
    .map((file) => ({ file, json: JSON.parse(readShared('data', 'real', kind, file)) as unknown }));
}
