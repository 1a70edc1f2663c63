import { createHash, randomBytes } from 'node:crypto';

/** `tr_` + 26 base32 characters (130 bits): unguessable and URL-safe. */
export function newTraceId(): string {
  return `tr_${base32(randomBytes(17)).slice(0, 26)}`;
}

export function newRunId(): string {
  return `run_${base32(randomBytes(17)).slice(0, 26)}`;
}

/**
 * A stable key for a result without a client trace id: same run and same content → same key. The
 * parts are serializations the pipeline already has; a client that reorders keys between sends
 * should send trace ids.
 */
export function contentKey(runId: string, resultJson: string, traceParts: readonly string[]): string {
  const hash = createHash('sha256').update(runId).update('\0').update(resultJson);
  for (const part of traceParts) hash.update('\0').update(part);
  return hash.digest('base64url');
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
