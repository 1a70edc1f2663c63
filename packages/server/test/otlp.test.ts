import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { context, trace, SpanStatusCode, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/config.js';
import { startServer, type RunningServer } from '../src/server.js';
import { DEFAULT_WORKSPACE_ID } from '../src/store/trace-store.js';
import { readOtlpTraces } from '@stepwise/core';
import { OtlpAssembler } from '../src/otlp/assembler.js';
import { decodeExportRequest, encodeExportResponse } from '../src/otlp/proto.js';

const FIXTURES = resolve(import.meta.dirname, '../../../fixtures/otlp');
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, unknown>;

let server: RunningServer;
let dir: string;
let key: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-otlp-'));
  server = await startServer({ ...defaultConfig(), host: '127.0.0.1', port: 0, dbPath: join(dir, 'stepwise.db'), demo: false }, () => {});
  key = server.firstApiKey!;
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

interface StoredEvent {
  type: string;
  data: Record<string, unknown>;
  id?: string;
  parent_id?: string;
}
interface Detail {
  trace: { events: StoredEvent[]; run_id?: string; metadata?: Record<string, unknown> };
  summary: {
    scenario_id: string;
    agent_name: string;
    reported_passed: boolean | null;
    verdict: string | null;
    patterns: string[];
    run_id: string | null;
  };
  evaluation: { findings: Array<{ pattern: string }> } | null;
}

async function getTrace(otelTraceId: string): Promise<Detail | null> {
  const response = await fetch(`${server.url}/api/v1/traces/otel-${otelTraceId}`, { headers: { authorization: `Bearer ${key}` } });
  if (response.status === 404) return null;
  expect(response.status).toBe(200);
  return (await response.json()) as Detail;
}

async function countTraces(): Promise<number> {
  return server.runtime.store.countTraces(DEFAULT_WORKSPACE_ID);
}

function postOtlp(body: unknown, headers: Record<string, string> = {}, path = '/v1/traces'): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body) : JSON.stringify(body),
  });
}

/** A small agent run recorded through the real OpenTelemetry JS SDK, with GenAI attributes. */
async function runGenAiAgent(exporter: SpanExporter, scenario: string): Promise<string> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'weather-agent' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('weather-agent', '1.0.0');
  const root = tracer.startSpan('invoke_agent weather-agent', {
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'stepwise.scenario_id': scenario, 'stepwise.test_run_id': `sdk-${scenario}` },
  });
  const inRoot = trace.setSpan(context.active(), root);
  const child = (name: string, attributes: Record<string, string | number>, body?: (span: Span) => void) => {
    const span = tracer.startSpan(name, { attributes }, inRoot);
    body?.(span);
    span.end();
  };
  const user = 'What is the weather in Oslo? Reply to me at ola.nordmann@example.org';
  child('chat gpt-4o', {
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.usage.input_tokens': 210,
    'gen_ai.usage.output_tokens': 19,
    'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'You report the weather.' }]),
    'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: user }] }]),
    'gen_ai.output.messages': JSON.stringify([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_w1', name: 'get_weather', arguments: { city: 'Oslo' } }] },
    ]),
  });
  child(
    'execute_tool get_weather',
    {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'get_weather',
      'gen_ai.tool.call.id': 'call_w1',
      'gen_ai.tool.call.arguments': JSON.stringify({ city: 'Oslo' }),
    },
    (span) => {
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'WeatherServiceUnavailable: upstream returned 503' });
    },
  );
  child('chat gpt-4o', {
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.output.messages': JSON.stringify([
      { role: 'assistant', parts: [{ type: 'text', content: 'Done! It is 4 °C and sunny in Oslo right now.' }] },
    ]),
  });
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return root.spanContext().traceId;
}

describe('OTLP/HTTP receiver with the real OpenTelemetry JS SDK exporters', () => {
  for (const [name, makeExporter] of [
    [
      'JSON (exporter-trace-otlp-http)',
      () => new OtlpHttpJsonExporter({ url: `${server.url}/v1/traces`, headers: { authorization: `Bearer ${key}` } }),
    ],
    [
      'protobuf (exporter-trace-otlp-proto)',
      () => new OtlpProtoExporter({ url: `${server.url}/v1/traces`, headers: { authorization: `Bearer ${key}` } }),
    ],
  ] as const) {
    it(`stores a GenAI trace sent as ${name}, span by span, as one trace with redaction and findings`, async () => {
      const traceId = await runGenAiAgent(makeExporter(), name.startsWith('JSON') ? 'weather-json' : 'weather-proto');
      const detail = await getTrace(traceId);
      expect(detail).not.toBeNull();
      const events = detail!.trace.events;
      expect(events.map((e) => e.type)).toEqual(['metadata', 'user_input', 'tool_error', 'metadata', 'agent_response']);
      expect(events[0]!.data).toMatchObject({
        model: 'gpt-4o',
        tokens: { input: 210, output: 19, total: 229 },
        system_prompt: 'You report the weather.',
      });
      expect(events[1]!.data.message).toContain('What is the weather in Oslo?');
      expect(events[1]!.data.message).not.toContain('ola.nordmann@example.org'); // redacted by the pipeline
      expect(events[2]!.data).toMatchObject({
        tool: 'get_weather',
        parameters: { city: 'Oslo' },
        message: 'WeatherServiceUnavailable: upstream returned 503',
      });
      expect(events[1]!.parent_id).toBe(events[0]!.id);
      expect(detail!.summary.agent_name).toBe('weather-agent');
      expect(detail!.summary.scenario_id).toBe(name.startsWith('JSON') ? 'weather-json' : 'weather-proto');
      expect(detail!.summary.patterns).toContain('ignored_tool_error');
      expect(detail!.summary.run_id).not.toBeNull();
    });
  }

  it('stores an OpenInference trace from the SDK (AGENT, LLM and TOOL spans) with the same events', async () => {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'faq-agent', 'stepwise.test_run_id': 'openinference-sdk' }),
      spanProcessors: [
        new SimpleSpanProcessor(new OtlpHttpJsonExporter({ url: `${server.url}/v1/traces`, headers: { authorization: `Bearer ${key}` } })),
      ],
    });
    const tracer = provider.getTracer('openinference.instrumentation.openai');
    const agent = tracer.startSpan('faq_agent', {
      attributes: {
        'openinference.span.kind': 'AGENT',
        'input.value': 'How long do refunds take?',
        'stepwise.scenario_id': 'refund-time',
        'stepwise.passed': true,
      },
    });
    const inAgent = trace.setSpan(context.active(), agent);
    const llm = tracer.startSpan(
      'ChatCompletion',
      {
        attributes: {
          'openinference.span.kind': 'LLM',
          'llm.model_name': 'gpt-4o-mini',
          'llm.token_count.prompt': 80,
          'llm.token_count.completion': 12,
          'llm.input_messages.0.message.role': 'system',
          'llm.input_messages.0.message.content': 'Answer from the FAQ only.',
          'llm.input_messages.1.message.role': 'user',
          'llm.input_messages.1.message.content': 'How long do refunds take?',
          'llm.output_messages.0.message.role': 'assistant',
          'llm.output_messages.0.message.tool_calls.0.tool_call.id': 'call_faq',
          'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': 'search_faq',
          'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{"query":"refund time"}',
        },
      },
      inAgent,
    );
    llm.end();
    const tool = tracer.startSpan(
      'search_faq',
      {
        attributes: {
          'openinference.span.kind': 'TOOL',
          'tool.name': 'search_faq',
          'input.value': '{"query":"refund time"}',
          'output.value': '{"answer":"5 business days"}',
        },
      },
      inAgent,
    );
    tool.end();
    agent.setAttribute('output.value', 'Refunds take 5 business days.');
    agent.end();
    await provider.forceFlush();
    await provider.shutdown();
    const detail = (await getTrace(agent.spanContext().traceId))!;
    expect(detail.trace.events.map((e) => e.type)).toEqual(['metadata', 'user_input', 'tool_call', 'agent_response']);
    expect(detail.trace.events[0]!.data).toMatchObject({
      model: 'gpt-4o-mini',
      tokens: { input: 80, output: 12, total: 92 },
      system_prompt: 'Answer from the FAQ only.',
    });
    expect(detail.trace.events[2]!.data).toMatchObject({
      tool: 'search_faq',
      parameters: { query: 'refund time' },
      result: { answer: '5 business days' },
    });
    expect(detail.trace.events[3]!.data.message).toBe('Refunds take 5 business days.');
    expect(detail.summary).toMatchObject({ agent_name: 'faq-agent', scenario_id: 'refund-time', reported_passed: true, verdict: 'passed' });
  });

  it('answers a protobuf request with a protobuf ExportTraceServiceResponse, and JSON with JSON', async () => {
    const body = fixture('genai-current.json');
    const json = await postOtlp(body);
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toContain('application/json');
    expect(await json.json()).toEqual({});
    const garbage = await postOtlp(new Uint8Array([0x0a, 0xff, 0xff, 0xff]), { 'content-type': 'application/x-protobuf' });
    expect(garbage.status).toBe(400);
    expect(garbage.headers.get('content-type')).toBe('application/x-protobuf');
    expect(decodeExportRequest(encodeExportResponse(0, ''))).toEqual({}); // an empty response is an empty message
  });
});

describe('recorded OTLP payloads in each convention', () => {
  it('maps the GenAI semantic conventions (current names): user input, tool call with result, response, system prompt', async () => {
    const response = await postOtlp(fixture('genai-current.json'), {}, '/api/v1/otlp/v1/traces');
    expect(response.status).toBe(200);
    const detail = (await getTrace('4bf92f3577b34da6a3ce929d0e0e4736'))!;
    const events = detail.trace.events;
    expect(events.map((e) => e.type)).toEqual(['metadata', 'user_input', 'tool_call', 'metadata', 'agent_response']);
    expect(events[0]!.data).toMatchObject({ model: 'gpt-4o-2024-08-06', tokens: { input: 412, output: 38, total: 450 } });
    expect(events[0]!.data.system_prompt).toBe('You are a travel assistant. Only book flights the user confirms.');
    expect(events[1]!.data.message).not.toContain('ann.lindqvist@example.org');
    expect(events[2]!.data).toMatchObject({
      tool: 'search_flights',
      parameters: { origin: 'LIS', destination: 'BER', date: '2026-03-12' },
      result: { flights: [{ number: 'TP538', departs: '07:05', price_eur: 142 }] },
      call_id: 'call_VSPygqKTWdrhaFErNvMV18Yl',
    });
    expect(events[4]!.data.message).toContain('TP538');
    expect(detail.summary.scenario_id).toBe('flight-search-lis-ber');
    expect(detail.summary.reported_passed).toBe(true);
  });

  it('maps the older gen_ai.prompt.N / gen_ai.completion.N names, pairing the tool result by call id, into the labelled run', async () => {
    const response = await postOtlp(gzipSync(Buffer.from(JSON.stringify(fixture('genai-legacy.json')))), { 'content-encoding': 'gzip' });
    expect(response.status).toBe(200);
    const detail = (await getTrace('0af7651916cd43dd8448eb211c80319c'))!;
    expect(detail.trace.events.map((e) => e.type)).toEqual(['metadata', 'user_input', 'tool_call', 'metadata', 'agent_response']);
    expect(detail.trace.events[0]!.data.system_prompt).toBe('You help customers with orders.');
    expect(detail.trace.events[2]!.data).toMatchObject({
      tool: 'get_order_status',
      parameters: { order_id: '8812' },
      result: { status: 'shipped', carrier: 'DHL' },
    });
    expect(detail.summary.agent_name).toBe('order-agent');
    const run = (await (
      await fetch(`${server.url}/api/v1/runs/${detail.summary.run_id}`, { headers: { authorization: `Bearer ${key}` } })
    ).json()) as {
      run: { name: string };
    };
    expect(run.run.name).toBe('nightly-2026-03-12');
  });

  it('maps OpenInference spans, and the analysis finds the ignored tool error', async () => {
    expect((await postOtlp(fixture('openinference.json'))).status).toBe(200);
    const detail = (await getTrace('5b8efff798038103d269b633813fc60c'))!;
    const events = detail.trace.events;
    expect(events.map((e) => e.type)).toEqual(['metadata', 'user_input', 'tool_error', 'metadata', 'agent_response']);
    expect(events[0]!.data).toMatchObject({
      model: 'claude-sonnet-4-5',
      tokens: { input: 300, output: 25, total: 325 },
      system_prompt: 'You are the refunds agent.',
    });
    expect(events[2]!.data).toMatchObject({ tool: 'issue_refund', parameters: { order_id: '7731' }, error_type: 'PaymentGatewayError' });
    expect(detail.summary.scenario_id).toBe('refund-broken-item');
    expect(detail.evaluation?.findings.map((f) => f.pattern)).toContain('ignored_tool_error');
  });
});

describe('assembling spans that arrive in several requests and out of order', () => {
  function splitFixture(name: string): { head: Record<string, unknown>; spans: Array<Record<string, unknown>> } {
    const body = fixture(name) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> };
    const spans = body.resourceSpans[0]!.scopeSpans[0]!.spans;
    return { head: body, spans };
  }
  function withSpans(name: string, spans: Array<Record<string, unknown>>, traceId: string) {
    const body = structuredClone(fixture(name)) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: unknown[] }> }> };
    body.resourceSpans[0]!.scopeSpans[0]!.spans = spans.map((s) => ({ ...s, traceId }));
    return body;
  }

  it('waits for missing parents, stores once complete, and merges a late span without duplicating events', async () => {
    const { spans } = splitFixture('genai-current.json');
    const id = 'aaaaaaaaaaaaaaaa1111111111111111';
    const before = await countTraces();
    // a child first: its parent (the root) is missing, so nothing is stored yet
    expect((await postOtlp(withSpans('genai-current.json', [spans[2]!], id))).status).toBe(200);
    expect(await getTrace(id)).toBeNull();
    // the root and one model call: the tree is closed, so the trace is stored
    expect((await postOtlp(withSpans('genai-current.json', [spans[0]!, spans[1]!], id))).status).toBe(200);
    const first = (await getTrace(id))!;
    expect(first.trace.events.map((e) => e.type)).toEqual(['metadata', 'user_input', 'tool_call']);
    // a late span and a re-sent one: the stored trace is replaced by the merged one
    expect((await postOtlp(withSpans('genai-current.json', [spans[3]!, spans[2]!], id))).status).toBe(200);
    const merged = (await getTrace(id))!;
    expect(merged.trace.events.map((e) => e.type)).toEqual(['metadata', 'user_input', 'tool_call', 'metadata', 'agent_response']);
    // re-sending everything changes nothing
    expect((await postOtlp(withSpans('genai-current.json', spans, id))).status).toBe(200);
    expect((await getTrace(id))!.trace.events).toHaveLength(5);
    expect(await countTraces()).toBe(before + 1);
  });
});

describe('a trace whose tree never closes', () => {
  it('is held, then stored as it is when the receiver flushes (at shutdown, or after the settle time)', async () => {
    const assembler = new OtlpAssembler({ pipeline: server.runtime.pipeline, settleMs: 60_000 });
    const body = structuredClone(fixture('openinference.json')) as {
      resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }>;
    };
    const spans = body.resourceSpans[0]!.scopeSpans[0]!.spans;
    const id = 'dddddddddddddddd3333333333333333';
    for (const span of spans) span.traceId = id;
    body.resourceSpans[0]!.scopeSpans[0]!.spans = spans.slice(1); // the AGENT root span is lost
    const outcome = await assembler.accept(DEFAULT_WORKSPACE_ID, readOtlpTraces(body).spans);
    expect(outcome).toEqual({ rejectedSpans: 0, messages: [], storedTraceIds: [] });
    expect(assembler.bufferedSpans).toBe(3);
    expect(await getTrace(id)).toBeNull();
    await assembler.flush();
    const stored = (await getTrace(id))!;
    expect(stored.trace.events.map((e) => e.type)).toEqual(['metadata', 'user_input', 'tool_error', 'metadata', 'agent_response']);
  });
});

describe('bad OTLP input gets OTLP errors and stores nothing', () => {
  it('refuses missing and read-only keys with 401 and 403', async () => {
    const none = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(none.status).toBe(401);
    expect(((await none.json()) as { code: number }).code).toBe(16);
    const created = (await (
      await fetch(`${server.url}/api/v1/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'viewer', role: 'viewer' }),
      })
    ).json()) as { key: string };
    const viewer = await postOtlp(fixture('genai-current.json'), { authorization: `Bearer ${created.key}` });
    expect(viewer.status).toBe(403);
  });

  it('answers 415 for other media types, 400 for broken JSON, gzip and protobuf, and 400 when no span can be read', async () => {
    const before = await countTraces();
    expect((await postOtlp('{}', { 'content-type': 'text/plain' })).status).toBe(415);
    const broken = await postOtlp('{"resourceSpans": [');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { message: string }).message).toMatch(/not valid OTLP JSON/);
    expect((await postOtlp('not gzip', { 'content-encoding': 'gzip' })).status).toBe(400);
    expect((await postOtlp(new Uint8Array([0xff, 0xff]), { 'content-type': 'application/x-protobuf' })).status).toBe(400);
    const notArray = await postOtlp({ resourceSpans: {} });
    expect(notArray.status).toBe(400);
    expect(((await notArray.json()) as { message: string }).message).toBe('resourceSpans: expected an array');
    const badIds = structuredClone(fixture('genai-current.json')) as {
      resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }>;
    };
    for (const span of badIds.resourceSpans[0]!.scopeSpans[0]!.spans) span.traceId = 'xyz';
    const bad = await postOtlp(badIds);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain(
      'resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 32 hex digits',
    );
    expect(await countTraces()).toBe(before);
  });

  it('reports spans of traces with no GenAI or OpenInference span in partial_success, and stores nothing of them', async () => {
    const before = await countTraces();
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'web' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: 'bbbbbbbbbbbbbbbb2222222222222222',
                  spanId: 'cccccccccccccccc',
                  name: 'GET /health',
                  startTimeUnixNano: '1764340000000000000',
                  endTimeUnixNano: '1764340000100000000',
                  attributes: [{ key: 'http.method', value: { stringValue: 'GET' } }],
                },
              ],
            },
          ],
        },
      ],
    };
    const response = await postOtlp(body);
    expect(response.status).toBe(200);
    const reply = (await response.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    expect(reply.partialSuccess.rejectedSpans).toBe('1');
    expect(reply.partialSuccess.errorMessage).toContain('no span carries GenAI');
    expect(await countTraces()).toBe(before);
  });
});
