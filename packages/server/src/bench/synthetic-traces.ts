import type { Trace, TraceEvent } from '@stepwise/core';

/** A small deterministic PRNG, so every bench run measures the same traces. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const TOOLS = [
  'search_knowledge_base',
  'lookup_order',
  'get_customer',
  'create_ticket',
  'send_email',
  'check_status',
  'refund_payment',
  'list_products',
];

/** A long agent trace: tool calls with JSON results, some reasoning, responses and metadata. */
export function syntheticTrace(seed: number, events: number): Trace {
  const random = prng(seed);
  const start = Date.parse('2026-03-13T14:30:00.000Z');
  const out: TraceEvent[] = [
    { type: 'user_input', timestamp: new Date(start).toISOString(), data: { message: `Please help with case ${seed}` } },
  ];
  for (let i = 1; i < events; i++) {
    const timestamp = new Date(start + i * 40).toISOString();
    const roll = random();
    if (roll < 0.15)
      out.push({
        type: 'agent_reasoning',
        timestamp,
        data: { text: `Step ${i}: the previous result suggests checking item ${Math.floor(random() * 1000)} next.` },
      });
    else if (roll < 0.18)
      out.push({ type: 'metadata', timestamp, data: { model: 'gpt-4o', tokens: { input: 800, output: 120, total: 920 } } });
    else {
      const tool = TOOLS[Math.floor(random() * TOOLS.length)]!;
      out.push({
        type: 'tool_call',
        timestamp,
        data: {
          tool,
          parameters: { query: `q${Math.floor(random() * 100000)}`, limit: 5 },
          result: { items: [{ id: `it_${i}`, title: `Item ${i}`, score: Math.round(random() * 100) / 100 }], total: 1 },
          duration_ms: Math.floor(random() * 200),
        },
      });
    }
  }
  out.push({
    type: 'agent_response',
    timestamp: new Date(start + events * 40).toISOString(),
    data: { message: 'I found the items you asked about and summarized them above.' },
  });
  return { scenario_id: `sc_${seed}`, agent_name: 'bench-agent', timestamp: new Date(start).toISOString(), events: out };
}

/** The same trace with a few behavior changes: changed parameters, an emptied result, removals, insertions. */
export function withFewChanges(trace: Trace): Trace {
  const copy = structuredClone(trace);
  const events = copy.events;
  const callAt = (from: number) => events.findIndex((e, i) => i >= from && e.type === 'tool_call');
  for (const from of [1200, 4500, 8800]) {
    const event = events[callAt(from)];
    if (event?.type === 'tool_call') event.data.parameters = { ...event.data.parameters, query: 'changed' };
  }
  const emptied = events[callAt(6000)];
  if (emptied?.type === 'tool_call') emptied.data.result = { items: [], total: 0 };
  events.splice(3000, 1);
  events.splice(7000, 1);
  for (const at of [2000, 5000, 9000]) {
    events.splice(at, 0, {
      type: 'tool_call',
      timestamp: events[at]!.timestamp,
      data: { tool: 'escalate', parameters: { reason: `r${at}` }, result: { ok: true } },
    });
  }
  return copy;
}
