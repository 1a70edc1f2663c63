import { describe, expect, it } from 'vitest';
import { readFixture } from '../../../../test-support/fixtures.js';
import { Trace } from '../trace/schema.js';
import { mapOtlpTrace, readOtlpTraces } from './otlp.js';

const fixture = (name: string) => JSON.parse(readFixture('otlp', name)) as unknown;

describe('readOtlpTraces', () => {
  it('reads OTLP/JSON with snake_case names and numeric 64-bit fields, and flattens attribute values', () => {
    const read = readOtlpTraces({
      resource_spans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { string_value: 'svc' } }] },
          scope_spans: [
            {
              spans: [
                {
                  trace_id: '0123456789ABCDEF0123456789ABCDEF',
                  span_id: '0123456789abcdef',
                  name: 'chat',
                  start_time_unix_nano: 1764340000000000000,
                  end_time_unix_nano: '1764340000250000000',
                  attributes: [
                    { key: 'n', value: { int_value: 7 } },
                    { key: 'list', value: { array_value: { values: [{ stringValue: 'a' }, { boolValue: true }] } } },
                    { key: 'map', value: { kvlist_value: { values: [{ key: 'k', value: { doubleValue: 1.5 } }] } } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(read.rejected).toEqual([]);
    expect(read.spans).toHaveLength(1);
    const span = read.spans[0]!;
    expect(span.traceId).toBe('0123456789abcdef0123456789abcdef');
    expect(span.endMs - span.startMs).toBeCloseTo(250, 3);
    expect(span.attributes).toEqual({ n: 7, list: ['a', true], map: { k: 1.5 } });
    expect(span.resource).toEqual({ 'service.name': 'svc' });
  });

  it('rejects unreadable spans by path and keeps the rest', () => {
    const read = readOtlpTraces({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId: '00000000000000000000000000000000', spanId: '0123456789abcdef', name: 'a', startTimeUnixNano: '1' },
                { traceId: '0123456789abcdef0123456789abcdef', spanId: '0123456789abcdef', name: 'b' },
                { traceId: '0123456789abcdef0123456789abcdef', spanId: '0123456789abcdef', name: 'c', startTimeUnixNano: '5' },
              ],
            },
          ],
        },
      ],
    });
    expect(read.rejected).toEqual([
      { path: 'resourceSpans[0].scopeSpans[0].spans[0].traceId', message: 'expected 32 hex digits, not all zero' },
      { path: 'resourceSpans[0].scopeSpans[0].spans[1].startTimeUnixNano', message: 'expected a positive time in nanoseconds' },
    ]);
    expect(read.spans.map((s) => s.name)).toEqual(['c']);
    expect(readOtlpTraces([]).malformed).toEqual({ path: '$', message: 'expected an ExportTraceServiceRequest object' });
  });
});

describe('mapOtlpTrace', () => {
  it('maps each recorded convention to a valid trace whose events point at their parent span events', () => {
    for (const name of ['genai-current.json', 'genai-legacy.json', 'openinference.json']) {
      const { spans } = readOtlpTraces(fixture(name));
      const mapping = mapOtlpTrace(spans)!;
      expect(mapping, name).not.toBeNull();
      const trace = { ...mapping.result.trace, scenario_id: mapping.result.scenario_id, agent_name: mapping.agent_name };
      expect(Trace.safeParse(trace).success, name).toBe(true);
      const ids = new Set(trace.events.map((e) => e.id));
      for (const event of trace.events) if (event.parent_id !== undefined) expect(ids.has(event.parent_id), name).toBe(true);
      expect(
        trace.events.filter((e) => e.type === 'tool_call' || e.type === 'tool_error'),
        name,
      ).toHaveLength(1);
    }
  });

  it('reads run, scenario and pass/fail from attributes, with defaults when they are missing', () => {
    const legacy = mapOtlpTrace(readOtlpTraces(fixture('genai-legacy.json')).spans)!;
    expect(legacy.run_label).toBe('nightly-2026-03-12');
    expect(legacy.result.scenario_id).toBe('order_agent.workflow');
    expect(legacy.result.passed).toBeUndefined();
    expect(legacy.skipped_spans).toBe(1);
    const current = mapOtlpTrace(readOtlpTraces(fixture('genai-current.json')).spans)!;
    expect(current).toMatchObject({
      agent_name: 'travel-agent',
      run_label: null,
      result: { passed: true, trace_id: 'otel-4bf92f3577b34da6a3ce929d0e0e4736' },
    });
  });

  it('maps nothing when no span is a GenAI or OpenInference span', () => {
    const { spans } = readOtlpTraces({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '0123456789abcdef0123456789abcdef',
                  spanId: '0123456789abcdef',
                  name: 'SELECT',
                  startTimeUnixNano: '5',
                  attributes: [{ key: 'db.system', value: { stringValue: 'postgresql' } }],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(spans).toHaveLength(1);
    expect(mapOtlpTrace(spans)).toBeNull();
  });
});
