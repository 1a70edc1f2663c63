import { z } from 'zod';
import { StepwiseError, validate } from '@stepwise/core';
import { MAX_PAGE_SIZE } from '../store/trace-store.js';

/** Validates query parameters; failures name the parameter, as body errors name the JSON path. */
export function parseQuery<S extends z.ZodType>(schema: S, query: Record<string, string>): z.infer<S> {
  const result = validate(schema, query, '$');
  if (!result.ok) {
    throw new StepwiseError('invalid_request', 'query parameters are invalid', {
      issues: result.errors.map((e) => ({ path: `query.${e.path}`, message: e.message })),
    });
  }
  return result.value;
}

export { MAX_PAGE_SIZE };

export const limitParam = (fallback: number) => z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(fallback);
export const offsetParam = z.coerce.number().int().min(0).max(10_000_000).default(0);
export const isoParam = z.iso.datetime({ offset: true });
