import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createStepwiseMcpServer } from '../src/mcp/mcp-server.js';
import { LocalBackend } from '../src/client/local-backend.js';
import { makeTestApp, type TestApp } from './support/app.js';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../dist/bin.js');

// Values that must never reach the database, one of each kind the brief and DESIGN name.
const SECRETS = {
  email: 'ann.lindqvist@example.org',
  phone: '+1 415-555-0132',
  card: '4111 1111 1111 1111',
  iban: 'DE89370400440532013000',
  ssn: '536-22-1234',
  ipv4: '203.0.113.77',
  ipv6: '2001:db8:85a3::8a2e:370:7334',
  jwt: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkFubiJ9.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  aws: 'AKIAIOSFODNN7EXAMPLQ',
  github: 'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
  openai: 'sk-proj-Zq3vX9mK2pL8nR4tW6yB1cD5fG7hJ0kM',
  password: 'correct-horse-battery-staple-42',
};

function piiResult(scenario: string) {
  return {
    scenario_id: scenario,
    user_message: `Hi, I'm ${SECRETS.email}, call me on ${SECRETS.phone}. My card ${SECRETS.card} was charged twice.`,
    agent_response: `I emailed ${SECRETS.email} and refunded the card ending 1111 to IBAN ${SECRETS.iban}.`,
    notes: `reporter ${SECRETS.email}`,
    tools_called: [
      {
        name: 'lookup_customer',
        parameters: { email: SECRETS.email, ssn: SECRETS.ssn },
        result: { ip: SECRETS.ipv4, last_login_ip: SECRETS.ipv6, session: SECRETS.jwt },
      },
      {
        name: 'call_api',
        parameters: { headers: { Authorization: `Bearer ${SECRETS.jwt}` }, aws_key: SECRETS.aws },
        result: JSON.stringify({ token: SECRETS.github, key: SECRETS.openai }),
      },
      { name: 'login', parameters: { user: 'ann', password: SECRETS.password }, result: { ok: true } },
    ],
    expected: { tools: [{ name: 'lookup_customer', parameters: { email: SECRETS.email } }] },
    passed: true,
  };
}

function piiTrace(id: string) {
  return {
    trace_id: id,
    scenario_id: 'sc_pii_trace',
    agent_name: 'support',
    timestamp: '2026-03-13T14:30:00Z',
    metadata: { customer_email: SECRETS.email },
    events: [
      { type: 'user_input', timestamp: '2026-03-13T14:30:00Z', data: { message: `My SSN is ${SECRETS.ssn} and my IBAN ${SECRETS.iban}` } },
      {
        type: 'agent_reasoning',
        timestamp: '2026-03-13T14:30:01Z',
        data: { text: `The user ${SECRETS.email} logged in from ${SECRETS.ipv4}` },
      },
      { type: 'custom', timestamp: '2026-03-13T14:30:02Z', data: { name: 'audit', api_key: SECRETS.openai, phone: SECRETS.phone } },
      { type: 'agent_response', timestamp: '2026-03-13T14:30:03Z', data: { message: `Done, ${SECRETS.card} was refunded.` } },
    ],
  };
}

async function leaked(app: TestApp): Promise<string[]> {
  const found: string[] = [];
  for (const [kind, value] of Object.entries(SECRETS)) if (await app.storageContains(value)) found.push(kind);
  return found;
}

let t: TestApp;
afterEach(async () => {
  await t.close();
});

describe('privacy at ingest: no raw value reaches the database file', () => {
  it('through POST /api/v1/sync with results as an array and as a JSON string', async () => {
    t = await makeTestApp();
    expect((await t.post('/api/v1/sync', { agent_name: 'support', results: [piiResult('sc_a')] })).status).toBe(201);
    expect((await t.post('/api/v1/sync', { agent_name: 'support', results: JSON.stringify([piiResult('sc_b')]) })).status).toBe(201);
    expect(await leaked(t)).toEqual([]);
  });

  it('through POST /api/v1/traces', async () => {
    t = await makeTestApp();
    expect((await t.post('/api/v1/traces', piiTrace('tr_pii'))).status).toBe(201);
    expect(await leaked(t)).toEqual([]);
    const stored = (await (await t.get('/api/v1/traces/tr_pii')).json()) as {
      trace: { metadata: Record<string, string> };
      redaction: { counts: Record<string, number> };
    };
    expect(stored.trace.metadata.customer_email).toBe('<EMAIL_1>');
    expect(stored.redaction.counts.email).toBeGreaterThan(0);
    expect(JSON.stringify(stored.redaction)).not.toContain(SECRETS.email);
  });

  it('through the MCP sync tool', async () => {
    t = await makeTestApp();
    const server = createStepwiseMcpServer({
      backend: new LocalBackend({ store: t.runtime.store, pipeline: t.runtime.pipeline, workspaceId: 'ws_default' }),
      role: 'member',
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'privacy-test', version: '1.0.0' });
    await client.connect(clientSide);
    const reply = await client.callTool({
      name: 'invarium_sync_results',
      arguments: { agent_name: 'support', results: JSON.stringify([piiResult('sc_mcp')]) },
    });
    expect(reply.isError).toBeFalsy();
    await client.close();
    expect(await t.runtime.store.countTraces('ws_default')).toBe(1);
    expect(await leaked(t)).toEqual([]);
  });

  it('through stepwise sync on a database file', async () => {
    t = await makeTestApp();
    const file = join(tmpdir(), `stepwise-sync-${process.pid}-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify({ agent_name: 'support', results: [piiResult('sc_cli')] }));
    await t.runtime.close();
    await run(process.execPath, [BIN, 'sync', file, '--db', t.dbPath, '--json'], {
      env: { ...process.env, STEPWISE_SECRET: 'test-secret' },
    });
    rmSync(file);
    expect(await leaked(t)).toEqual([]);
  });
});

describe('redacted traces stay useful', () => {
  it('gives the same placeholder to the same email in the input, the parameters, the response and the expectations', async () => {
    t = await makeTestApp();
    const reply = (await (await t.post('/api/v1/sync', { agent_name: 'support', results: [piiResult('sc_same')] })).json()) as {
      trace_ids: string[];
    };
    const stored = (await (await t.get(`/api/v1/traces/${reply.trace_ids[0]}`)).json()) as any;
    const events = stored.trace.events;
    expect(events[0].data.message).toContain('<EMAIL_1>');
    expect(events[1].data.parameters.email).toBe('<EMAIL_1>');
    expect(events.at(-1).data.message).toContain('<EMAIL_1>');
    expect(stored.expected.tools[0].parameters.email).toBe('<EMAIL_1>');
    expect(stored.notes).toBe('reporter <EMAIL_1>');
    // The expected parameter still matches the actual one after redaction.
    expect(stored.evaluation.checks).toEqual([]);
  });
});

describe('per-workspace privacy settings', () => {
  it('change what is redacted for that workspace only', async () => {
    t = await makeTestApp();
    await t.runtime.store.ensureWorkspace('ws_other', 'Other');
    const { key: otherKey } = await t.runtime.access.createApiKey('ws_other', { name: 'other', role: 'owner' }, 'test');
    const put = await t.app.request('/api/v1/settings/privacy', {
      method: 'PUT',
      headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        rules: { phone: false },
        allowlist: [{ value: 'support@acme.example' }],
        custom_rules: [{ name: 'employee_id', pattern: 'EMP-\\d{6}', label: 'EMPLOYEE_ID' }],
      }),
    });
    expect(put.status).toBe(200);
    const result = {
      scenario_id: 's',
      user_message: `Call ${SECRETS.phone}, write support@acme.example, badge EMP-123456`,
      agent_response: 'ok',
    };
    const mine = (await (await t.post('/api/v1/sync', { agent_name: 'a', results: [result] })).json()) as { trace_ids: string[] };
    const theirs = (await (
      await t.post('/api/v1/sync', { agent_name: 'a', results: [result] }, { authorization: `Bearer ${otherKey}` })
    ).json()) as { trace_ids: string[] };
    const mineText = ((await (await t.get(`/api/v1/traces/${mine.trace_ids[0]}`)).json()) as any).trace.events[0].data.message;
    const theirsText = (
      (await (await t.get(`/api/v1/traces/${theirs.trace_ids[0]}`, { authorization: `Bearer ${otherKey}` })).json()) as any
    ).trace.events[0].data.message;
    expect(mineText).toBe(`Call ${SECRETS.phone}, write support@acme.example, badge <EMPLOYEE_ID_1>`);
    expect(theirsText).toBe('Call <PHONE_1>, write <EMAIL_1>, badge EMP-123456');
  });

  it('refuse a malformed or catastrophic custom rule with the path', async () => {
    t = await makeTestApp();
    for (const pattern of ['(unclosed', '(a+)+$']) {
      const response = await t.app.request('/api/v1/settings/privacy', {
        method: 'PUT',
        headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ custom_rules: [{ name: 'bad', pattern, label: 'BAD' }] }),
      });
      expect(response.status).toBe(400);
      const error = ((await response.json()) as any).error;
      expect(error.details.issues[0].path).toBe('custom_rules[0].pattern');
    }
    expect(((await (await t.get('/api/v1/settings/privacy')).json()) as any).custom_rules).toEqual([]);
  });

  it('preview what a payload becomes without storing it', async () => {
    t = await makeTestApp();
    const preview = (await (
      await t.post('/api/v1/privacy/preview', { payload: { to: SECRETS.email, note: `card ${SECRETS.card}` } })
    ).json()) as any;
    expect(preview.redacted).toEqual({ to: '<EMAIL_1>', note: 'card <CARD_1>' });
    expect(preview.report.counts).toMatchObject({ email: 1, card: 1 });
    const draft = (await (
      await t.post('/api/v1/privacy/preview', { payload: { to: SECRETS.email }, settings: { rules: { email: false } } })
    ).json()) as any;
    expect(draft.redacted).toEqual({ to: SECRETS.email });
    expect(await t.runtime.store.countTraces('ws_default')).toBe(0);
  });
});

describe('privacy from the CLI', () => {
  it('stepwise redact shows what a payload becomes; stepwise privacy set refuses a catastrophic rule', async () => {
    t = await makeTestApp();
    await t.runtime.close();
    const env = { ...process.env, STEPWISE_SECRET: 'test-secret' };
    const payload = join(tmpdir(), `stepwise-payload-${process.pid}-${Date.now()}.json`);
    writeFileSync(payload, JSON.stringify({ to: SECRETS.email, key: SECRETS.aws }));
    const redacted = await run(process.execPath, [BIN, 'redact', payload, '--db', t.dbPath], { env });
    expect(JSON.parse(redacted.stdout)).toEqual({ to: '<EMAIL_1>', key: '<API_KEY_1>' });
    expect(redacted.stderr).not.toContain(SECRETS.email);
    const bad = join(tmpdir(), `stepwise-settings-${process.pid}-${Date.now()}.json`);
    writeFileSync(bad, JSON.stringify({ custom_rules: [{ name: 'x', pattern: '(a+)+', label: 'X' }] }));
    const refused = await run(process.execPath, [BIN, 'privacy', 'set', bad, '--db', t.dbPath], { env }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((refused as { code: number }).code).toBe(2);
    expect((refused as { stderr: string }).stderr).toContain('custom_rules[0].pattern');
    rmSync(payload);
    rmSync(bad);
  });
});
