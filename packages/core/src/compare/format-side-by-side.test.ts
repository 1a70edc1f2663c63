import { describe, expect, it } from 'vitest';
import { Trace } from '../trace/schema.js';
import { alignTraces } from './align-traces.js';
import { formatAlignmentSideBySide } from './format-side-by-side.js';

function trace(events: { type: string; data: Record<string, unknown> }[], scenario = 'sc_refund'): Trace {
  return Trace.parse({
    trace_id: `tr_${scenario}_${events.length}`,
    scenario_id: scenario,
    agent_name: 'bot',
    timestamp: '2026-03-13T14:30:00.000Z',
    events: events.map((e, i) => ({ ...e, timestamp: `2026-03-13T14:30:0${i}.000Z` })),
  });
}

const a = trace([
  { type: 'user_input', data: { message: 'Refund policy?' } },
  { type: 'tool_call', data: { tool: 'search_kb', parameters: { query: 'refund' }, result: { articles: [{ title: 'Refunds' }] } } },
  { type: 'agent_response', data: { message: 'Within 14 days.', tokens_used: 20 } },
]);
const b = trace([
  { type: 'user_input', data: { message: 'Refund policy?' } },
  { type: 'tool_call', data: { tool: 'search_kb', parameters: { query: 'refund' }, result: { articles: [] } } },
  { type: 'agent_response', data: { message: 'Within 60 days, no questions asked.', tokens_used: 31 } },
]);

describe('formatAlignmentSideBySide', () => {
  it('shows both runs in two columns and marks the divergence row with >>', () => {
    const text = formatAlignmentSideBySide(alignTraces(a, b), a, b, { width: 100 });
    const lines = text.trimEnd().split('\n');
    const marked = lines.filter((line) => line.startsWith('>>'));
    expect(marked).toHaveLength(1);
    expect(marked[0]).toContain('search_kb(query="refund") -> 1 article');
    expect(marked[0]).toContain('| ');
    expect(marked[0]).toContain('-> an empty result');
    expect(text).toContain('result.articles: [{"title":"Refunds"}] -> []');
    expect(text).toContain('Divergence: Run B got an empty result from search_kb where run A got 1 article (event 1 vs event 1).');
    expect(text).toContain('tokens 20 -> 31 (+11)');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('says when there is no behavior difference and prints warnings', () => {
    const other = trace(
      a.events.map((e) => ({ type: e.type, data: e.data })),
      'sc_other',
    );
    const text = formatAlignmentSideBySide(alignTraces(a, other), a, other, { width: 60 });
    expect(text).toContain('No behavior difference.');
    expect(text).toContain('! The traces are of different scenarios');
    expect(text.split('\n').some((line) => line.startsWith('>>'))).toBe(false);
  });

  it('renders two empty traces without rows', () => {
    const empty = trace([]);
    expect(formatAlignmentSideBySide(alignTraces(empty, empty), empty, empty)).toContain('(both traces have no events)');
  });
});
