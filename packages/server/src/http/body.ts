import type { z } from 'zod';
import { StepwiseError, validate } from '@stepwise/core';

/** Validates a parsed JSON body; failures list every path, as sync rejections do. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = validate(schema, body, '$');
  if (!result.ok) throw new StepwiseError('invalid_request', 'the request body is invalid', { issues: result.errors });
  return result.value;
}
