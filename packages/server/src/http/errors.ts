import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { StepwiseError, type StepwiseErrorCode } from '@stepwise/core';

/** The one place where error codes become HTTP statuses. */
const STATUS: Record<StepwiseErrorCode, ContentfulStatusCode> = {
  invalid_json: 400,
  invalid_request: 400,
  validation_failed: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  too_deep: 400,
  forbidden_key: 400,
  not_found: 404,
  conflict: 409,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  internal: 500,
};

export function statusOf(code: StepwiseErrorCode): ContentfulStatusCode {
  return STATUS[code];
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** Answers any thrown value with the error envelope; unknown errors are logged and answered 500. */
export function errorResponse(c: Context, error: unknown, log: (line: string) => void = console.error) {
  if (error instanceof StepwiseError) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (error.details !== undefined) body.error.details = error.details;
    return c.json(body, statusOf(error.code));
  }
  // Log the error's type and stack frames only: messages of foreign errors may quote input.
  const frames = ((error as Error)?.stack ?? '')
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .join('\n');
  log(`internal error on ${c.req.method} ${c.req.routePath}: ${(error as Error)?.name ?? typeof error}\n${frames}`);
  return c.json({ error: { code: 'internal', message: 'the server failed to handle this request; it has been logged' } }, 500);
}
