import type { ResultItem, SyncRequest } from '@stepwise/core';
import type { IngestPipeline } from '../ingest/pipeline.js';

const HOUR = 3_600_000;

interface Call {
  name: string;
  parameters: Record<string, unknown>;
  result?: unknown;
  error?: { type: string; message: string };
  duration_ms: number;
}

function result(
  scenario: string,
  at: number,
  user: string,
  calls: Call[],
  response: string,
  passed: boolean,
  extra: Partial<ResultItem> = {},
): ResultItem {
  let cursor = at + 300;
  const tools_called = calls.map((call) => {
    const timestamp = new Date(cursor).toISOString();
    cursor += call.duration_ms + 150;
    return { ...call, timestamp };
  });
  return {
    scenario_id: scenario,
    user_message: user,
    agent_response: response,
    tools_called,
    passed,
    timestamp: new Date(at).toISOString(),
    duration_ms: cursor - at + 900,
    model: 'gpt-4o-2024-08-06',
    tokens: { input: 820 + calls.length * 310, output: 96, total: 916 + calls.length * 310 },
    ...extra,
  };
}

const REFUND_ARTICLE = {
  articles: [{ title: 'Refund Policy', content: 'Digital products are eligible for a refund within 14 days of purchase...' }],
};

/**
 * Demo runs for a first start: the brief's refund example and one failing case of each pattern the
 * brief names (hallucination, tool misuse, missing tool call, loop), over two runs of one agent so
 * that comparing them shows a regression, a fix and a behavior drift. Everything goes through the
 * ingest pipeline like real data, marked as demo.
 */
export function demoSyncRequests(now: Date): SyncRequest[] {
  const t = now.getTime();
  const baseline = t - 26 * HOUR;
  const latest = t - 2 * HOUR;
  const refund = (at: number) =>
    result(
      'sc_refund_digital',
      at,
      'What is your refund policy for digital products?',
      [
        {
          name: 'search_knowledge_base',
          parameters: { query: 'refund policy digital products' },
          result: REFUND_ARTICLE,
          duration_ms: 120,
        },
      ],
      'Our refund policy for digital products allows refunds within 14 days of purchase. You can request a refund by contacting support.',
      true,
      {
        expected: {
          tools: [{ name: 'search_knowledge_base', parameters: { query: 'refund policy digital products' } }],
          response_contains: ['14 days'],
        },
      },
    );
  const orderExpected = { expected: { tools: [{ name: 'lookup_order', parameters: { order_id: 'ORD-48213' } }] } };
  const shippingExpected = { expected: { tools: ['search_knowledge_base'] } };
  const run1: ResultItem[] = [
    refund(baseline),
    result(
      'sc_warranty_hardware',
      baseline + 10_000,
      'How long is the warranty on the X200 headphones?',
      [
        {
          name: 'search_knowledge_base',
          parameters: { query: 'X200 headphones warranty' },
          result: { articles: [{ title: 'Hardware warranty', content: 'X200 headphones carry a 2-year limited warranty.' }] },
          duration_ms: 140,
        },
      ],
      'The X200 headphones come with a 2-year limited warranty.',
      true,
    ),
    result(
      'sc_order_status',
      baseline + 20_000,
      'Where is my order ORD-48213?',
      [
        {
          name: 'search_knowledge_base',
          parameters: { query: 'ORD-48213' },
          result: { articles: [{ title: 'Shipping times', content: 'Standard shipping takes 3-5 business days.' }] },
          duration_ms: 110,
        },
      ],
      'Orders usually arrive within 3-5 business days.',
      false,
      { notes: 'Expected lookup_order with order_id ORD-48213', ...orderExpected },
    ),
    result(
      'sc_shipping_countries',
      baseline + 30_000,
      'Do you ship to Norway?',
      [
        {
          name: 'search_knowledge_base',
          parameters: { query: 'shipping countries Norway' },
          result: { articles: [{ title: 'International shipping', content: 'We ship to all EU and EEA countries, including Norway.' }] },
          duration_ms: 130,
        },
      ],
      'Yes, we ship to Norway, as to all EU and EEA countries.',
      true,
      shippingExpected,
    ),
    result(
      'sc_cancel_order',
      baseline + 40_000,
      'Please cancel order ORD-50017.',
      [
        {
          name: 'lookup_order',
          parameters: { order_id: 'ORD-50017' },
          result: { order_id: 'ORD-50017', status: 'processing' },
          duration_ms: 90,
        },
        { name: 'cancel_order', parameters: { order_id: 'ORD-50017' }, result: { cancelled: true }, duration_ms: 160 },
      ],
      'Order ORD-50017 has been cancelled.',
      true,
    ),
    result(
      'sc_reset_password',
      baseline + 50_000,
      'I forgot my password, can you send me a reset link?',
      [{ name: 'send_password_reset', parameters: { account: 'current_user' }, result: { sent: true }, duration_ms: 210 }],
      'I have sent a password reset link to the email address on your account.',
      true,
    ),
  ];
  const run2: ResultItem[] = [
    refund(latest),
    result(
      'sc_warranty_hardware',
      latest + 10_000,
      'How long is the warranty on the X200 headphones?',
      [{ name: 'search_knowledge_base', parameters: { query: 'X200 warranty' }, result: { articles: [] }, duration_ms: 95 }],
      'The X200 headphones come with a 3-year warranty that covers accidental damage.',
      false,
    ),
    result(
      'sc_order_status',
      latest + 20_000,
      'Where is my order ORD-48213?',
      [
        {
          name: 'lookup_order',
          parameters: { order_id: 'ORD-48213' },
          result: { order_id: 'ORD-48213', status: 'shipped', eta: '2026-03-16' },
          duration_ms: 85,
        },
      ],
      'Your order ORD-48213 has shipped and should arrive on 2026-03-16.',
      true,
      orderExpected,
    ),
    result(
      'sc_shipping_countries',
      latest + 30_000,
      'Do you ship to Norway?',
      [],
      'Yes, we ship to Norway within 2 business days at no extra cost.',
      false,
      shippingExpected,
    ),
    result(
      'sc_cancel_order',
      latest + 40_000,
      'Please cancel order ORD-50017.',
      [
        { name: 'get_order', parameters: { id: 'ORD-50017' }, result: { order_id: 'ORD-50017', status: 'processing' }, duration_ms: 70 },
        { name: 'cancel_order', parameters: { order_id: 'ORD-50017' }, result: { cancelled: true }, duration_ms: 150 },
      ],
      'Order ORD-50017 has been cancelled.',
      true,
    ),
    result(
      'sc_reset_password',
      latest + 50_000,
      'I forgot my password, can you send me a reset link?',
      Array.from({ length: 4 }, () => ({
        name: 'lookup_account',
        parameters: { email: 'current_user' },
        result: { error: 'rate limited, try again' },
        duration_ms: 180,
      })),
      'I have sent a password reset link to your email.',
      false,
    ),
  ];
  const travel: ResultItem[] = [
    result(
      'sc_flight_search',
      latest - 5 * HOUR,
      'Find me a flight from Oslo to Berlin on 2026-04-02.',
      [
        {
          name: 'search_flights',
          parameters: { from: 'OSL', to: 'BER', date: '2026-04-02' },
          result: { flights: [{ number: 'DY1102', depart: '07:35', price_eur: 89 }] },
          duration_ms: 430,
        },
      ],
      'Norwegian flight DY1102 leaves Oslo at 07:35 on April 2 and costs 89 EUR.',
      true,
    ),
    result(
      'sc_hotel_booking',
      latest - 5 * HOUR + 20_000,
      'Book the Hotel Adlon for two nights from April 2.',
      [
        {
          name: 'book_hotel',
          parameters: { hotel: 'Hotel Adlon', nights: 2, check_in: '2026-04-02' },
          error: { type: 'AvailabilityError', message: 'no rooms available for the requested dates' },
          duration_ms: 510,
        },
      ],
      'Your two nights at the Hotel Adlon from April 2 have been booked.',
      true,
    ),
  ];
  return [
    { agent_name: 'customer-support-agent', name: 'Nightly regression (baseline)', source: 'ci', results: run1 },
    { agent_name: 'customer-support-agent', name: 'Nightly regression', source: 'ci', results: run2 },
    { agent_name: 'travel-agent', name: 'Smoke tests', source: 'mcp', results: travel },
  ];
}

/** Seeds the demo runs into a workspace through the ingest pipeline. */
export async function seedDemoData(pipeline: IngestPipeline, workspaceId: string, now = new Date()): Promise<string[]> {
  const runIds: string[] = [];
  for (const request of demoSyncRequests(now)) {
    const reply = await pipeline.sync(request, { workspaceId, isDemo: true });
    runIds.push(reply.test_run_id);
  }
  return runIds;
}
