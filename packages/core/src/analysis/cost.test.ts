import { describe, expect, it } from 'vitest';
import { canonicalModelId, estimateCost, PRICE_TABLE_DATE, priceSourceLabel, WorkspacePrices, type PriceOverride } from './cost.js';

const TABLE = { source: 'table', date: PRICE_TABLE_DATE } as const;

describe('workspace price override', () => {
  const override: PriceOverride = {
    prices: { 'gpt-4o': { input: 1, output: 2 }, 'my-finetune': { input: 3, output: 6 } },
    set_at: '2026-03-01T10:00:00Z',
  };

  it('uses the workspace price for the models it names, snapshots included, and says so', () => {
    expect(estimateCost('gpt-4o-2024-08-06', { input: 1_000_000, output: 1_000_000 }, { override })).toEqual({
      usd: 3,
      price_table_date: PRICE_TABLE_DATE,
      prices: { source: 'workspace', date: '2026-03-01T10:00:00Z' },
    });
    // A model only the workspace knows is priced too.
    expect(estimateCost('My-Finetune', { input: 1000, output: 1000 }, { override })).toMatchObject({
      usd: 0.009,
      prices: { source: 'workspace' },
    });
  });

  it('falls back to the table for models the override does not name', () => {
    expect(estimateCost('claude-3-5-sonnet', { input: 1_000_000, output: 0 }, { override })).toMatchObject({ usd: 3, prices: TABLE });
    expect(estimateCost('unknown-model', { input: 1, output: 1 }, { override })).toEqual({ usd: null, reason: 'unknown model' });
  });

  it('labels the source of the prices', () => {
    expect(priceSourceLabel({ source: 'workspace', date: '2026-03-01T10:00:00Z' })).toBe('workspace prices, set 2026-03-01');
    expect(priceSourceLabel(TABLE)).toBe(`${PRICE_TABLE_DATE} prices`);
  });

  it('validates prices sent to the API, naming the bad one', () => {
    expect(WorkspacePrices.safeParse({ 'gpt-4o': { input: 1, output: 2 } }).success).toBe(true);
    const bad = WorkspacePrices.safeParse({ 'gpt-4o': { input: -1, output: 2 } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['gpt-4o', 'input']);
    expect(WorkspacePrices.safeParse({ 'gpt-4o': { input: 1 } }).success).toBe(false);
  });
});

describe('estimateCost', () => {
  it('prices input and output tokens separately, with the table date', () => {
    expect(estimateCost('gpt-4o', { input: 1000, output: 500 })).toEqual({
      usd: 0.0075,
      price_table_date: PRICE_TABLE_DATE,
      prices: TABLE,
    });
    expect(estimateCost('claude-3-5-sonnet-20241022', { input: 1_000_000, output: 1_000_000 })).toEqual({
      usd: 18,
      price_table_date: PRICE_TABLE_DATE,
      prices: TABLE,
    });
  });

  it.each([
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['openai/gpt-4.1-mini-2025-04-14', 'gpt-4.1-mini'],
    ['anthropic.claude-3-5-sonnet-20241022-v2:0', 'claude-3-5-sonnet'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['models/gemini-1.5-pro-002', 'gemini-1.5-pro'],
    ['claude-3-7-sonnet-latest', 'claude-3-7-sonnet'],
  ])('resolves %s to %s', (model, id) => {
    expect(canonicalModelId(model)).toBe(id);
    expect(estimateCost(model, { input: 1, output: 1 }).usd).not.toBeNull();
  });

  it('keeps snapshots with their own price apart', () => {
    expect(estimateCost('gpt-4o-2024-05-13', { input: 1_000_000, output: 0 }).usd).toBe(5);
    expect(estimateCost('gpt-4o-mini', { input: 1_000_000, output: 0 }).usd).toBe(0.15);
  });

  it('says unknown for unknown models rather than guessing', () => {
    expect(estimateCost('my-local-llama', { input: 1, output: 1 })).toEqual({ usd: null, reason: 'unknown model' });
    expect(estimateCost('gemini-2.5-flash-preview-05-20', { input: 1, output: 1 })).toEqual({ usd: null, reason: 'unknown model' });
    expect(estimateCost('constructor', { input: 1, output: 1 })).toEqual({ usd: null, reason: 'unknown model' });
    expect(estimateCost(undefined, { input: 1, output: 1 })).toEqual({ usd: null, reason: 'unknown model' });
  });

  it('refuses to split a bare total, but derives a missing side from the total', () => {
    expect(estimateCost('gpt-4o', { total: 1500 })).toEqual({ usd: null, reason: 'only total tokens' });
    expect(estimateCost('gpt-4o', {})).toEqual({ usd: null, reason: 'no token counts' });
    expect(estimateCost('gpt-4o', { input: 1000 })).toEqual({ usd: null, reason: 'no token counts' });
    expect(estimateCost('gpt-4o', { input: 1000, total: 1500 })).toEqual({
      usd: 0.0075,
      price_table_date: PRICE_TABLE_DATE,
      prices: TABLE,
    });
  });
});
