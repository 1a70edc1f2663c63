import { StepwiseError } from '@stepwise/core';

/** Keyset cursor over (started_ms DESC, id DESC): stable under concurrent inserts, unlike offsets. */
export interface TraceCursor {
  startedMs: number;
  id: string;
}

export function encodeCursor(cursor: TraceCursor): string {
  return Buffer.from(JSON.stringify([cursor.startedMs, cursor.id]), 'utf8').toString('base64url');
}

export function decodeCursor(text: string): TraceCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string') {
      return { startedMs: value[0], id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new StepwiseError('invalid_request', 'cursor is not one this server issued; start again without it', {
    issues: [{ path: 'cursor', message: 'unrecognized cursor' }],
  });
}
