import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from './support/app.js';

// Property-based fuzzing of every body that reaches the ingest pipeline: sync, traces, privacy
// preview and MCP sync_results. Valid bodies are mutated at random paths with hostile values
// (huge numbers, lone surrogates, deep nesting, wrong types, `__proto__`), or cut into invalid
// JSON. Whatever arrives: never a 5xx, and the store grows by exactly what the reply says was
// stored (nothing when the request is refused, nothing ever for a preview).

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => {
  await t.close();
});

const AT = '2026-03-13T14:30:00Z';

function syncBody(): Record<string, unknown> {
  return {
    agent_name: 'fuzz',
    results: [
      {
        scenario_id: 'sc_fuzz',
        user_message: 'what is the refund policy?',
        agent_response: 'refunds within 14 days',
        tools_called: [{ name: 'search', parameters: { q: 'refund' }, result: { articles: [{ title: 'Refunds' }] }, duration_ms: 120 }],
        duration_ms: 900,
        passed: true,
      },
      { scenario_id: 'sc_other', user_message: 'hi', agent_response: 'hello' },
    ],
  };
}

function traceBody(): Record<string, unknown> {
  return {
    scenario_id: 'sc_trace',
    agent_name: 'fuzz',
    timestamp: AT,
    duration_ms: 50,
    events: [
      { type: 'user_input', timestamp: AT, data: { message: 'hi' } },
      { type: 'tool_call', timestamp: AT, data: { tool: 'search', parameters: { q: 'x' }, result: { n: 1 }, duration_ms: 5 } },
      { type: 'agent_response', timestamp: AT, data: { message: 'done' } },
    ],
  };
}

const PATHS = {
  sync: [
    ['agent_name'],
    ['results'],
    ['results', 0],
    ['results', 0, 'scenario_id'],
    ['results', 0, 'user_message'],
    ['results', 0, 'tools_called'],
    ['results', 0, 'tools_called', 0, 'name'],
    ['results', 0, 'tools_called', 0, 'parameters'],
    ['results', 0, 'tools_called', 0, 'duration_ms'],
    ['results', 0, 'duration_ms'],
    ['results', 0, 'timestamp'],
    ['results', 0, 'trace'],
    ['results', 0, 'expected'],
    ['results', 0, 'tokens'],
    ['results', 0, 'metadata'],
    ['results', 1, 'scenario_id'],
    ['test_run_id'],
    ['create_empty'],
    ['name'],
  ],
  trace: [
    ['scenario_id'],
    ['agent_name'],
    ['timestamp'],
    ['duration_ms'],
    ['events'],
    ['events', 0],
    ['events', 0, 'type'],
    ['events', 1, 'data'],
    ['events', 1, 'data', 'duration_ms'],
    ['events', 1, 'data', 'parameters'],
    ['events', 2, 'timestamp'],
    ['metadata'],
    ['trace_id'],
  ],
  settings: [['custom_rules'], ['custom_rules', 0, 'pattern'], ['custom_rules', 0, 'flags'], ['allowlist'], ['max_event_bytes'], ['rules']],
} satisfies Record<string, Array<Array<string | number>>>;

/** Nested `{ d: … }` or `[…]` values up to 80 levels (the limit is 64). */
const deep = fc.tuple(fc.integer({ min: 1, max: 80 }), fc.boolean()).map(([n, arrays]) => {
  let v: unknown = 'leaf';
  for (let i = 0; i < n; i++) v = arrays ? [v] : { d: v };
  return v;
});

const hostile = fc.oneof(
  { arbitrary: fc.constantFrom(1e20, 1e308, Number.MAX_SAFE_INTEGER + 2, 8.64e15, 1e12 + 1, -1, -0, 0.5), weight: 3 },
  { arbitrary: fc.constantFrom('', 'agent-\ud83d', '\udc00', '__proto__', 'x'.repeat(600), null, [], {}, true), weight: 2 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 1 },
  { arbitrary: fc.constantFrom('(a+)+$', '\\d*\\d*\\d*x', '[', '(?<=a)b', '.*', 'EMP-\\d{6}'), weight: 1 },
  { arbitrary: deep, weight: 1 },
);

function setAt(root: Record<string, unknown>, path: ReadonlyArray<string | number>, value: unknown): void {
  let node: unknown = root;
  for (let i = 0; i < path.length - 1; i++) {
    const next = (node as Record<string | number, unknown>)[path[i]!];
    if (next === null || typeof next !== 'object') return;
    node = next;
  }
  (node as Record<string | number, unknown>)[path[path.length - 1]!] = value;
}

/** A body built by `make`, edited at 1–3 random paths, serialized; sometimes cut or spiked into invalid JSON. */
function mutated(make: () => Record<string, unknown>, paths: ReadonlyArray<ReadonlyArray<string | number>>): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.constantFrom(...paths), hostile);
  return fc
    .tuple(fc.array(edit, { minLength: 1, maxLength: 3 }), fc.constantFrom('json', 'json', 'json', 'json', 'cut', 'proto'), fc.nat())
    .map(([edits, mode, cut]) => {
      const body = make();
      for (const [path, value] of edits) setAt(body, path, structuredClone(value));
      const text = JSON.stringify(body);
      if (mode === 'cut') return text.slice(0, cut % Math.max(1, text.length));
      if (mode === 'proto') return text.replace('"fuzz"', '"fuzz","__proto__":{"polluted":1}');
      return text;
    });
}

async function traces(): Promise<number> {
  return t.runtime.store.countTraces('ws_default');
}

async function send(path: string, body: string): Promise<{ status: number; json: unknown }> {
  const reply = await t.app.request(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body,
  });
  const text = await reply.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: reply.status, json };
}

const RUNS = 250;

describe('fuzzed bodies', () => {
  it('sync: never 5xx, and the store grows by exactly the synced count', async () => {
    await fc.assert(
      fc.asyncProperty(mutated(syncBody, PATHS.sync), async (body) => {
        const before = await traces();
        const reply = await send('/api/v1/sync', body);
        expect(reply.status, body.slice(0, 300)).toBeLessThan(500);
        const synced = reply.status < 300 ? (reply.json as { synced: number }).synced : 0;
        expect(await traces()).toBe(before + synced);
      }),
      { numRuns: RUNS },
    );
  });

  it('traces: never 5xx, and the store grows by exactly the stored count', async () => {
    const body = fc.oneof(
      mutated(traceBody, PATHS.trace),
      mutated(traceBody, PATHS.trace).map((one) => (one.startsWith('{') ? `[${one},${JSON.stringify(traceBody())}]` : one)),
    );
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const before = await traces();
        const reply = await send('/api/v1/traces', text);
        expect(reply.status, text.slice(0, 300)).toBeLessThan(500);
        const stored = reply.status < 300 ? (reply.json as { stored: number }).stored : 0;
        expect(await traces()).toBe(before + stored);
      }),
      { numRuns: RUNS },
    );
  });

  it('privacy preview: never 5xx, and nothing is stored', async () => {
    const settings = () => ({ custom_rules: [{ name: 'emp', pattern: 'EMP-\\d{6}', label: 'EMP' }], allowlist: [{ value: 'a@b.io' }] });
    const body = fc.oneof(
      mutated(() => ({ payload: traceBody() }), [['payload'], ...PATHS.trace.map((p) => ['payload', ...p])]),
      mutated(
        () => ({ payload: { note: 'mail ann@example.com' }, settings: settings() }),
        [['payload'], ['settings'], ...PATHS.settings.map((p) => ['settings', ...p])],
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const before = await traces();
        const reply = await send('/api/v1/privacy/preview', text);
        expect(reply.status, text.slice(0, 300)).toBeLessThan(500);
        expect(await traces()).toBe(before);
      }),
      { numRuns: RUNS },
    );
  });

  it('MCP sync_results: never 5xx or an internal error, and the store grows by exactly the synced count', async () => {
    await fc.assert(
      fc.asyncProperty(mutated(syncBody, PATHS.sync), async (args) => {
        const before = await traces();
        const rpc = args.startsWith('{') && args.endsWith('}') ? args : JSON.stringify(args);
        const body = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"sync_results","arguments":${rpc}}}`;
        const reply = await send('/mcp', body);
        expect(reply.status, args.slice(0, 300)).toBeLessThan(500);
        const result = (
          reply.json as { result?: { isError?: boolean; structuredContent?: { synced?: number }; content?: Array<{ text: string }> } }
        ).result;
        const text = result?.content?.map((c) => c.text).join('\n') ?? '';
        expect(text, args.slice(0, 300)).not.toMatch(/internal|failed to handle/i);
        const synced = result && !result.isError ? (result.structuredContent?.synced ?? 0) : 0;
        expect(await traces()).toBe(before + synced);
      }),
      { numRuns: RUNS },
    );
  });
});
