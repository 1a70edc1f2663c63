import { describe, expect, it } from 'vitest';
import { seedExamples } from '../../../../test-support/fixtures.js';
import { Trace } from '../trace/schema.js';
import type { TraceEvent } from '../trace/schema.js';
import { alignTraces } from './align-traces.js';

type Step = { type: TraceEvent['type']; data: Record<string, unknown> };

const user = (message: string): Step => ({ type: 'user_input', data: { message } });
const think = (text: string): Step => ({ type: 'agent_reasoning', data: { text } });
const call = (tool: string, parameters: Record<string, unknown>, result?: unknown): Step => ({
  type: 'tool_call',
  data: result === undefined ? { tool, parameters } : { tool, parameters, result },
});
const fail = (tool: string, parameters: Record<string, unknown>, error_type: string, message: string): Step => ({
  type: 'tool_error',
  data: { tool, parameters, error_type, message },
});
const respond = (message: string, tokens_used?: number): Step => ({
  type: 'agent_response',
  data: tokens_used === undefined ? { message } : { message, tokens_used },
});

/** A valid trace whose events are 100 ms apart (`stepMs` to change the pace). */
function trace(steps: Step[], extra: Partial<Trace> = {}, stepMs = 100): Trace {
  const start = Date.parse('2026-03-13T14:30:00.000Z');
  return Trace.parse({
    scenario_id: 'sc_refund',
    agent_name: 'support-bot',
    timestamp: new Date(start).toISOString(),
    events: steps.map((step, i) => ({ ...step, timestamp: new Date(start + (i + 1) * stepMs).toISOString() })),
    ...extra,
  });
}

const QUESTION = 'What is your refund policy for digital products?';
const ARTICLE = { title: 'Refund Policy', content: 'Digital products are eligible for a refund within 14 days of purchase.' };
const ANSWER = 'Digital products can be refunded within 14 days of purchase; contact support to request one.';

function refundTrace(): Trace {
  return trace([
    user(QUESTION),
    call('search_knowledge_base', { query: 'refund policy digital products' }, { articles: [ARTICLE] }),
    respond(ANSWER, 245),
  ]);
}

describe('alignTraces', () => {
  it('finds no divergence between identical traces and marks every row same', () => {
    const alignment = alignTraces(refundTrace(), refundTrace());
    expect(alignment.divergence).toBeNull();
    expect(alignment.rows.map((r) => r.kind)).toEqual(['same', 'same', 'same']);
    expect(alignment.rows.map((r) => [r.a, r.b])).toEqual([
      [[0], [0]],
      [[1], [1]],
      [[2], [2]],
    ]);
    expect(alignment.warnings).toEqual([]);
    expect(alignment.algorithm).toBe('myers');
  });

  it('ignores timestamps, durations, call ids, key order and redaction numbering', () => {
    const a = trace([
      user('My email is <EMAIL_1>'),
      call(
        'lookup_customer',
        { email: '<EMAIL_1>', filters: { active: true, region: 'eu' }, request_id: 'r-1' },
        { id: 'c_9', name: 'Ann' },
      ),
      respond('Found you, Ann.'),
    ]);
    const b = trace(
      [
        user('My email is <EMAIL_2>'),
        call(
          'lookup_customer',
          { filters: { region: 'eu', active: true }, request_id: 'r-77', email: '<EMAIL_2>' },
          { name: 'Ann', id: 'c_10' },
        ),
        respond('Found you, Ann.'),
      ],
      {},
      250,
    );
    (b.events[1]!.data as Record<string, unknown>).call_id = 'call_42';
    (b.events[1]!.data as Record<string, unknown>).duration_ms = 999;
    const alignment = alignTraces(a, b);
    expect(alignment.rows.map((r) => r.kind)).toEqual(['same', 'same', 'same']);
    expect(alignment.divergence).toBeNull();
    expect(alignment.deltas.duration_ms).toEqual({ a: 300, b: 750, delta: 450 });
  });

  it('names a changed parameter with both values at the first call', () => {
    const a = refundTrace();
    const b = trace([user(QUESTION), call('search_knowledge_base', { query: 'refunds' }, { articles: [ARTICLE] }), respond(ANSWER)]);
    const alignment = alignTraces(a, b);
    const row = alignment.rows[1]!;
    expect(row.kind).toBe('changed');
    expect(row.changes).toEqual([{ path: 'parameters.query', a: '"refund policy digital products"', b: '"refunds"' }]);
    expect(alignment.divergence).toMatchObject({ row: 1, a: 1, b: 1, reason: 'parameters' });
    expect(alignment.divergence?.sentence).toBe(
      'Run B called search_knowledge_base with query "refunds" where run A used "refund policy digital products" (event 1 vs event 1).',
    );
  });

  it('reports a different tool as the divergence in one sentence', () => {
    const c = trace([
      user('Where is my order?'),
      think('check orders'),
      call('lookup_order', { id: 'A-17' }, { status: 'shipped' }),
      respond('Shipped.'),
    ]);
    const d = trace([
      user('Where is my order?'),
      think('check orders'),
      call('search_knowledge_base', { query: 'order status' }, { articles: [] }),
      respond('Shipped.'),
    ]);
    const alignment = alignTraces(d, c);
    expect(alignment.rows.map((r) => r.kind)).toEqual(['same', 'same', 'only_a', 'only_b', 'same']);
    expect(alignment.divergence).toMatchObject({ row: 2, a: 2, b: 2, reason: 'different_tool' });
    expect(alignment.divergence?.sentence).toBe('Run B called lookup_order where run A called search_knowledge_base (event 2 vs event 2).');
  });

  it('reports an extra retry as a count difference on one collapsed row', () => {
    const a = refundTrace();
    const b = trace([
      user(QUESTION),
      call('search_knowledge_base', { query: 'refund policy digital products' }, { articles: [ARTICLE] }),
      call('search_knowledge_base', { query: 'refund policy digital products' }, { articles: [ARTICLE] }),
      respond(ANSWER),
    ]);
    const alignment = alignTraces(a, b);
    expect(alignment.rows).toHaveLength(3);
    const row = alignment.rows[1]!;
    expect(row).toMatchObject({ kind: 'changed', a: [1], b: [1, 2], count_a: 1, count_b: 2, behavior: true });
    expect(row.changes[0]).toEqual({ path: 'count', a: '1', b: '2' });
    expect(alignment.divergence?.reason).toBe('count');
    expect(alignment.divergence?.sentence).toBe(
      'Run B called search_knowledge_base twice where run A called it once (event 1 vs events 1–2).',
    );
  });

  it('names the failed first attempt when run B retried after an error', () => {
    const a = refundTrace();
    const b = trace([
      user(QUESTION),
      fail('search_knowledge_base', { query: 'refund policy digital products' }, 'TimeoutError', 'timed out after 5s'),
      call('search_knowledge_base', { query: 'refund policy digital products' }, { articles: [ARTICLE] }),
      respond(ANSWER),
    ]);
    const alignment = alignTraces(a, b);
    expect(alignment.rows[1]).toMatchObject({ kind: 'changed', count_a: 1, count_b: 2 });
    expect(alignment.divergence?.reason).toBe('outcome');
    expect(alignment.divergence?.sentence).toBe(
      'Run B got an error (TimeoutError: timed out after 5s) from search_knowledge_base where run A got 1 article (event 1 vs event 1).',
    );
  });

  it('collapses a loop of identical calls into one row with both counts', () => {
    const loop = (n: number): Step[] => Array.from({ length: n }, () => call('check_status', { ticket: 'T-1' }, { status: 'pending' }));
    const a = trace([user('Is T-1 done?'), ...loop(7), respond('Still pending.')]);
    const b = trace([user('Is T-1 done?'), ...loop(2), respond('Still pending.')]);
    const alignment = alignTraces(a, b);
    expect(alignment.rows).toHaveLength(3);
    expect(alignment.rows[1]).toMatchObject({
      kind: 'changed',
      tool: 'check_status',
      count_a: 7,
      count_b: 2,
      a: [1, 2, 3, 4, 5, 6, 7],
      b: [1, 2],
    });
    expect(alignment.divergence?.sentence).toBe(
      'Run B called check_status twice where run A called it 7 times (events 1–7 vs events 1–2).',
    );

    const same = alignTraces(a, trace([user('Is T-1 done?'), ...loop(7), respond('Still pending.')]));
    expect(same.rows[1]).toMatchObject({ kind: 'same', count_a: 7, count_b: 7 });
    expect(same.divergence).toBeNull();
  });

  it('diverges where run B ended without a final response', () => {
    const a = refundTrace();
    const b = trace([user(QUESTION), call('search_knowledge_base', { query: 'refund policy digital products' }, { articles: [ARTICLE] })]);
    const alignment = alignTraces(a, b);
    expect(alignment.rows.map((r) => r.kind)).toEqual(['same', 'same', 'only_a']);
    expect(alignment.divergence).toMatchObject({ row: 2, a: 2, b: null, reason: 'missing_step' });
    expect(alignment.divergence?.sentence).toBe('Run B ended without a final response; run A responded at event 2.');
  });

  it('links reordered calls to each other and says which came earlier', () => {
    const search = call('search_knowledge_base', { query: 'refund' }, { articles: [ARTICLE] });
    const order = call('lookup_order', { id: 'A-17' }, { status: 'delivered' });
    const a = trace([user(QUESTION), search, order, respond(ANSWER)]);
    const b = trace([user(QUESTION), order, search, respond(ANSWER)]);
    const alignment = alignTraces(a, b);
    const only = alignment.rows.flatMap((row, r) => (row.kind === 'only_a' || row.kind === 'only_b' ? [r] : []));
    expect(only).toHaveLength(2);
    const [first, second] = only as [number, number];
    expect(alignment.rows[first]!.counterpart).toBe(second);
    expect(alignment.rows[second]!.counterpart).toBe(first);
    expect(alignment.stats).toEqual({ same: 3, changed: 0, only_a: 1, only_b: 1 });
    expect(alignment.divergence?.reason).toBe('order');
    expect(alignment.divergence?.row).toBe(first);
    expect(alignment.divergence?.sentence).toMatch(
      /^Run B called (lookup_order earlier|search_knowledge_base later) than run A did \(event \d vs event \d\)\.$/,
    );
  });

  it("diverges at the first tool call's result for the brief's refund example against its hallucination variant", () => {
    const a = Trace.parse(seedExamples().trace);
    const b = Trace.parse(seedExamples().trace);
    const searched = b.events[1]!;
    if (searched.type !== 'tool_call') throw new Error('the brief example changed: event 1 is no longer a tool call');
    searched.data.result = { articles: [] };
    const response = b.events[2]!;
    if (response.type !== 'agent_response') throw new Error('the brief example changed: event 2 is no longer the response');
    response.data.message = 'Digital products can be refunded within 60 days, no questions asked, through your account page.';
    response.data.tokens_used = 198;

    const alignment = alignTraces(a, b, {
      evaluations: {
        a: { verdict: 'passed', findings: [] },
        b: { verdict: 'failed', findings: [{ pattern: 'hallucination' }] },
      },
    });
    expect(alignment.rows.map((r) => r.kind)).toEqual(['same', 'changed', 'changed']);
    expect(alignment.divergence).toMatchObject({ row: 1, a: 1, b: 1, reason: 'result' });
    expect(alignment.divergence?.sentence).toBe(
      'Run B got an empty result from search_knowledge_base where run A got 1 article (event 1 vs event 1).',
    );
    expect(alignment.rows[1]!.changes[0]).toMatchObject({ path: 'result.articles', b: '[]' });
    expect(alignment.deltas.tokens).toEqual({ a: 245, b: 198, delta: -47 });
    expect(alignment.deltas.verdict).toEqual({ a: 'passed', b: 'failed', changed: true });
    expect(alignment.deltas.findings).toEqual({
      appeared: ['hallucination'],
      disappeared: [],
      counts: [{ pattern: 'hallucination', a: 0, b: 1 }],
    });
  });

  it('reports a reworded response as changed but not as the divergence', () => {
    const a = refundTrace();
    const b = trace([
      user(QUESTION),
      call('search_knowledge_base', { query: 'refund policy digital products' }, { articles: [ARTICLE] }),
      respond('Digital products can be refunded within 14 days of purchase; please contact support to request it.'),
    ]);
    const alignment = alignTraces(a, b);
    const row = alignment.rows[2]!;
    expect(row.kind).toBe('changed');
    expect(row.behavior).toBe(false);
    expect(row.similarity).toBeGreaterThanOrEqual(0.5);
    expect(alignment.divergence).toBeNull();
  });

  it('makes a substantially different response the divergence only when the tool steps match', () => {
    const other = 'I am sorry, I cannot help with that request today.';
    const sameTools = trace([
      user(QUESTION),
      call('search_knowledge_base', { query: 'refund policy digital products' }, { articles: [ARTICLE] }),
      respond(other),
    ]);
    const alignment = alignTraces(refundTrace(), sameTools);
    expect(alignment.divergence).toMatchObject({ row: 2, reason: 'response' });
    expect(alignment.divergence?.sentence).toBe(
      "Run B's response differs in substance from run A's, after the same tool calls and results (event 2 vs event 2).",
    );

    const toolsDiffer = trace([user(QUESTION), call('search_knowledge_base', { query: 'refunds' }, { articles: [] }), respond(other)]);
    expect(alignTraces(refundTrace(), toolsDiffer).divergence?.reason).toBe('parameters');
  });

  it('warns when the traces are of different scenarios and still aligns them', () => {
    const a = refundTrace();
    const b = trace([user('Cancel my subscription'), call('cancel_subscription', { plan: 'pro' }, { ok: true }), respond('Done.')], {
      scenario_id: 'sc_cancel',
    });
    const alignment = alignTraces(a, b);
    expect(alignment.warnings).toHaveLength(2);
    expect(alignment.warnings[0]).toContain('different scenarios (sc_refund vs sc_cancel)');
    expect(alignment.warnings[1]).toContain('user input differs');
    expect(alignment.divergence?.sentence).toBe(
      'Run B called cancel_subscription where run A called search_knowledge_base (event 1 vs event 1).',
    );
  });

  it('compares traces with zero events cleanly', () => {
    const empty = trace([]);
    const both = alignTraces(empty, trace([]));
    expect(both.rows).toEqual([]);
    expect(both.divergence).toBeNull();
    expect(both.warnings).toEqual([]);
    expect(both.deltas.events).toEqual({ a: 0, b: 0, delta: 0 });

    const oneSided = alignTraces(empty, refundTrace());
    expect(oneSided.rows.map((r) => r.kind)).toEqual(['only_b', 'only_b', 'only_b']);
    expect(oneSided.divergence).toMatchObject({ row: 1, a: null, b: 1, reason: 'extra_step' });
  });

  it('treats a call that failed in one run and succeeded in the other as one changed step', () => {
    const a = refundTrace();
    const b = trace([
      user(QUESTION),
      fail('search_knowledge_base', { query: 'refund policy digital products' }, 'RateLimited', 'slow down'),
      respond(ANSWER),
    ]);
    const alignment = alignTraces(a, b);
    expect(alignment.rows.map((r) => r.kind)).toEqual(['same', 'changed', 'same']);
    expect(alignment.rows[1]!.changes.map((c) => c.path)).toEqual(['error_type', 'message', 'outcome', 'result']);
    expect(alignment.divergence?.reason).toBe('outcome');
  });

  it('reports model, token, cost and duration differences as deltas, not as the divergence', () => {
    const meta = (model: string, total: number, cost: number): Step => ({
      type: 'metadata',
      data: { model, tokens: { total }, cost_usd: cost, latency_ms: 10 },
    });
    const a = trace([...refundTrace().events.map((e) => ({ type: e.type, data: e.data })), meta('gpt-4o', 300, 0.01)], {
      duration_ms: 2000,
    });
    const b = trace([...refundTrace().events.map((e) => ({ type: e.type, data: e.data })), meta('gpt-4o-mini', 420, 0.002)], {
      duration_ms: 1500,
    });
    const alignment = alignTraces(a, b);
    expect(alignment.divergence).toBeNull();
    expect(alignment.rows[3]).toMatchObject({ kind: 'changed', event_type: 'metadata', behavior: false });
    expect(alignment.deltas.duration_ms).toEqual({ a: 2000, b: 1500, delta: -500 });
    expect(alignment.deltas.tokens).toEqual({ a: 300, b: 420, delta: 120 });
    expect(alignment.deltas.cost_usd).toEqual({ a: 0.01, b: 0.002, delta: -0.008 });
    expect(alignment.deltas.model).toEqual({ a: 'gpt-4o', b: 'gpt-4o-mini', changed: true });
  });

  it('falls back to anchors past the edit cap and still names the first divergence', () => {
    const steps = (prefix: string, n: number): Step[] =>
      Array.from({ length: n }, (_, i) => call(`${prefix}_${i % 5}`, { n: i }, { ok: i }));
    const shared = [user(QUESTION), call('search_knowledge_base', { query: 'refund' }, { articles: [ARTICLE] })];
    const a = trace([...shared, ...steps('alpha', 60), respond(ANSWER)]);
    const b = trace([...shared, ...steps('beta', 60), respond(ANSWER)]);
    const alignment = alignTraces(a, b, { maxEditDistance: 10 });
    expect(alignment.algorithm).toBe('anchored');
    expect(alignment.warnings.some((w) => w.includes('more than 10 steps'))).toBe(true);
    expect(alignment.rows.slice(0, 2).map((r) => r.kind)).toEqual(['same', 'same']);
    expect(alignment.rows[alignment.rows.length - 1]).toMatchObject({ kind: 'same', event_type: 'agent_response' });
    expect(alignment.divergence).toMatchObject({ a: 2, b: 2, reason: 'different_tool' });
    const covered = (side: 'a' | 'b'): number[] => alignment.rows.flatMap((r) => r[side]).sort((x, y) => x - y);
    expect(covered('a')).toEqual(a.events.map((_, i) => i));
    expect(covered('b')).toEqual(b.events.map((_, i) => i));
  });

  it('gives the same rows with and without the fallback when the traces differ in few places', () => {
    const body = Array.from({ length: 200 }, (_, i) => call(`tool_${i % 7}`, { i }, { ok: true }));
    const changed = body.map((s, i) =>
      i === 50 ? call('tool_x', { i }, { ok: true }) : i === 120 ? call('tool_1', { i: -1 }, { ok: true }) : s,
    );
    const a = trace([user('go'), ...body, respond('done')]);
    const b = trace([user('go'), ...changed, respond('done')]);
    const exact = alignTraces(a, b);
    const anchored = alignTraces(a, b, { maxEditDistance: 0 });
    expect(exact.algorithm).toBe('myers');
    expect(anchored.algorithm).toBe('anchored');
    expect(anchored.rows).toEqual(exact.rows);
    expect(exact.divergence?.a).toBe(51);
  });
});
