import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Trace, TraceEvent } from '../trace/schema.js';
import { createRedactor } from './redact.js';
import { jsonByteLength, truncateTrace } from './truncate.js';

const T = '2026-03-13T14:30:00.000Z';
const redactor = createRedactor();

// ----- generators of values that must never survive redaction ------------------------------------

const lower = 'abcdefghijklmnopqrstuvwxyz';
const digits = '0123456789';
const base62 = `${lower}${lower.toUpperCase()}${digits}`;
const chars = (alphabet: string, min: number, max: number) =>
  fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((a) => a.join(''));

const email = fc
  .tuple(
    chars(`${lower}${digits}`, 1, 12),
    fc.option(chars(`${lower}${digits}`, 1, 8), { nil: undefined }),
    chars(lower, 1, 10),
    fc.constantFrom('com', 'io', 'de', 'co.uk', 'org'),
  )
  .map(([a, b, domain, tld]) => `${a}${b ? `.${b}` : ''}@${domain}.${tld}`);

function luhnDigit(body: string): string {
  for (let d = 0; d <= 9; d++) {
    const n = body + String(d);
    let sum = 0;
    for (let i = n.length - 1, dbl = false; i >= 0; i--, dbl = !dbl) {
      let x = Number(n[i]);
      if (dbl) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
      sum += x;
    }
    if (sum % 10 === 0) return String(d);
  }
  return '0';
}

const card = fc
  .tuple(fc.constantFrom('4', '51', '55', '2221', '6011'), chars(digits, 14, 14), fc.constantFrom('', ' ', '-'))
  .map(([prefix, rest, sep]) => {
    const body = (prefix + rest).slice(0, 15);
    const number = body + luhnDigit(body);
    return sep === '' ? number : (number.match(/.{4}/g) ?? []).join(sep);
  });

function ibanCheck(country: string, bban: string): string {
  const rearranged = `${bban}${country}00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rem = 0;
  for (const ch of rearranged) rem = (rem * 10 + Number(ch)) % 97;
  return String(98 - rem).padStart(2, '0');
}
const iban = chars(digits, 18, 18).map((bban) => `DE${ibanCheck('DE', bban)}${bban}`);

const ssn = fc
  .tuple(
    fc.integer({ min: 1, max: 899 }).filter((a) => a !== 666),
    fc.integer({ min: 1, max: 99 }),
    fc.integer({ min: 1, max: 9999 }),
  )
  .filter(([a, g, s]) => !['078-05-1120', '219-09-9999', '457-55-5462'].includes(`${a}-${g}-${s}`))
  .map(([a, g, s]) => `${String(a).padStart(3, '0')}-${String(g).padStart(2, '0')}-${String(s).padStart(4, '0')}`);

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const usPhone = fc
  .tuple(fc.integer({ min: 200, max: 999 }), fc.integer({ min: 200, max: 999 }), fc.integer({ min: 0, max: 9999 }), fc.boolean())
  .map(([a, b, c, intl]) => `${intl ? '+1 ' : ''}(${a}) ${b}-${String(c).padStart(4, '0')}`);
const mixed = (len: number) => chars(base62, len, len).filter((s) => /\d/.test(s) && /[a-z]/.test(s) && /[A-Z]/.test(s));
const apiKey = fc.oneof(
  mixed(32).map((s) => `sk-proj-${s}`),
  mixed(24).map((s) => `sw_${s}`),
  chars(`${lower.toUpperCase()}${digits}`, 16, 16).map((s) => `AKIA${s}`),
  mixed(36).map((s) => `ghp_${s}`),
);

const sensitive = fc.oneof(email, card, iban, ssn, ipv4, usPhone, apiKey);
// Words that turn a following dotted quad into a version number by design (see the ip detector).
const VERSION_WORDS = new Set([
  'version',
  'ver',
  'release',
  'build',
  'firmware',
  'kernel',
  'chrome',
  'safari',
  'firefox',
  'node',
  'python',
]);
const word = chars(lower, 1, 10).filter((w) => !VERSION_WORDS.has(w));
const separator = fc.constantFrom(' ', '\n', ', ', ': ', ' (', ') ', ' "', '" ');
/** Prose with sensitive values embedded at word boundaries, and the values that were embedded. */
const seededText = fc
  .array(fc.tuple(fc.array(word, { maxLength: 6 }), separator, fc.option(sensitive, { nil: undefined }), separator), {
    minLength: 1,
    maxLength: 5,
  })
  .map((parts) => {
    const values: string[] = [];
    let text = '';
    for (const [words, before, value, after] of parts) {
      text += words.join(' ') + before;
      if (value !== undefined) {
        values.push(value);
        text += value;
      }
      text += after;
    }
    return { text, values };
  });

function traceWith(texts: string[], secrets: string[]): Trace {
  const events: TraceEvent[] = [
    { type: 'user_input', timestamp: T, data: { message: texts[0] ?? '' } },
    {
      type: 'tool_call',
      timestamp: T,
      data: {
        tool: 'crm',
        parameters: { query: texts[1] ?? '', auth: { password: secrets[0] ?? 'x' } },
        result: JSON.stringify({ rows: [{ note: texts[2] ?? '' }], api_key: secrets[1] ?? 'y' }),
      },
    },
    { type: 'agent_response', timestamp: T, data: { message: texts[3] ?? '' } },
  ];
  return { scenario_id: 's', agent_name: 'a', timestamp: T, events, metadata: { note: texts[4] ?? '' } };
}

const seededTrace = fc
  .tuple(
    fc.array(seededText, { minLength: 5, maxLength: 5 }),
    fc.array(
      chars(`${lower}${digits}`, 12, 20).map((s) => `pw-${s}`),
      { minLength: 2, maxLength: 2 },
    ),
  )
  .map(([texts, secrets]) => ({
    trace: traceWith(
      texts.map((t) => t.text),
      secrets,
    ),
    values: [...texts.flatMap((t) => t.values), ...secrets],
  }));

// A lone surrogate means a pair was split (or was lone in the input).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function everyString(value: unknown, test: (s: string) => boolean): boolean {
  if (typeof value === 'string') return test(value);
  if (Array.isArray(value)) return value.every((v) => everyString(v, test));
  if (typeof value === 'object' && value !== null) return Object.values(value).every((v) => everyString(v, test));
  return true;
}

describe('redaction properties', () => {
  it('is idempotent on traces seeded with PII and secrets', () => {
    fc.assert(
      fc.property(seededTrace, ({ trace }) => {
        const once = redactor.redactTrace(trace);
        const twice = redactor.redactTrace(once.trace);
        expect(twice.trace).toEqual(once.trace);
        expect(twice.report.total).toBe(0);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it('leaves no seeded email, card, IBAN, SSN, IP, phone, API key or secret-key value anywhere in the trace', () => {
    fc.assert(
      fc.property(seededTrace, ({ trace, values }) => {
        const json = JSON.stringify(redactor.redactTrace(trace).trace);
        for (const value of values) {
          expect(json).not.toContain(value);
          const compact = value.replace(/[ -]/g, '');
          if (/^\d{13,}$/.test(compact)) expect(json).not.toContain(compact);
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });
});

describe('truncation properties', () => {
  const bigString = fc
    .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 400 }))
    .map(([s, n]) => s.repeat(n));
  const data = fc.dictionary(
    fc.string({ minLength: 1, maxLength: 8 }),
    fc.oneof(bigString, fc.array(fc.oneof(bigString, fc.integer(), fc.constant(null)), { maxLength: 60 }), fc.jsonValue({ maxDepth: 3 })),
    { maxKeys: 6 },
  );

  it('keeps every event valid JSON within the limit, with surrogate pairs intact', () => {
    fc.assert(
      fc.property(data, fc.integer({ min: 1024, max: 6000 }), (payload, limit) => {
        const trace: Trace = {
          scenario_id: 's',
          agent_name: 'a',
          timestamp: T,
          events: [{ type: 'custom', timestamp: T, data: { ...payload, name: 'blob' } }],
        };
        const { trace: out } = truncateTrace(trace, { maxEventBytes: limit });
        const event = out.events[0];
        expect(event).toBeDefined();
        if (!event) return;
        expect(jsonByteLength(event.data)).toBeLessThanOrEqual(limit);
        const json = JSON.stringify(event.data);
        expect(JSON.stringify(JSON.parse(json))).toBe(json);
        expect(everyString(event.data, (s) => !LONE_SURROGATE.test(s))).toBe(true);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 200) },
    );
  });

  it('never crashes redact + truncate on arbitrary JSON in event data', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        const trace: Trace = {
          scenario_id: 's',
          agent_name: 'a',
          timestamp: T,
          events: [
            { type: 'tool_call', timestamp: T, data: { tool: 't', parameters: { a }, result: b } },
            { type: 'custom', timestamp: T, data: { name: 'x', payload: a, encoded: JSON.stringify(b) ?? 'null' } },
          ],
          metadata: { b },
        };
        const { trace: redacted } = redactor.redactTrace(trace);
        const { trace: out } = truncateTrace(redacted, { maxEventBytes: 1024 });
        for (const event of out.events) expect(jsonByteLength(event.data)).toBeLessThanOrEqual(1024);
        expect(redactor.redactTrace(redacted).report.total).toBe(0);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });
});
