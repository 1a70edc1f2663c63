import { StepwiseError, formatJsonPath } from '@stepwise/core';

export interface ParseLimits {
  /** Largest accepted body, in bytes (default 20 MiB). */
  maxBytes: number;
  /** Deepest accepted nesting of objects and arrays (default 64). */
  maxDepth: number;
  /**
   * Most objects and arrays accepted in one body (default 1,000,000). Each costs tens of bytes of
   * heap once parsed, and every later step copies or walks them: this bounds what one body can
   * make the process hold, which the byte limit alone does not (20 MiB of `{}` is 7 million objects).
   */
  maxContainers?: number;
}

export const DEFAULT_MAX_CONTAINERS = 1_000_000;

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxBytes: 20 * 1024 * 1024, maxDepth: 64, maxContainers: DEFAULT_MAX_CONTAINERS };

/** Keys that would reach an object's prototype if a later step copied them by assignment. */
const FORBIDDEN_KEYS = new Set(['__proto__']);

/**
 * Parses untrusted JSON text within limits. V8's JSON.parse is iterative, so even absurd nesting
 * parses without a stack overflow; one iterative walk afterwards then enforces the depth limit (so
 * no later recursive step can be driven into the stack) and refuses `__proto__` keys, however they
 * were spelled in the text, so no step can pollute a prototype by copying them.
 */
export function parseJsonWithLimits(text: string, limits: ParseLimits, where = 'body'): unknown {
  if (text.length > limits.maxBytes || Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
    throw new StepwiseError('payload_too_large', `${where} is larger than the limit of ${limits.maxBytes} bytes`);
  }
  if (text.trim() === '') {
    throw new StepwiseError('invalid_json', `${where} is empty; expected a JSON document`);
  }
  checkContainerCount(text, limits, where);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // Report the position only: V8's message can quote the text around the error.
    const position = /position (\d+)/.exec(String((error as Error).message))?.[1];
    throw new StepwiseError('invalid_json', `${where} is not valid JSON${position ? ` (syntax error at character ${position})` : ''}`);
  }
  checkShape(value, limits.maxDepth, where);
  return value;
}

/**
 * Refuses JSON text holding more objects and arrays than `limits.maxContainers` (payload_too_large),
 * before anything parses it. Every container takes at least two characters, so shorter texts need no count.
 */
export function checkContainerCount(text: string, limits: ParseLimits, where: string): void {
  const maxContainers = limits.maxContainers ?? DEFAULT_MAX_CONTAINERS;
  if (text.length > 2 * maxContainers && countContainers(text, maxContainers) > maxContainers) {
    throw new StepwiseError(
      'payload_too_large',
      `${where} holds more than the limit of ${maxContainers} objects and arrays; send fewer or flatter values`,
    );
  }
}

/**
 * Counts the `{` and `[` outside strings of JSON text, stopping once past `stopAbove`: a scan of
 * the characters, before JSON.parse builds anything. Invalid JSON is counted as best it can be and
 * left for JSON.parse to refuse.
 */
export function countContainers(text: string, stopAbove: number): number {
  let count = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      count++;
      if (count > stopAbove) return count;
    }
  }
  return count;
}

interface Frame {
  value: object;
  depth: number;
  parent: Frame | null;
  key: string | number;
}

/**
 * Refuses values nested deeper than `maxDepth` (too_deep) or holding `__proto__` keys
 * (forbidden_key), walking iteratively: for values parsed elsewhere (the MCP SDK parses its own
 * requests) before anything recursive, such as JSON.stringify, touches them.
 */
export function checkShape(root: unknown, maxDepth: number, where: string): void {
  if (root === null || typeof root !== 'object') return;
  const stack: Frame[] = [{ value: root, depth: 1, parent: null, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > maxDepth) {
      throw new StepwiseError(
        'too_deep',
        `${where} nests deeper than the limit of ${maxDepth} levels (at ${formatJsonPath(pathOf(frame))})`,
      );
    }
    if (Array.isArray(frame.value)) {
      const list = frame.value as unknown[];
      for (let i = 0; i < list.length; i++) {
        const child = list[i];
        if (child !== null && typeof child === 'object') stack.push({ value: child, depth: frame.depth + 1, parent: frame, key: i });
      }
      continue;
    }
    const record = frame.value as Record<string, unknown>;
    for (const key in record) {
      if (FORBIDDEN_KEYS.has(key)) {
        const path = formatJsonPath([...pathOf(frame), key]);
        throw new StepwiseError('forbidden_key', `key "${key}" is not allowed (at ${path})`, {
          issues: [{ path, message: `key "${key}" is not allowed` }],
        });
      }
      const child = record[key];
      if (child !== null && typeof child === 'object') stack.push({ value: child, depth: frame.depth + 1, parent: frame, key });
    }
  }
}

function pathOf(frame: Frame): Array<string | number> {
  const path: Array<string | number> = [];
  for (let f: Frame | null = frame; f && f.parent; f = f.parent) path.unshift(f.key);
  return path;
}
