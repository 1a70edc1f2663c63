import type { z } from 'zod';
import type { ValidationIssue } from '../errors.js';
import { formatJsonPath, joinJsonPath } from './json-path.js';
import { EVENT_TYPES } from './schema.js';

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: ValidationIssue[] };

/**
 * Validates `input` against `schema` and reports every failing path, prefixed with `basePath`.
 * Messages describe what was expected and never contain the input value.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown, basePath = '$'): Validated<z.infer<S>> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const errors = parsed.error.issues.map((issue) => ({
    path: joinJsonPath(basePath, formatJsonPath(issue.path)),
    message: describeIssue(issue),
  }));
  return { ok: false, errors };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const received = (issue as { received?: unknown }).received;
      if (issue.message.endsWith('received undefined') || received === 'undefined') {
        return `is required (expected ${issue.expected})`;
      }
      return `expected ${issue.expected}, ${issue.message.replace(/^Invalid input: expected \w+, /, '')}`;
    }
    case 'invalid_format':
      if (issue.format === 'datetime') {
        return 'expected an ISO-8601 date-time with Z or an offset, e.g. 2026-03-13T14:30:00.450Z';
      }
      return issue.message;
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator === 'type') {
        return `unknown event type; expected one of ${EVENT_TYPES.join(', ')} (for your own events use type "custom" with data.name)`;
      }
      return 'matches none of the allowed shapes';
    default:
      return issue.message;
  }
}
