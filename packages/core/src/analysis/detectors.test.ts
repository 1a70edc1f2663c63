import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as core from '../index.js';
import type { DetectorDescriptor } from './detector.js';
import { DETECTORS, FINDING_PATTERNS, detectorTable } from './detectors.js';

const here = dirname(fileURLToPath(import.meta.url));

function isDescriptor(value: unknown): value is DetectorDescriptor {
  return typeof value === 'object' && value !== null && 'pattern' in value && 'detect' in value && 'basis' in value;
}

/** Every descriptor exported by a detect-*.ts file of this folder. */
async function declaredDescriptors(): Promise<{ file: string; name: string; descriptor: DetectorDescriptor }[]> {
  const files = readdirSync(here).filter((f) => /^detect-.*\.ts$/.test(f) && !f.endsWith('.test.ts'));
  const out: { file: string; name: string; descriptor: DetectorDescriptor }[] = [];
  for (const file of files) {
    // The file list is read at run time, so the import cannot be analyzed ahead (hence vite-ignore).
    const module = (await import(/* @vite-ignore */ pathToFileURL(join(here, file)).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(module)) if (isDescriptor(value)) out.push({ file, name, descriptor: value });
  }
  return out;
}

function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[\s|:-]+\|$/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
}

describe('the detector registry', () => {
  it('registers every descriptor a detect-*.ts file declares, each file exactly one', async () => {
    const declared = await declaredDescriptors();
    expect(declared.map((d) => d.file).sort()).toEqual(
      readdirSync(here)
        .filter((f) => /^detect-.*\.ts$/.test(f) && !f.endsWith('.test.ts'))
        .sort(),
    );
    for (const { name, descriptor } of declared) expect(DETECTORS, name).toContain(descriptor);
    expect(DETECTORS).toHaveLength(declared.length);
  });

  it('exports every descriptor and its detect function from @stepwise/core', async () => {
    const exported = core as unknown as Record<string, unknown>;
    for (const { name, descriptor } of await declaredDescriptors()) {
      expect(exported[name], name).toBe(descriptor);
      expect(Object.values(exported), `${name}.detect`).toContain(descriptor.detect);
    }
  });

  it('derives the pattern list from the registry, one pattern per detector', () => {
    expect(FINDING_PATTERNS).toEqual([...DETECTORS.map((d) => d.pattern), 'passing_failure']);
    expect(new Set(FINDING_PATTERNS).size).toBe(FINDING_PATTERNS.length);
  });

  it('is documented: docs/expectations.md holds the table rendered from the registry', () => {
    const docs = readFileSync(resolve(here, '../../../../docs/expectations.md'), 'utf8');
    const documented = tableRows(docs).filter((row) => row[0]?.startsWith('`'));
    const rendered = tableRows(detectorTable()).filter((row) => row[0]?.startsWith('`'));
    for (const row of rendered)
      expect(documented, `row for ${row[0]} (paste detectorTable() into docs/expectations.md)`).toContainEqual(row);
  });
});
