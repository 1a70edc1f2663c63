import { createHash, randomBytes } from 'node:crypto';

/** `tr_` + 26 base32 characters (130 bits): unguessable and URL-safe. */
export function newTraceId(): string {
  return `tr_${base32(randomBytes(17)).slice(0, 26)}`;
}

export function newRunId(): string {
  return `run_${base32(randomBytes(17)).slice(0, 26)}`;
}

/** A stable key for a result without a client trace id: same run and same content → same key. */
export function contentKey(runId: string, item: unknown): string {
  return createHash('sha256').update(runId).update('\0').update(canonicalJson(item)).digest('base64url');
}

/** JSON with object keys sorted, so equal values hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}
