import type { Trace, TraceEvent } from '../trace/schema.js';

/** A step of a hand-written trace: `['user', text]`, `['call', tool, params, result?]`, … */
export type FixtureStep =
  | ['user', string]
  | ['think', string]
  | ['call', string, Record<string, unknown>, unknown?]
  | ['error', string, Record<string, unknown>, string, string?]
  | ['respond', string]
  | ['meta', Record<string, unknown>];

/**
 * Builds a valid trace from terse steps, one millisecond apart. For tests, examples and docs.
 *
 * @example fixtureTrace([['user', 'Hi'], ['call', 'search_kb', { query: 'x' }, []], ['respond', 'No idea.']])
 */
export function fixtureTrace(steps: readonly FixtureStep[], start = '2026-03-13T14:30:00.000Z'): Trace {
  const t0 = Date.parse(start);
  const events: TraceEvent[] = steps.map((step, i) => {
    const timestamp = new Date(t0 + i).toISOString();
    switch (step[0]) {
      case 'user':
        return { type: 'user_input', timestamp, data: { message: step[1] } };
      case 'think':
        return { type: 'agent_reasoning', timestamp, data: { text: step[1] } };
      case 'call':
        return {
          type: 'tool_call',
          timestamp,
          data: step.length > 3 ? { tool: step[1], parameters: step[2], result: step[3] } : { tool: step[1], parameters: step[2] },
        };
      case 'error':
        return {
          type: 'tool_error',
          timestamp,
          data: { tool: step[1], parameters: step[2], message: step[3], error_type: step[4] ?? 'tool_error' },
        };
      case 'respond':
        return { type: 'agent_response', timestamp, data: { message: step[1] } };
      case 'meta':
        return { type: 'metadata', timestamp, data: step[1] };
    }
  });
  return { scenario_id: 'sc_fixture', agent_name: 'fixture-agent', timestamp: start, events };
}
