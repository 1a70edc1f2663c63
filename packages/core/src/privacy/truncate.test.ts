import { describe, expect, it } from 'vitest';
import { Trace } from '../trace/schema.js';
import type { TraceEvent } from '../trace/schema.js';
import { redactTrace } from './redact.js';
import { jsonByteLength, truncateTrace, utf8Length, type TruncatedEvent } from './truncate.js';

const T = '2026-03-13T14:30:00.000Z';

function traceOf(events: Array<Pick<TraceEvent, 'type' | 'data'>>): Trace {
  return Trace.parse({ scenario_id: 's', agent_name: 'a', timestamp: T, events: events.map((e) => ({ ...e, timestamp: T })) });
}

describe('truncateTrace', () => {
  it('leaves events within the limit untouched and returns the same trace', () => {
    const trace = traceOf([{ type: 'user_input', data: { message: 'hi' } }]);
    const { trace: out, report } = truncateTrace(trace);
    expect(out).toBe(trace);
    expect(report.events).toEqual([]);
  });

  it('cuts the largest string leaves of an oversized event and marks it with original size and paths', () => {
    const content = 'x'.repeat(30_000);
    const trace = traceOf([
      {
        type: 'tool_call',
        data: {
          tool: 'search',
          parameters: { q: 'refund policy' },
          result: {
            articles: [
              { title: 'Refunds', content },
              { title: 'Other', content: 'short' },
            ],
          },
        },
      },
    ]);
    const { trace: out, report } = truncateTrace(trace, { maxEventBytes: 10_240 });
    const event = out.events[0] as TruncatedEvent;
    expect(jsonByteLength(event.data)).toBeLessThanOrEqual(10_240);
    expect(event.truncated).toEqual({ original_bytes: jsonByteLength(trace.events[0]?.data), paths: ['data.result.articles[0].content'] });
    const cut = (event.data as { result: { articles: Array<{ content: string }> } }).result.articles[0]?.content ?? '';
    expect(cut).toMatch(/^x+…\[truncated \d+ bytes\]$/);
    const removed = Number(/truncated (\d+) bytes/.exec(cut)?.[1]);
    expect(removed + cut.indexOf('…')).toBe(30_000);
    expect(event.data).toMatchObject({ tool: 'search', parameters: { q: 'refund policy' } });
    expect(report.events).toEqual([
      {
        index: 0,
        original_bytes: event.truncated?.original_bytes,
        final_bytes: jsonByteLength(event.data),
        paths: ['data.result.articles[0].content'],
      },
    ]);
    expect(Trace.safeParse(out).success).toBe(true);
  });

  it('keeps a head of an over-long array of small items and ends it with a marker', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ id: i, ok: true }));
    const trace = traceOf([{ type: 'tool_call', data: { tool: 'db', parameters: {}, result: { rows } } }]);
    const event = truncateTrace(trace, { maxEventBytes: 2048 }).trace.events[0] as TruncatedEvent;
    const kept = (event.data as { result: { rows: unknown[] } }).result.rows;
    expect(jsonByteLength(event.data)).toBeLessThanOrEqual(2048);
    expect(kept.length).toBeGreaterThan(10);
    expect(kept[0]).toEqual({ id: 0, ok: true });
    expect(kept[kept.length - 1]).toBe(`…[truncated ${5000 - (kept.length - 1)} items]`);
    expect(event.truncated?.paths).toEqual(['data.result.rows']);
  });

  it('stays within the limit when an array kept by a cut array must itself be cut', () => {
    const a = [Array.from({ length: 400 }, () => 11), Array.from({ length: 400 }, () => 22)];
    const trace = traceOf([{ type: 'tool_call', data: { tool: 't', parameters: { a } } }]);
    const event = truncateTrace(trace, { maxEventBytes: 1024 }).trace.events[0] as TruncatedEvent;
    expect(jsonByteLength(event.data)).toBeLessThanOrEqual(1024);
    expect(event.truncated?.paths).toEqual(['data.parameters.a', 'data.parameters.a[0]']);
  });

  it('replaces deep containers with a marker when strings and arrays are not enough', () => {
    const deep = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`k${i}`, { n: i }]));
    const trace = traceOf([{ type: 'tool_call', data: { tool: 'db', parameters: { q: 'x' }, result: { deep } } }]);
    const event = truncateTrace(trace, { maxEventBytes: 1024 }).trace.events[0] as TruncatedEvent;
    expect(jsonByteLength(event.data)).toBeLessThanOrEqual(1024);
    expect(event.data).toMatchObject({ tool: 'db', parameters: { q: 'x' } });
    expect(event.truncated?.paths).toContain('data.result.deep');
  });

  it('keeps the identifying fields and a head of the keys when data has thousands of keys', () => {
    const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`key_${i}`, 'v'.repeat(50)]));
    const trace = traceOf([{ type: 'custom', data: { ...many, name: 'bulk' } }]);
    const event = truncateTrace(trace, { maxEventBytes: 2048 }).trace.events[0] as TruncatedEvent;
    const data = event.data as Record<string, unknown>;
    expect(jsonByteLength(data)).toBeLessThanOrEqual(2048);
    expect(data.name).toBe('bulk');
    expect(data['…']).toMatch(/^\[truncated \d+ keys\]$/);
    expect(event.truncated?.paths).toContain('data');
    expect(Trace.safeParse(truncateTrace(trace, { maxEventBytes: 2048 }).trace).success).toBe(true);
  });

  it('keeps tool parameters an object when the parameters themselves have thousands of keys', () => {
    const parameters = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`p${i}`, i]));
    const trace = traceOf([{ type: 'tool_call', data: { tool: 'bulk_update', parameters } }]);
    const { trace: out } = truncateTrace(trace, { maxEventBytes: 1024 });
    const data = out.events[0]?.data as { tool: string; parameters: Record<string, unknown> };
    expect(jsonByteLength(data)).toBeLessThanOrEqual(1024);
    expect(data.tool).toBe('bulk_update');
    expect(data.parameters.p0).toBe(0);
    expect(data.parameters['…']).toMatch(/^\[truncated \d+ keys\]$/);
    expect(Trace.safeParse(out).success).toBe(true);
  });

  it('never splits a surrogate pair and measures the limit in UTF-8 bytes', () => {
    const emoji = '😀'.repeat(10_000); // 4 UTF-8 bytes each
    const trace = traceOf([{ type: 'agent_response', data: { message: emoji } }]);
    const event = truncateTrace(trace, { maxEventBytes: 4096 }).trace.events[0] as TruncatedEvent;
    const message = (event.data as { message: string }).message;
    expect(utf8Length(JSON.stringify(event.data))).toBeLessThanOrEqual(4096);
    const head = message.slice(0, message.indexOf('…'));
    expect(head.length % 2).toBe(0);
    expect(head).toBe('😀'.repeat(head.length / 2));
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(message)).toBe(false);
  });

  it('returns the JSON of every event it returns, cut or not, and measures data, not the whole event, at the limit', () => {
    const limit = 1000;
    // Data of exactly the limit in UTF-8 (two-byte characters), so the whole event is over it but data is not.
    const atLimit = { message: 'é'.repeat((limit - '{"message":""}'.length) / 2) };
    expect(jsonByteLength(atLimit)).toBe(limit);
    const trace = traceOf([
      { type: 'user_input', data: { message: 'hi' } },
      { type: 'agent_response', data: atLimit },
      { type: 'agent_response', data: { message: `${atLimit.message}é` } },
      { type: 'tool_call', data: { tool: 't', parameters: {}, result: 'x'.repeat(5000) } },
    ]);
    const { trace: out, report, eventsJson } = truncateTrace(trace, { maxEventBytes: limit });
    expect(report.events.map((e) => e.index)).toEqual([2, 3]);
    expect(out.events[1]).toBe(trace.events[1]);
    expect(eventsJson).toEqual(out.events.map((e) => JSON.stringify(e)));
  });

  it('does not mutate the input', () => {
    const trace = traceOf([{ type: 'agent_response', data: { message: 'y'.repeat(20_000) } }]);
    const before = structuredClone(trace);
    truncateTrace(trace);
    expect(trace).toEqual(before);
  });

  it('after redaction, leaves no fragment of a secret that sat on the cut boundary', () => {
    const secret = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z';
    const message = `${'a'.repeat(2000)} ${secret} ${'b'.repeat(3000)}`;
    const trace = traceOf([{ type: 'agent_response', data: { message } }]);
    const { trace: redacted } = redactTrace(trace);
    const { trace: out } = truncateTrace(redacted, { maxEventBytes: 2048 });
    const json = JSON.stringify(out);
    expect(json).not.toContain('sk-proj');
    expect(json).not.toContain('Ab3dEf6h');
  });
});

describe('jsonByteLength', () => {
  it('equals the UTF-8 size of JSON.stringify for any JSON value, including escapes and lone surrogates', async () => {
    const fc = await import('fast-check');
    const encoder = new TextEncoder();
    const samples: unknown[] = [
      '"\\\n\t\u0001\u007f',
      'é€😀',
      '\ud800 lone',
      '\udc00',
      { a: undefined, b: [undefined, 1.5e300, -0, NaN] },
      [],
      {},
    ];
    for (const value of samples) expect(jsonByteLength(value)).toBe(encoder.encode(JSON.stringify(value)).length);
    fc.assert(
      fc.property(fc.jsonValue(), (value) => jsonByteLength(value) === encoder.encode(JSON.stringify(value)).length),
      { numRuns: 500 },
    );
  });
});
