// A trace sent by the OpenTelemetry JS SDK shows in the dashboard as the same events a direct sync gives.
import { context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsSkipped, launchChromium, startDemoServer, type DemoServer } from './browser.js';

const skipped = browserTestsSkipped();

const QUESTION = 'Is the X200 battery covered by the warranty?';
const ANSWER = 'Yes: the X200 battery is covered for 24 months.';
const RESULT = { articles: [{ title: 'X200 warranty', body: 'Batteries are covered for 24 months.' }] };

describe.skipIf(skipped !== null)('an OpenTelemetry trace in Chromium', () => {
  let demo: DemoServer;
  let browser: Browser;
  let page: Page;
  let key: string;

  beforeAll(async () => {
    demo = await startDemoServer();
    key = demo.server.firstApiKey!;
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(demo.server.loginUrl!);
    await page.waitForURL(`${demo.server.url}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  const get = async (path: string) => {
    const response = await fetch(`${demo.server.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as { trace: { events: Array<{ type: string; data: Record<string, unknown> }> } };
  };

  /** One agent turn through the real SDK and its OTLP/HTTP JSON exporter, with GenAI attributes. */
  async function sendGenAiTurn(): Promise<string> {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'support-bot' }),
      spanProcessors: [
        new SimpleSpanProcessor(
          new OTLPTraceExporter({ url: `${demo.server.url}/v1/traces`, headers: { authorization: `Bearer ${key}` } }),
        ),
      ],
    });
    const tracer = provider.getTracer('support-bot');
    const root = tracer.startSpan('invoke_agent support-bot', {
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'stepwise.scenario_id': 'sc_otel_battery', 'stepwise.passed': true },
    });
    const inRoot = trace.setSpan(context.active(), root);
    const child = (name: string, attributes: Record<string, string>) => tracer.startSpan(name, { attributes }, inRoot).end();
    child('chat gpt-4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: QUESTION }] }]),
      'gen_ai.output.messages': JSON.stringify([
        {
          role: 'assistant',
          parts: [{ type: 'tool_call', id: 'call_1', name: 'search_knowledge_base', arguments: { query: 'X200 battery' } }],
        },
      ]),
    });
    child('execute_tool search_knowledge_base', {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'search_knowledge_base',
      'gen_ai.tool.call.id': 'call_1',
      'gen_ai.tool.call.arguments': JSON.stringify({ query: 'X200 battery' }),
      'gen_ai.tool.call.result': JSON.stringify(RESULT),
    });
    child('chat gpt-4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: ANSWER }] }]),
    });
    root.end();
    await provider.forceFlush();
    await provider.shutdown();
    return `otel-${root.spanContext().traceId}`;
  }

  it('shows the user input, the tool call with its result and the response, as a direct sync of the same turn does', async () => {
    const otelId = await sendGenAiTurn();
    const synced = await fetch(`${demo.server.url}/api/v1/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        agent_name: 'support-bot',
        results: [
          {
            scenario_id: 'sc_direct_battery',
            user_message: QUESTION,
            agent_response: ANSWER,
            tools_called: [{ name: 'search_knowledge_base', parameters: { query: 'X200 battery' }, result: RESULT }],
            passed: true,
          },
        ],
      }),
    });
    const directId = ((await synced.json()) as { trace_ids: string[] }).trace_ids[0]!;

    // The conversation steps (model metadata aside) are the same events with the same data.
    const steps = (events: Array<{ type: string; data: Record<string, unknown> }>) =>
      events
        .filter((e) => e.type !== 'metadata')
        .map((e) => ({ type: e.type, message: e.data.message, tool: e.data.tool, parameters: e.data.parameters, result: e.data.result }));
    const fromOtel = steps((await get(`/api/v1/traces/${otelId}`)).trace.events);
    expect(fromOtel).toEqual(steps((await get(`/api/v1/traces/${directId}`)).trace.events));
    expect(fromOtel.map((e) => e.type)).toEqual(['user_input', 'tool_call', 'agent_response']);

    await page.goto(`${demo.server.url}/traces/${encodeURIComponent(otelId)}`);
    const timeline = page.locator('[data-testid="timeline"][data-ready="true"]');
    await timeline.waitFor();
    const text = (await timeline.textContent()) ?? '';
    expect(text).toContain(QUESTION);
    expect(text).toContain('search_knowledge_base');
    expect(text).toContain('Yes: the X200 battery is covered');
  });
});
