import { StepwiseError, formatJsonPath } from '@stepwise/core';

export interface ParseLimits {
  /** Largest accepted body, in bytes (default 20 MiB). */
  maxBytes: number;
  /** Deepest accepted nesting of objects and arrays (default 64). */
  maxDepth: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxBytes: 20 * 1024 * 1024, maxDepth: 64 };

/** Keys that would reach an object's prototype if a later step copied them by assignment. */
const FORBIDDEN_KEYS = new Set(['__proto__']);

/**
 * Parses untrusted JSON text within limits. Depth is checked on the text before parsing, so a
 * hostile payload cannot exhaust the stack of any later recursive step; `__proto__` keys are refused
 * (written directly or with \u escapes) so no step can pollute a prototype by copying them.
 */
export function parseJsonWithLimits(text: string, limits: ParseLimits, where = 'body'): unknown {
  if (text.length > limits.maxBytes || Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
    throw new StepwiseError('payload_too_large', `${where} is larger than the limit of ${limits.maxBytes} bytes`);
  }
  if (text.trim() === '') {
    throw new StepwiseError('invalid_json', `${where} is empty; expected a JSON document`);
  }
  checkDepth(text, limits.maxDepth, where);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // V8's message names the position, never the content around it beyond a token.
    const position = /position (\d+)/.exec(String((error as Error).message))?.[1];
    throw new StepwiseError(
      'invalid_json',
      `${where} is not valid JSON${position ? ` (syntax error at character ${position})` : ''}`,
    );
  }
  if (text.includes('__proto__') || text.includes('\\u')) {
    const path = findForbiddenKey(value, []);
    if (path) {
      throw new StepwiseError('forbidden_key', `key "__proto__" is not allowed (at ${formatJsonPath(path)})`, {
        issues: [{ path: formatJsonPath(path), message: 'key "__proto__" is not allowed' }],
      });
    }
  }
  return value;
}

function checkDepth(text: string, maxDepth: number, where: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > maxDepth) {
        throw new StepwiseError('too_deep', `${where} nests deeper than the limit of ${maxDepth} levels`);
      }
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
    }
  }
}

function findForbiddenKey(value: unknown, path: Array<string | number>): Array<string | number> | null {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findForbiddenKey(value[i], [...path, i]);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) return [...path, key];
      const found = findForbiddenKey((value as Record<string, unknown>)[key], [...path, key]);
      if (found) return found;
    }
  }
  return null;
}
