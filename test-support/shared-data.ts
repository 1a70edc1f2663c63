// Test-time access to ../shared (the product brief and real data). Never copied into the repository.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const sharedDir = process.env.STEPWISE_SHARED_DIR ?? join(repoRoot, '..', 'shared');

export function sharedPath(...parts: string[]): string {
  return join(sharedDir, ...parts);
}

export function readShared(...parts: string[]): string {
  return readFileSync(sharedPath(...parts), 'utf8');
}

/** The brief's JSON examples, cut verbatim out of the brief's text. */
export function seedExamples(): { trace: unknown; result: unknown; traceText: string; resultText: string } {
  const brief = readShared('seed', 'behavioral-tracing.txt');
  const traceText = between(brief, 'Traces are stored as JSON with the following structure:', 'Reading a trace');
  const resultText = between(brief, 'the trace data enriches the test result:', 'The tools_called field');
  return { trace: JSON.parse(traceText), result: JSON.parse(resultText), traceText, resultText };
}

function between(text: string, after: string, before: string): string {
  const start = text.indexOf(after);
  const end = text.indexOf(before, start);
  if (start < 0 || end < 0) throw new Error(`brief no longer contains "${after}" … "${before}"`);
  return text.slice(start + after.length, end).trim();
}
