/**
 * The one error type of Stepwise. `code` is stable and machine-readable; every door (REST, OTLP, MCP,
 * CLI) maps it from this runtime list in one place. Messages never contain input values (they may contain JSON paths).
 */
export const STEPWISE_ERROR_CODES = [
  'invalid_json',
  'invalid_request',
  'validation_failed',
  'unsupported_media_type',
  'payload_too_large',
  'too_deep',
  'forbidden_key',
  'not_found',
  'conflict',
  'unauthorized',
  'forbidden',
  'rate_limited',
  'internal',
] as const;

export type StepwiseErrorCode = (typeof STEPWISE_ERROR_CODES)[number];

const CODE_SET: ReadonlySet<string> = new Set(STEPWISE_ERROR_CODES);

/** Whether a string (e.g. from another server's error envelope) is one of the codes above. */
export function isStepwiseErrorCode(value: unknown): value is StepwiseErrorCode {
  return typeof value === 'string' && CODE_SET.has(value);
}

export interface ValidationIssue {
  /** JSON path of the failing value, e.g. `results[2].trace.events[0].timestamp`. */
  path: string;
  /** What was wrong, and what was expected. Never echoes the value. */
  message: string;
}

export class StepwiseError extends Error {
  readonly code: StepwiseErrorCode;
  readonly details: unknown;

  constructor(code: StepwiseErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'StepwiseError';
    this.code = code;
    this.details = details;
  }
}
