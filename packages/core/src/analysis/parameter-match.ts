import type { ParameterMatchMode } from './expectations-schema.js';

/** One place where actual parameters differ from the expected ones. */
export interface ParameterMismatch {
  /** Dotted path from the parameters object, e.g. `filters.status` or `ids[2]`. */
  path: string;
  /** `missing`: expected but absent; `different`: present with another value; `unexpected`: present but not expected (exact mode). */
  reason: 'missing' | 'different' | 'unexpected';
  expected?: unknown;
  actual?: unknown;
}

/**
 * Compares actual tool parameters with expected ones and lists every difference.
 *
 * - `subset` (default): each expected key must be present with an equal value; extra actual keys are
 *   fine. Nested objects are compared the same way; arrays must have the same length, element by element.
 * - `exact`: the same keys and values at every depth.
 * - `ignore`: parameters are not compared.
 *
 * Keys named in `ignoreKeys` are skipped at any depth on both sides (ids, timestamps). Numbers compare
 * by value, strings exactly, `null` only equals `null`.
 *
 * @example matchParameters({ query: 'refund' }, { query: 'refund', limit: 5 }, 'subset', []) // []
 */
export function matchParameters(
  expected: Record<string, unknown>,
  actual: Record<string, unknown>,
  mode: ParameterMatchMode = 'subset',
  ignoreKeys: readonly string[] = [],
): ParameterMismatch[] {
  if (mode === 'ignore') return [];
  const out: ParameterMismatch[] = [];
  compareValues(expected, actual, '', mode, new Set(ignoreKeys), out);
  return out;
}

function compareValues(
  expected: unknown,
  actual: unknown,
  path: string,
  mode: 'exact' | 'subset',
  ignore: ReadonlySet<string>,
  out: ParameterMismatch[],
): void {
  if (isRecord(expected) && isRecord(actual)) {
    for (const key of Object.keys(expected)) {
      if (ignore.has(key) || expected[key] === undefined) continue;
      const childPath = path === '' ? key : `${path}.${key}`;
      if (!Object.hasOwn(actual, key) || actual[key] === undefined) {
        out.push({ path: childPath, reason: 'missing', expected: expected[key] });
        continue;
      }
      compareValues(expected[key], actual[key], childPath, mode, ignore, out);
    }
    if (mode === 'exact') {
      for (const key of Object.keys(actual)) {
        if (ignore.has(key) || actual[key] === undefined) continue;
        if (!Object.hasOwn(expected, key) || expected[key] === undefined) {
          out.push({ path: path === '' ? key : `${path}.${key}`, reason: 'unexpected', actual: actual[key] });
        }
      }
    }
    return;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) {
      out.push({ path: path === '' ? '(parameters)' : path, reason: 'different', expected, actual });
      return;
    }
    for (let i = 0; i < expected.length; i++) {
      compareValues(expected[i], actual[i], `${path}[${i}]`, mode, ignore, out);
    }
    return;
  }
  if (!scalarEqual(expected, actual)) out.push({ path, reason: 'different', expected, actual });
}

function scalarEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  return a === b;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
