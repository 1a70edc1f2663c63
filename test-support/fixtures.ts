// Test-time access to the repository's own fixtures (fixtures/, each folder with its licence and origin).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Absolute path of a file under `fixtures/`. */
export function fixturePath(...parts: string[]): string {
  return join(repoRoot, 'fixtures', ...parts);
}

export function readFixture(...parts: string[]): string {
  return readFileSync(fixturePath(...parts), 'utf8');
}

/** The brief's JSON examples, cut verbatim out of the brief's text (fixtures/seed). */
export function seedExamples(): { trace: unknown; result: unknown; traceText: string; resultText: string } {
  const traceText = readFixture('seed', 'example-trace.json').trim();
  const resultText = readFixture('seed', 'example-result.json').trim();
  return { trace: JSON.parse(traceText), result: JSON.parse(resultText), traceText, resultText };
}
