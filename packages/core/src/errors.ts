/**
 * The one error type of Stepwise. `code` is stable and machine-readable; the HTTP and MCP layers map
 * it to a status in one place. Messages never contain input values (they may contain JSON paths).
 */
export type StepwiseErrorCode =
  | 'invalid_json'
  | 'invalid_request'
  | 'validation_failed'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'too_deep'
  | 'forbidden_key'
  | 'not_found'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited'
  | 'internal';

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
