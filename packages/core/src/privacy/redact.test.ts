import { describe, expect, it } from 'vitest';
import { seedExamples } from '../../../../test-support/fixtures.js';
import { Trace } from '../trace/schema.js';
import type { TraceEvent } from '../trace/schema.js';
import { createRedactor, redactTrace, redactValue } from './redact.js';

const T = '2026-03-13T14:30:00.000Z';

function traceOf(events: Array<Pick<TraceEvent, 'type' | 'data'>>, metadata?: Record<string, unknown>): Trace {
  return Trace.parse({
    scenario_id: 'refund',
    agent_name: 'support-bot',
    timestamp: T,
    events: events.map((e) => ({ ...e, timestamp: T })),
    ...(metadata ? { metadata } : {}),
  });
}

function redactText(text: string): string {
  return createRedactor().redactText(text).text;
}

describe('redactTrace placeholders', () => {
  it('gives the same email the same placeholder in user input, tool parameters, result and response', () => {
    const trace = traceOf([
      { type: 'user_input', data: { message: 'My email is Ann.Lee@example.com, refund order 42' } },
      {
        type: 'tool_call',
        data: { tool: 'lookup_customer', parameters: { email: 'ann.lee@example.com' }, result: { id: 7, contact: 'ann.lee@example.com' } },
      },
      { type: 'agent_response', data: { message: 'Refund sent to Ann.Lee@example.com; cc bob@example.org' } },
    ]);
    const { trace: out, report } = redactTrace(trace);
    expect(out.events[0]?.data).toEqual({ message: 'My email is <EMAIL_1>, refund order 42' });
    expect(out.events[1]?.data).toMatchObject({ parameters: { email: '<EMAIL_1>' }, result: { id: 7, contact: '<EMAIL_1>' } });
    expect(out.events[2]?.data).toEqual({ message: 'Refund sent to <EMAIL_1>; cc <EMAIL_2>' });
    expect(report).toEqual({
      total: 5,
      counts: { email: 5 },
      distinct: { email: 2 },
      event_indexes: [0, 1, 2],
      trace_metadata: false,
    });
  });

  it('numbers each rule type separately in order of first appearance', () => {
    const text = redactText('call +1 415-555-0132, mail a@x.io, then b@y.io, IP 10.0.0.1, phone (212) 555-0100, a@x.io');
    expect(text).toBe('call <PHONE_1>, mail <EMAIL_1>, then <EMAIL_2>, IP <IP_1>, phone <PHONE_2>, <EMAIL_1>');
  });

  it('is idempotent: redacting redacted output changes nothing', () => {
    const trace = traceOf([
      { type: 'user_input', data: { message: 'SSN 536-32-3065, card 4111 1111 1111 1111, key sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z' } },
      { type: 'tool_call', data: { tool: 't', parameters: { password: 'hunter2', note: 'EMP_7 <EMAIL_9>' } } },
    ]);
    const once = redactTrace(trace, { custom_rules: [{ name: 'emp', pattern: '[A-Z]+_\\d+', label: 'EMP' }] });
    const twice = redactTrace(once.trace, { custom_rules: [{ name: 'emp', pattern: '[A-Z]+_\\d+', label: 'EMP' }] });
    expect(twice.trace).toEqual(once.trace);
    expect(twice.report.total).toBe(0);
  });

  it('continues numbering after placeholders already in the trace instead of reusing their numbers', () => {
    const trace = traceOf([
      { type: 'user_input', data: { message: 'Earlier: <EMAIL_1> and <EMAIL_2>' } },
      { type: 'agent_response', data: { message: 'New one: c@z.io' } },
    ]);
    expect(redactTrace(trace).trace.events[1]?.data).toEqual({ message: 'New one: <EMAIL_3>' });
  });
});

describe('redactTrace coverage', () => {
  it('scans every string leaf: reasoning, nested results, tool errors, metadata and custom events, and trace metadata', () => {
    const trace = traceOf(
      [
        { type: 'agent_reasoning', data: { text: 'User at 203.0.113.9 wants help' } },
        {
          type: 'tool_call',
          data: { tool: 'crm', parameters: { q: ['x', { deep: 'ann@x.io' }] }, result: [{ notes: ['ring +44 20 7946 0958'] }] },
        },
        { type: 'tool_error', data: { tool: 'pay', error_type: 'declined', message: 'card 5555555555554444 declined' } },
        { type: 'metadata', data: { model: 'gpt-4o', tokens: { input: 10 }, operator: 'ops@acme.io' } },
        { type: 'custom', data: { name: 'handoff', agent_email: 'lead@acme.io' } },
      ],
      { requester: 'boss@acme.io', build: 'v1.2.3.4' },
    );
    const { trace: out, report } = redactTrace(trace);
    const json = JSON.stringify(out);
    for (const value of ['203.0.113.9', 'ann@x.io', '7946 0958', '5555555555554444', 'ops@acme.io', 'lead@acme.io', 'boss@acme.io']) {
      expect(json).not.toContain(value);
    }
    expect(out.metadata).toEqual({ requester: '<EMAIL_4>', build: 'v1.2.3.4' });
    expect(report.event_indexes).toEqual([0, 1, 2, 3, 4]);
    expect(report.trace_metadata).toBe(true);
    expect(report.counts).toEqual({ ip: 1, email: 4, phone: 1, card: 1 });
  });

  it('redacts inside JSON-encoded string results and keeps them strings', () => {
    const result = JSON.stringify({ users: [{ email: 'ann@x.io', api_key: 12345, ok: true }] }, null, 2);
    const trace = traceOf([{ type: 'tool_call', data: { tool: 'db', parameters: {}, result } }]);
    const out = redactTrace(trace).trace.events[0]?.data as { result: string };
    expect(typeof out.result).toBe('string');
    expect(JSON.parse(out.result)).toEqual({ users: [{ email: '<EMAIL_1>', api_key: '<SECRET_1>', ok: true }] });
    expect(out.result).toContain('\n  "users"');
  });

  it('leaves a JSON-encoded string byte-for-byte alone when nothing in it is redacted', () => {
    const result = '{ "count": 3,   "items": [1, 2, 3] }';
    const trace = traceOf([{ type: 'tool_call', data: { tool: 'db', parameters: {}, result } }]);
    expect((redactTrace(trace).trace.events[0]?.data as { result: string }).result).toBe(result);
  });

  it('does not mutate the input trace and keeps object keys', () => {
    const trace = traceOf([{ type: 'tool_call', data: { tool: 't', parameters: { 'ann@x.io': 'ann@x.io' } } }]);
    const before = structuredClone(trace);
    const { trace: out } = redactTrace(trace);
    expect(trace).toEqual(before);
    expect((out.events[0]?.data as { parameters: object }).parameters).toEqual({ 'ann@x.io': '<EMAIL_1>' });
  });

  it('returns a trace that still validates, for the brief example', () => {
    const { trace } = seedExamples();
    const { trace: out } = redactTrace(Trace.parse(trace));
    expect(Trace.safeParse(out).success).toBe(true);
  });
});

describe('secret-looking keys', () => {
  it('replaces the whole value under secret keys, whatever its type, case-insensitively and with - or _ variants', () => {
    const { value, report } = redactValue({
      password: 'correct horse',
      'X-Api-Key': 'abc',
      headers: { Authorization: 'Basic dXNlcjpwYXNz', 'Set-Cookie': 'sid=1; HttpOnly', cookie: 'a=b' },
      client_secret: 42,
      credentials: { user: 'u', pass: 'p' },
      session: ['s1', 's2'],
      githubToken: 'x',
      private_key: 'k',
      access_key: 'ak',
      api_key: 'k2',
      apikey: 'k3',
      passwd: 'p2',
      secret: 's',
      token: 't',
    });
    for (const [k, v] of Object.entries(value)) {
      if (k === 'headers') continue;
      expect(v, k).toMatch(/^<SECRET_\d+>$/);
    }
    expect(Object.values(value.headers).every((v) => /^<SECRET_\d+>$/.test(v))).toBe(true);
    expect(report.counts.secret_key).toBe(16);
  });

  it('leaves token counts, booleans, nulls and empty strings alone', () => {
    const input = {
      tokens: { input: 10, output: 5 },
      max_tokens: 4096,
      token_count: 7,
      tokens_used: 9,
      is_secret: true,
      password: null,
      api_key: '',
      next_token: 'abc',
    };
    expect(redactValue(input).value).toEqual(input);
  });

  it('gives the same secret value the same placeholder', () => {
    const { value } = redactValue({ a: { password: 'pw1' }, b: { password: 'pw1' }, c: { password: 'pw2' } });
    expect(value).toEqual({ a: { password: '<SECRET_1>' }, b: { password: '<SECRET_1>' }, c: { password: '<SECRET_2>' } });
  });
});

describe('detectors in text', () => {
  it.each([
    ['email', 'write to jane.doe+x@mail.example.co.uk now', 'write to <EMAIL_1> now'],
    ['phone (intl)', 'ring +49 30 12345678 today', 'ring <PHONE_1> today'],
    ['phone (US)', 'phone (415) 555-0132.', 'phone <PHONE_1>.'],
    ['phone (FR)', 'appelez le 01 23 45 67 89', 'appelez le <PHONE_1>'],
    ['card with dashes', 'card 6011-1111-1111-1117 ok', 'card <CARD_1> ok'],
    ['IBAN with spaces', 'IBAN DE89 3704 0044 0532 0130 00 is mine', 'IBAN <IBAN_1> is mine'],
    ['SSN', 'ssn 536-32-3065', 'ssn <SSN_1>'],
    ['IPv4 with port', 'host 10.1.2.3:8080', 'host <IP_1>:8080'],
    ['IPv6', 'from 2001:db8::ff00:42:8329 via', 'from <IP_1> via'],
    ['JWT', 'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abc_DEF-123 end', 'jwt <JWT_1> end'],
    ['bearer', 'Authorization: Bearer 0a1b2c3d4e5f6a7b8c9d', 'Authorization: Bearer <TOKEN_1>'],
    ['AWS key id', 'id AKIAIOSFODNN7EXAMPLE.', 'id <API_KEY_1>.'],
    ['Anthropic key', 'sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-AbCdEf', '<API_KEY_1>'],
    ['Slack token', 'xoxb-2934857102-2938475610293-Ab1Cd2Ef3Gh4', '<API_KEY_1>'],
    ['Stripe key', 'sk_test_4eC39HqLyjWDarjtT1zdp7dc', '<API_KEY_1>'],
    ['Google key', 'key=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY&x=1', 'key=<API_KEY_1>&x=1'],
    ['Stepwise key', 'STEPWISE_API_KEY sw_3kT9xQ2mZp7LwR4vN8bY1c', 'STEPWISE_API_KEY <API_KEY_1>'],
    ['password assignment', 'DB_PASSWORD=hunter2! ok', 'DB_PASSWORD=<SECRET_1> ok'],
  ])('redacts %s', (_name, input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it('redacts a whole PEM private key block', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1c7\nq8Uex8QR3iy3\n-----END RSA PRIVATE KEY-----';
    expect(redactText(`key:\n${pem}\nthanks`)).toBe('key:\n<PRIVATE_KEY_1>\nthanks');
  });

  it('treats version strings as versions and bare dotted quads as addresses', () => {
    expect(redactText('v1.2.3.4, version 1.2.3.4, 1.2.3.4-beta, 10.0.19041.1, build 1.2.3.4+7')).toBe(
      'v1.2.3.4, version 1.2.3.4, 1.2.3.4-beta, 10.0.19041.1, build 1.2.3.4+7',
    );
    expect(redactText('peer 1.2.3.4 dropped')).toBe('peer <IP_1> dropped');
  });

  it('finds an address after a colon-separated time that is not one', () => {
    expect(redactText('at 10:30:00 from fe80::1 and ::1')).toBe('at 10:30:00 from <IP_1> and <IP_2>');
  });

  it('finds two phone numbers separated by blanks, and a card after a quantity', () => {
    expect(redactText('(200) 555-0100  (200) 555-0199')).toBe('<PHONE_1>  <PHONE_2>');
    expect(redactText('qty 12 4111 1111 1111 1111')).toBe('qty 12 <CARD_1>');
  });

  it('does not take an SSN with spaces for one without an SSN word, nor a sample SSN for a phone', () => {
    expect(redactText('Suite 680 36 4022 Oakridge')).toBe('Suite 680 36 4022 Oakridge');
    expect(redactText('SSN: 680 36 4022')).toBe('SSN: <SSN_1>');
    expect(redactText('sample 078-05-1120')).toBe('sample 078-05-1120');
  });

  it('leaves ids, timestamps, prices, flights, ports and hashes alone', () => {
    const text =
      'ORD-2024-000123 at 2024-03-15T14:30:00Z cost $1,299.00 on UA 1234 via localhost:8080, ' +
      'commit 9fceb02d0ae598e95dc970b74767f19372d61af8, id 550e8400-e29b-41d4-a716-446655440000, 1520 tokens';
    expect(redactText(text)).toBe(text);
  });
});

describe('configuration', () => {
  it('skips families that are switched off', () => {
    const r = createRedactor({ rules: { email: false } });
    expect(r.redactText('a@x.io 10.0.0.1').text).toBe('a@x.io <IP_1>');
  });

  it('applies custom rules with their own label', () => {
    const r = createRedactor({ custom_rules: [{ name: 'employee-id', pattern: 'EMP-\\d{6}', label: 'EMPLOYEE_ID' }] });
    const { value, report } = r.redactValue({ who: 'EMP-123456 and EMP-654321 and EMP-123456' });
    expect(value.who).toBe('<EMPLOYEE_ID_1> and <EMPLOYEE_ID_2> and <EMPLOYEE_ID_1>');
    expect(report.counts).toEqual({ 'employee-id': 3 });
  });

  it('never redacts allowlisted values or values matching an allowlist pattern', () => {
    const r = createRedactor({ allowlist: [{ value: 'support@acme.com' }, { pattern: '10\\.0\\.0\\.\\d+' }] });
    expect(r.redactText('mail support@acme.com or ann@x.io from 10.0.0.7 or 10.1.0.7').text).toBe(
      'mail support@acme.com or <EMAIL_1> from 10.0.0.7 or <IP_1>',
    );
    expect(r.redactValue({ password: 'support@acme.com' }).value).toEqual({ password: 'support@acme.com' });
  });

  it('rejects invalid settings when compiling a redactor', () => {
    expect(() => createRedactor({ custom_rules: [{ name: 'bad', pattern: '(a+)+', label: 'BAD' }] })).toThrow(/custom rule "bad"/);
  });
});
