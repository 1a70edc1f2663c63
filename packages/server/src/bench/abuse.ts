import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Replays the reliability review's attacks against a real server child process (`stepwise serve`)
 * and reports each outcome, the child's peak resident memory (VmHWM) and the longest time a
 * `/healthz` probe, sent every 25 ms throughout, waited for its answer.
 */

export interface AbuseOutcome {
  attack: string;
  /** What the server answered, e.g. `413 payload_too_large`, or `401 × 120`. */
  outcome: string;
  /** Whether that is the answer a hardened server gives. */
  ok: boolean;
  ms: number;
}

export interface AbuseReport {
  outcomes: AbuseOutcome[];
  baselineRssMiB: number;
  peakRssMiB: number;
  longestHealthzMs: number;
  healthzProbes: number;
  /** The server's answer to each probe was 200 (never a failure). */
  healthzFailures: number;
}

export const ABUSE_ATTACKS = [
  'nested-sync',
  'flat-sync',
  'nested-preview',
  'flat-preview',
  'under-cap-sync',
  'mcp-flat',
  'redos',
  'slow-bodies',
  'passwords',
  'huge-duration',
  'mcp-deep',
  'bad-escape',
] as const;
export type AbuseAttack = (typeof ABUSE_ATTACKS)[number];

/** The review's polynomial patterns and the character that makes each backtrack. */
export const REDOS_PATTERNS: Array<[string, string]> = [
  ['\\d*\\d*\\d*x', '1'],
  ['[a-z]+[a-z]+@x', 'a'],
  ['\\s*\\s*\\s*\\s*!', ' '],
  ['.*.*.*=', 'a'],
  ['\\w+\\d+\\w+#', '1'],
  ['[0-9]+-?[0-9]+-?[0-9]+z', '1'],
];

const BIN = fileURLToPath(new URL('../../bin/stepwise.js', import.meta.url));

/** `count` empty objects in one array nested `depth` arrays deep: `[[[…[{},{},…]…]]]`. */
export function emptyObjects(count: number, depth: number): string {
  return '['.repeat(depth) + Array(count).fill('{}').join(',') + ']'.repeat(depth);
}

/** A sync body whose one tool result is `value` (JSON text). */
export function syncWithResult(value: string): string {
  return `{"agent_name":"abuse","results":[{"scenario_id":"sc_abuse","user_message":"q","agent_response":"r","tools_called":[{"name":"t","parameters":{},"result":${value}}]}]}`;
}

/** A preview body whose trace has one tool call with `value` (JSON text) as its result. */
export function previewWithResult(value: string): string {
  const at = '2026-03-13T14:30:00Z';
  return `{"payload":{"scenario_id":"s","agent_name":"a","timestamp":"${at}","events":[{"type":"tool_call","timestamp":"${at}","data":{"tool":"t","parameters":{},"result":${value}}}]}}`;
}

interface Child {
  process: ChildProcess;
  url: string;
  port: number;
  ownerKey: string;
  stderr: string[];
}

async function startChild(dir: string, env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', join(dir, 'abuse.db'), '--no-demo'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr: string[] = [];
  return new Promise((resolvePromise, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${text}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`the server exited with ${code} before it listened:\n${text}`)));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      text += chunk;
      stderr.push(chunk);
      const url = /listening on (http:\/\/\S+)/.exec(text)?.[1];
      const key = /\n\s+(sw_\S+)/.exec(text)?.[1];
      if (url && key) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolvePromise({ process: child, url, port: Number(new URL(url).port), ownerKey: key, stderr });
      }
    });
  });
}

/** VmHWM (peak) or VmRSS (now) of a process, in MiB, from /proc (Linux). */
export function rssMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** Polls /healthz every 25 ms (one at a time) and keeps the longest wait. */
function healthzProbe(url: string): { stop: () => Promise<{ longest: number; probes: number; failures: number }> } {
  let running = true;
  let longest = 0;
  let probes = 0;
  let failures = 0;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const reply = await fetch(`${url}/healthz`);
        await reply.arrayBuffer();
        if (reply.status !== 200) failures++;
      } catch {
        failures++;
      }
      longest = Math.max(longest, performance.now() - started);
      probes++;
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { longest, probes, failures };
    },
  };
}

async function post(url: string, path: string, key: string | null, body: string): Promise<{ status: number; code: string; json: unknown }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  const reply = await fetch(`${url}${path}`, { method: 'POST', headers, body });
  const text = await reply.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  const code = (json as { error?: { code?: string } } | null)?.error?.code ?? '';
  return { status: reply.status, code, json };
}

/** Opens a raw connection, sends headers and `bytes` of body, and resolves with the status the server answers (0 if none). */
function withheldBody(port: number, path: string, key: string | null, declared: number, bytes: number): Promise<number> {
  return new Promise((resolvePromise) => {
    const socket = connectTcp(port, '127.0.0.1');
    let received = '';
    const auth = key ? `Authorization: Bearer ${key}\r\n` : '';
    socket.on('error', () => resolvePromise(Number(received.slice(9, 12)) || 0));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n')) {
        socket.destroy();
        resolvePromise(Number(received.slice(9, 12)));
      }
    });
    socket.on('close', () => resolvePromise(Number(received.slice(9, 12)) || 0));
    socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < bytes && !socket.destroyed) {
        const n = Math.min(chunk.length, bytes - sent);
        sent += n;
        if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

function tally(statuses: number[]): string {
  const counts = new Map<number, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([s, n]) => `${s === 0 ? 'closed' : s} × ${n}`)
    .join(', ');
}

/**
 * Starts a server child, replays `attacks` in order and stops it.
 *
 * @example const report = await runAbuse({ attacks: ['nested-sync', 'flat-sync'] });
 */
export async function runAbuse(options: { attacks?: readonly AbuseAttack[]; bodyTimeoutMs?: number } = {}): Promise<AbuseReport> {
  const attacks = new Set(options.attacks ?? ABUSE_ATTACKS);
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-abuse-'));
  const child = await startChild(dir, {
    STEPWISE_BODY_TIMEOUT_MS: String(options.bodyTimeoutMs ?? 5000),
    STEPWISE_SECRET: 'abuse-bench-secret',
  });
  const pid = child.process.pid!;
  const outcomes: AbuseOutcome[] = [];
  const { url, ownerKey } = child;
  const viewer = ((await post(url, '/api/v1/keys', ownerKey, JSON.stringify({ name: 'viewer', role: 'viewer' }))).json as { key: string })
    .key;
  const baselineRssMiB = rssMiB(pid, 'VmRSS');
  const probe = healthzProbe(url);
  let health: { longest: number; probes: number; failures: number };
  let peakRssMiB: number;

  const run = async (
    attack: string,
    expect: (o: { status: number; code: string; json: unknown }) => boolean,
    send: () => Promise<{ status: number; code: string; json: unknown }>,
  ) => {
    const started = performance.now();
    const answer = await send();
    outcomes.push({
      attack,
      outcome: `${answer.status}${answer.code ? ` ${answer.code}` : ''}`,
      ok: expect(answer),
      ms: performance.now() - started,
    });
  };
  const refused = (o: { status: number }) => o.status === 413;

  try {
    if (attacks.has('nested-sync')) {
      await run('sync, 12 MB: 4,000,000 {} nested 55 deep (owner key)', refused, () =>
        post(url, '/api/v1/sync', ownerKey, syncWithResult(emptyObjects(4_000_000, 50))),
      );
    }
    if (attacks.has('flat-sync')) {
      await run('sync, 20 MB: 6,990,000 {} in one array (owner key)', refused, () =>
        post(url, '/api/v1/sync', ownerKey, syncWithResult(emptyObjects(6_990_000, 1))),
      );
    }
    if (attacks.has('nested-preview')) {
      await run('privacy preview, 12 MB: 4,000,000 {} nested 55 deep (viewer key)', refused, () =>
        post(url, '/api/v1/privacy/preview', viewer, previewWithResult(emptyObjects(4_000_000, 50))),
      );
    }
    if (attacks.has('flat-preview')) {
      await run('privacy preview, 20 MB: 6,990,000 {} in one array (viewer key)', refused, () =>
        post(url, '/api/v1/privacy/preview', viewer, previewWithResult(emptyObjects(6_990_000, 1))),
      );
    }
    if (attacks.has('under-cap-sync')) {
      await run(
        'sync, 990,000 {} nested 55 deep (just under the container cap): stored, truncated',
        (o) => o.status === 201,
        () => post(url, '/api/v1/sync', ownerKey, syncWithResult(emptyObjects(990_000, 50))),
      );
    }
    if (attacks.has('mcp-flat')) {
      const body = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"sync_results","arguments":${syncWithResult(emptyObjects(6_990_000, 1))}}}`;
      await run('MCP sync_results, 20 MB: 6,990,000 {} in one array (owner key)', refused, async () => {
        const reply = await fetch(`${url}/mcp`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${ownerKey}`,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
          },
          body,
        });
        const text = await reply.text();
        return { status: reply.status, code: /\((\w+)\)/.exec(text)?.[1] ?? '', json: text };
      });
    }
    if (attacks.has('redos')) {
      for (const [pattern, char] of REDOS_PATTERNS) {
        const body = JSON.stringify({
          payload: { note: char.repeat(50_000) },
          settings: { custom_rules: [{ name: 'r', pattern, label: 'R' }] },
        });
        await run(
          `privacy preview with custom rule /${pattern}/ on 50,000 × "${char}" (viewer key)`,
          (o) => o.status === 200 || o.status === 400,
          () => post(url, '/api/v1/privacy/preview', viewer, body),
        );
      }
    }
    if (attacks.has('slow-bodies')) {
      const before = rssMiB(pid, 'VmHWM');
      let started = performance.now();
      const anonymous = await Promise.all(
        Array.from({ length: 120 }, () => withheldBody(child.port, '/api/v1/sync', null, 20 * 1024 * 1024, 20 * 1024 * 1024 - 1024)),
      );
      outcomes.push({
        attack: '120 anonymous connections declaring 20 MiB, withholding the last KiB',
        outcome: tally(anonymous),
        ok: anonymous.every((s) => s === 401),
        ms: performance.now() - started,
      });
      started = performance.now();
      const keyed = await Promise.all(
        Array.from({ length: 120 }, () => withheldBody(child.port, '/api/v1/sync', ownerKey, 20 * 1024 * 1024, 20 * 1024 * 1024 - 1024)),
      );
      outcomes.push({
        attack: `120 connections with a valid key declaring 20 MiB, withholding the last KiB (peak RSS before: ${Math.round(before)} MiB)`,
        outcome: tally(keyed),
        ok: keyed.every((s) => s === 503 || s === 408),
        ms: performance.now() - started,
      });
    }
    if (attacks.has('passwords')) {
      const email = 'victim@example.com';
      await post(
        url,
        '/api/v1/members',
        ownerKey,
        JSON.stringify({ name: 'Victim', email, password: 'a long enough password', role: 'viewer' }),
      );
      const started = performance.now();
      const statuses: number[] = [];
      for (let round = 0; round < 25; round++) {
        const batch = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            post(url, '/api/v1/auth/login', null, JSON.stringify({ email, password: `guess-${round}-${i}` })),
          ),
        );
        statuses.push(...batch.map((b) => b.status));
      }
      outcomes.push({
        attack: '500 wrong passwords for one account, 20 at a time',
        outcome: tally(statuses),
        ok: statuses.filter((s) => s === 401).length <= 30 && statuses.every((s) => s === 401 || s === 429),
        ms: performance.now() - started,
      });
    }
    if (attacks.has('huge-duration')) {
      const results = Array.from({ length: 1000 }, (_, i) => ({ scenario_id: `sc_${i}`, user_message: 'q', agent_response: 'r' }));
      const body = JSON.stringify({ agent_name: 'abuse', results }).replace(
        '"scenario_id":"sc_500"',
        '"scenario_id":"sc_500","duration_ms":1e308',
      );
      await run(
        '1,000-item sync, item 500 with duration_ms 1e308',
        (o) => o.status === 201 && (o.json as { synced: number }).synced === 999,
        () => post(url, '/api/v1/sync', ownerKey, body),
      );
    }
    if (attacks.has('mcp-deep')) {
      const deep = '{"d":'.repeat(10_000) + '0' + '}'.repeat(10_000);
      const body = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"sync_results","arguments":{"agent_name":"a","results":[{"scenario_id":"s","user_message":"q","agent_response":"r","metadata":${deep}}]}}}`;
      const started = performance.now();
      const reply = await fetch(`${url}/mcp`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ownerKey}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body,
      });
      const text = await reply.text();
      const code = /Error \((\w+)\)/.exec(text)?.[1] ?? 'no error code';
      outcomes.push({
        attack: 'MCP sync_results nested 10,000 deep',
        outcome: `${reply.status} ${code}`,
        ok: code === 'too_deep',
        ms: performance.now() - started,
      });
    }
    if (attacks.has('bad-escape')) {
      const started = performance.now();
      const reply = await fetch(`${url}/runs/%E0%A4%A`);
      await reply.arrayBuffer();
      outcomes.push({
        attack: 'dashboard path with a malformed % escape',
        outcome: String(reply.status),
        ok: reply.status === 400,
        ms: performance.now() - started,
      });
    }
  } finally {
    health = await probe.stop();
    peakRssMiB = rssMiB(pid, 'VmHWM');
    child.process.kill('SIGTERM');
    await new Promise((r) => child.process.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    outcomes,
    baselineRssMiB,
    peakRssMiB,
    longestHealthzMs: health.longest,
    healthzProbes: health.probes,
    healthzFailures: health.failures,
  };
}
