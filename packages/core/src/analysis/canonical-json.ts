/**
 * A canonical string for a JSON value: object keys sorted, numbers by value (`5` and `5.0` are the
 * same number once parsed), so two calls with the same parameters in a different key order compare
 * equal as strings. Used as a hash key by the loop detector.
 *
 * @example canonicalJson({ b: 1, a: [true, null] }) === canonicalJson({ a: [true, null], b: 1 })
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      const parts: string[] = [];
      for (const key of keys) {
        if (record[key] === undefined) continue;
        parts.push(`${JSON.stringify(key)}:${canonicalJson(record[key])}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return 'null';
  }
}
