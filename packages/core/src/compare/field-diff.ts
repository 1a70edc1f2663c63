import { formatJsonPath } from '../trace/json-path.js';

/** One field that differs between two events. Values are abbreviated JSON; `null` means absent. */
export interface FieldChange {
  /** JSON path inside the compared view, e.g. `parameters.query` or `result.articles`. */
  path: string;
  a: string | null;
  b: string | null;
}

const DEFAULT_MAX_CHANGES = 20;
const DEFAULT_MAX_VALUE_CHARS = 80;

/**
 * Lists the fields that differ between two comparable values, depth first, keys in sorted order.
 * Arrays of equal length are compared item by item; otherwise the whole array is one change.
 *
 * @example diffFields({ query: 'refund' }, { query: 'refunds' }) // [{ path: 'query', a: '"refund"', b: '"refunds"' }]
 */
export function diffFields(a: unknown, b: unknown, maxChanges = DEFAULT_MAX_CHANGES): FieldChange[] {
  const out: FieldChange[] = [];
  walk(a, b, [], out, maxChanges);
  return out;
}

function walk(a: unknown, b: unknown, path: PropertyKey[], out: FieldChange[], max: number): void {
  if (out.length >= max || a === b) return;
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) walk(a[key], b[key], [...path, key], out, max);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (let i = 0; i < a.length; i++) walk(a[i], b[i], [...path, i], out, max);
    return;
  }
  if (jsonEquivalent(a, b)) return;
  out.push({ path: formatJsonPath(path), a: abbreviateValue(a), b: abbreviateValue(b) });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonEquivalent(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEquivalent(v, b[i]));
  return false;
}

/** Short JSON text of a value for people to read: `"refund po…"`, `[]`, `{"a":1,…`. `null` when absent. */
export function abbreviateValue(value: unknown, maxChars = DEFAULT_MAX_VALUE_CHARS): string | null {
  if (value === undefined) return null;
  const text = JSON.stringify(value) ?? 'null';
  return abbreviateText(text, maxChars);
}

/** Cuts `text` to `maxChars` characters, ending with `…` when cut. */
export function abbreviateText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, Math.max(0, maxChars - 1))}…`;
}
