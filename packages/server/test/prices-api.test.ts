import { PRICE_TABLE_DATE } from '@stepwise/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from './support/app.js';

let t: TestApp;
const SET_AT = '2026-03-02T09:00:00.000Z';
beforeEach(async () => {
  t = await makeTestApp({ clock: () => new Date(SET_AT) });
});
afterEach(async () => {
  await t.close();
});

async function json(response: Response | Promise<Response>): Promise<any> {
  return (await response).json();
}

const put = (body: unknown) =>
  t.app.request('/api/v1/settings/prices', {
    method: 'PUT',
    headers: { authorization: `Bearer ${t.ownerKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

// One result of 1M input and 1M output tokens of gpt-4o: $12.50 at the table's list prices.
const sync = async (scenario: string) => {
  const reply = await json(
    t.post('/api/v1/sync', {
      agent_name: 'support',
      results: [
        { scenario_id: scenario, user_message: 'q', agent_response: 'r', model: 'gpt-4o', tokens: { input: 1_000_000, output: 1_000_000 } },
      ],
    }),
  );
  return reply.trace_ids[0] as string;
};
const summary = async (id: string) => (await json(t.get(`/api/v1/traces/${id}`))).summary;

describe('workspace price override', () => {
  it('starts empty: estimates use the dated table', async () => {
    expect(await json(t.get('/api/v1/settings/prices'))).toEqual({ prices: {}, set_at: null });
    const before = await summary(await sync('before'));
    expect(before).toMatchObject({ cost_usd: 12.5, cost_estimated: true });
    expect(before.cost_prices_set_at).toBeUndefined();
    expect(PRICE_TABLE_DATE).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('is saved, audited, and used at ingest; the estimate says it used workspace prices', async () => {
    const saved = await put({ prices: { 'gpt-4o': { input: 1, output: 3 } } });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual({ prices: { 'gpt-4o': { input: 1, output: 3 } }, set_at: SET_AT });
    expect(await json(t.get('/api/v1/settings/prices'))).toEqual({ prices: { 'gpt-4o': { input: 1, output: 3 } }, set_at: SET_AT });

    const after = await summary(await sync('after'));
    expect(after).toMatchObject({ cost_usd: 4, cost_estimated: true, cost_prices_set_at: SET_AT });

    const audit = JSON.stringify(await json(t.get('/api/v1/audit')));
    expect(audit).toContain('settings.prices');
    expect(audit).toContain('gpt-4o');
  });

  it('re-analysis estimates again with the current prices; a reported cost stays', async () => {
    const id = await sync('reanalyzed');
    expect(await summary(id)).toMatchObject({ cost_usd: 12.5 });
    const reported = await json(
      t.post('/api/v1/sync', {
        agent_name: 'support',
        results: [
          {
            scenario_id: 'paid',
            user_message: 'q',
            agent_response: 'r',
            model: 'gpt-4o',
            tokens: { input: 10, output: 10 },
            cost_usd: 0.5,
          },
        ],
      }),
    );
    await put({ prices: { 'gpt-4o': { input: 2, output: 2 } } });
    expect((await t.post(`/api/v1/traces/${id}/analyze`, {})).status).toBe(200);
    expect(await summary(id)).toMatchObject({ cost_usd: 4, cost_estimated: true, cost_prices_set_at: SET_AT });
    expect((await t.post(`/api/v1/traces/${reported.trace_ids[0]}/analyze`, {})).status).toBe(200);
    expect(await summary(reported.trace_ids[0])).toMatchObject({ cost_usd: 0.5, cost_estimated: false });

    // Clearing the prices goes back to the table.
    expect(await json(put({ prices: {} }))).toEqual({ prices: {}, set_at: null });
    await t.post(`/api/v1/traces/${id}/analyze`, {});
    const back = await summary(id);
    expect(back).toMatchObject({ cost_usd: 12.5, cost_estimated: true });
    expect(back.cost_prices_set_at).toBeUndefined();
  });

  it('refuses a bad price with its path and stores nothing', async () => {
    const bad = await put({ prices: { 'gpt-4o': { input: 1, output: 2 }, 'my-model': { input: -1, output: 2 } } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('my-model');
    expect((await put({ prices: { 'gpt-4o': { input: 1 } } })).status).toBe(400);
    expect((await put({ models: {} })).status).toBe(400);
    expect(await json(t.get('/api/v1/settings/prices'))).toEqual({ prices: {}, set_at: null });
  });
});
