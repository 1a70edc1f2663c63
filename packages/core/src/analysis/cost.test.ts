import { describe, expect, it } from 'vitest';
import { canonicalModelId, estimateCost, PRICE_TABLE_DATE } from './cost.js';

describe('estimateCost', () => {
  it('prices input and output tokens separately, with the table date', () => {
    expect(estimateCost('gpt-4o', { input: 1000, output: 500 })).toEqual({ usd: 0.0075, price_table_date: PRICE_TABLE_DATE });
    expect(estimateCost('claude-3-5-sonnet-20241022', { input: 1_000_000, output: 1_000_000 })).toEqual({
      usd: 18,
      price_table_date: PRICE_TABLE_DATE,
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
    expect(estimateCost('gpt-4o', { input: 1000, total: 1500 })).toEqual({ usd: 0.0075, price_table_date: PRICE_TABLE_DATE });
  });
});
