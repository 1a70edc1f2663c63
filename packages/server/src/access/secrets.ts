import { StepwiseError } from '@stepwise/core';
import { createHmac, randomBytes, scrypt, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += BASE62[byte % 62]; // 62² > 256: slight bias, still > 5.9 bits per char
  return out;
}

/**
 * API keys look like `sw_` + 32 base62 characters (190 bits): recognisable to secret scanners and to
 * our own redactor, and long enough that guessing is hopeless.
 */
export function newApiKey(): string {
  return `sw_${base62(randomBytes(32))}`;
}

export const API_KEY_PATTERN = /^sw_[0-9A-Za-z]{32}$/;

/** An opaque random token for sessions, login links and CSRF. */
export function newToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Keys and tokens are stored only as HMACs keyed with the server secret, and looked up by that. */
export function keyedHash(secret: Buffer, value: string): string {
  return createHmac('sha256', secret).update(value).digest('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * Each scrypt holds 32 MiB while it runs: at most SCRYPT_CONCURRENCY run at once, at most
 * SCRYPT_QUEUE wait, and a caller beyond that is refused (429) instead of queued without end.
 */
export const SCRYPT_CONCURRENCY = 2;
export const SCRYPT_QUEUE = 32;
let scryptRunning = 0;
const scryptWaiting: Array<() => void> = [];

function releaseScryptSlot(): void {
  // The slot passes straight to the next waiter, so no newcomer can slip in between.
  const next = scryptWaiting.shift();
  if (next) next();
  else scryptRunning--;
}

async function scryptSlot(): Promise<() => void> {
  if (scryptRunning < SCRYPT_CONCURRENCY) {
    scryptRunning++;
    return releaseScryptSlot;
  }
  if (scryptWaiting.length >= SCRYPT_QUEUE) {
    throw new StepwiseError('rate_limited', 'too many password checks at once; retry in a few seconds');
  }
  await new Promise<void>((resolvePromise) => scryptWaiting.push(resolvePromise));
  return releaseScryptSlot;
}

const scryptAsync = async (password: BinaryLike, salt: BinaryLike, keylen: number, options: ScryptOptions) => {
  const done = await scryptSlot();
  try {
    return await new Promise<Buffer>((resolvePromise, reject) =>
      scrypt(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolvePromise(key))),
    );
  } finally {
    done();
  }
};

const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/** `scrypt$N$r$p$salt$hash`, so parameters can be raised later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password.normalize('NFKC'), salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(password.normalize('NFKC'), Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 128 * Number(n) * Number(r) * 2,
  });
  return timingSafeEqual(actual, expected);
}

/**
 * The server secret that keys the hashes: from STEPWISE_SECRET, or a random one kept in a file
 * beside the database (mode 0600), so a copy of the database alone cannot be used to test guesses.
 */
export function loadServerSecret(dbPath: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  if (env.STEPWISE_SECRET) return Buffer.from(env.STEPWISE_SECRET, 'utf8');
  if (dbPath === ':memory:') return randomBytes(32);
  const file = `${dbPath}.secret`;
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32);
  writeFileSync(file, secret.toString('base64url'), { mode: 0o600, flag: 'wx' });
  return secret;
}
