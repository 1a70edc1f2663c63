import { describe, expect, it } from 'vitest';
import { seedExamples } from '../../../../test-support/fixtures.js';
import { ResultItem, Trace, type TraceEvent } from './schema.js';
import { normalizeResult, type NormalizeContext } from './normalize.js';
import { elapsedTimes, formatElapsed, toolPath } from './timeline.js';

const ctx: NormalizeContext = {
  index: 0,
  path: 'results[0]',
  agentName: 'customer-support-agent',
  runId: 'run_1',
  now: '2026-03-13T14:30:00.000Z',
};

function normalize(item: unknown) {
  const result = normalizeResult(ResultItem.parse(item), ctx);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

describe('normalizeResult', () => {
  it("builds user_input → tool_call → agent_response from the brief's synced result", () => {
    const { trace, passed } = normalize(seedExamples().result);
    expect(trace.events.map((e) => e.type)).toEqual(['user_input', 'tool_call', 'agent_response']);
    expect(trace.events[1]).toMatchObject({
      data: { tool: 'search_knowledge_base', parameters: { query: 'refund policy digital products' } },
    });
    expect(trace.scenario_id).toBe('sc_xyz789');
    expect(trace.run_id).toBe('run_1');
    expect(passed).toBe(true);
    expect(Trace.safeParse(trace).success).toBe(true);
  });

  it('turns a tools_called entry with an error into a tool_error event', () => {
    const { trace } = normalize({
      scenario_id: 's',
      user_message: 'book it',
      agent_response: 'done',
      tools_called: [
        { name: 'book_hotel', parameters: { nights: 2 }, error: { type: 'AvailabilityError', message: 'no rooms' }, duration_ms: 40 },
      ],
    });
    expect(trace.events[1]).toMatchObject({
      type: 'tool_error',
      data: { tool: 'book_hotel', error_type: 'AvailabilityError', message: 'no rooms', parameters: { nights: 2 } },
    });
  });

  it('places events on a clock so elapsed time is derivable for each', () => {
    const { trace } = normalize({
      scenario_id: 's',
      user_message: 'q',
      agent_response: 'a',
      timestamp: '2026-03-13T14:30:00.000Z',
      duration_ms: 2000,
      tools_called: [
        { name: 'a', duration_ms: 100 },
        { name: 'b', duration_ms: 300 },
      ],
      model: 'gpt-4o',
      tokens: { input: 10, output: 5, total: 15 },
    });
    expect(elapsedTimes(trace)).toEqual([0, 0, 100, 2000, 2000]);
    expect(trace.events.at(-1)).toMatchObject({ type: 'metadata', data: { model: 'gpt-4o', tokens: { total: 15 } } });
    expect(formatElapsed(450)).toBe('+0.450s');
    expect(formatElapsed(62_300)).toBe('+1m02.3s');
  });

  it("lets an embedded trace's events win and keeps them in order", () => {
    const { trace } = seedExamples();
    const { trace: out, warnings } = normalize({ ...(seedExamples().result as object), trace });
    expect(out.events).toEqual((trace as { events: TraceEvent[] }).events);
    expect(warnings).toEqual([]);
  });

  it('reports tools_called that disagree with the embedded trace instead of dropping them', () => {
    const { trace } = seedExamples();
    const { warnings } = normalize({
      scenario_id: 'sc_xyz789',
      user_message: 'q',
      agent_response: 'a',
      tools_called: [{ name: 'lookup_order', parameters: {} }, { name: 'extra_tool' }],
      trace,
    });
    expect(warnings.map((w) => [w.code, w.path])).toEqual([
      ['tools_called_mismatch', 'results[0].tools_called[0].name'],
      ['tools_called_mismatch', 'results[0].tools_called[1]'],
    ]);
  });

  it('rejects an embedded trace of another scenario', () => {
    const result = normalizeResult(
      ResultItem.parse({ scenario_id: 'other', user_message: 'q', agent_response: 'a', trace: seedExamples().trace }),
      ctx,
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]?.path).toBe('results[0].trace.scenario_id');
  });

  it('accepts events out of time order, keeps their order and flags them', () => {
    const trace = structuredClone(seedExamples().trace) as { events: Array<{ timestamp: string }> };
    trace.events[2]!.timestamp = '2026-03-13T14:29:59.000Z';
    const { trace: out, warnings } = normalize({ scenario_id: 'sc_xyz789', user_message: 'q', agent_response: 'a', trace });
    expect(out.events[2]?.timestamp).toBe('2026-03-13T14:29:59.000Z');
    expect(warnings).toEqual([expect.objectContaining({ code: 'events_out_of_order', path: 'results[0].trace.events[2].timestamp' })]);
  });

  it('lists the tool path in call order', () => {
    const { trace } = normalize({
      scenario_id: 's',
      user_message: 'q',
      agent_response: 'a',
      tools_called: [{ name: 'x' }, { name: 'y', error: { message: 'e' } }],
    });
    expect(toolPath(trace.events)).toEqual(['x', 'y']);
  });

  it('says when a result carried no time at all, and invents no duration for it', () => {
    const untimed = normalize({ scenario_id: 'sc', user_message: 'q', agent_response: 'a', tools_called: [{ name: 't' }] });
    expect(untimed.timingsKnown).toBe(false);
    expect(untimed.trace.duration_ms).toBeUndefined();
    const timed = normalize({ scenario_id: 'sc', user_message: 'q', agent_response: 'a', tools_called: [{ name: 't', duration_ms: 5 }] });
    expect(timed.timingsKnown).toBe(true);
    expect(timed.trace.duration_ms).toBe(5);
  });
});
