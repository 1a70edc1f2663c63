import { z } from 'zod';

/** The day the prices below were last checked against the providers' public price pages. */
export const PRICE_TABLE_DATE = '2025-12-01';

/** USD per one million tokens, standard (non-batch, non-cached) rates. */
export interface ModelPrice {
  input: number;
  output: number;
}

/**
 * List prices per million tokens. Google's tiered models use the lower tier (prompts up to
 * 128K/200K tokens); cached-input and batch discounts are not applied. Keys are canonical model ids;
 * dated snapshots (`gpt-4o-2024-08-06`, `claude-3-5-sonnet-20241022`) resolve to them.
 */
export const PRICE_TABLE: Readonly<Record<string, ModelPrice>> = {
  // OpenAI
  'gpt-4o': { input: 2.5, output: 10 },
  // The first gpt-4o snapshot kept its launch price.
  'gpt-4o-2024-05-13': { input: 5, output: 15 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  o1: { input: 15, output: 60 },
  o3: { input: 2, output: 8 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-chat': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  // Anthropic
  'claude-3-haiku': { input: 0.25, output: 1.25 },
  'claude-3-opus': { input: 15, output: 75 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-3-5-sonnet': { input: 3, output: 15 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-opus-4': { input: 15, output: 75 },
  'claude-opus-4-1': { input: 15, output: 75 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-opus-4-5': { input: 5, output: 25 },
  // Google
  'gemini-1.5-pro': { input: 1.25, output: 5 },
  'gemini-1.5-flash': { input: 0.075, output: 0.3 },
  'gemini-1.5-flash-8b': { input: 0.0375, output: 0.15 },
  'gemini-2.0-flash': { input: 0.1, output: 0.4 },
  'gemini-2.0-flash-lite': { input: 0.075, output: 0.3 },
  'gemini-2.5-pro': { input: 1.25, output: 10 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4 },
};

// Other spellings people and SDKs use for the same models.
const ALIASES: Readonly<Record<string, string>> = {
  'claude-3.5-sonnet': 'claude-3-5-sonnet',
  'claude-3.5-haiku': 'claude-3-5-haiku',
  'claude-3.7-sonnet': 'claude-3-7-sonnet',
  'claude-4-sonnet': 'claude-sonnet-4',
  'claude-4-opus': 'claude-opus-4',
  'claude-sonnet-4.5': 'claude-sonnet-4-5',
  'claude-4.5-sonnet': 'claude-sonnet-4-5',
  'claude-haiku-4.5': 'claude-haiku-4-5',
  'claude-4.5-haiku': 'claude-haiku-4-5',
  'claude-opus-4.5': 'claude-opus-4-5',
  'claude-4.5-opus': 'claude-opus-4-5',
  'claude-opus-4.1': 'claude-opus-4-1',
  'claude-4.1-opus': 'claude-opus-4-1',
};

/** A workspace's prices as sent to `PUT /api/v1/settings/prices`: USD per 1M input and output tokens, per model id. */
export const WorkspacePrices = z
  .record(
    z.string().trim().min(1).max(200),
    z.strictObject({ input: z.number().finite().nonnegative().max(10_000), output: z.number().finite().nonnegative().max(10_000) }),
  )
  .refine((prices) => Object.keys(prices).length <= 500, { message: 'at most 500 models' });

/**
 * A workspace's own prices, which override the built-in table for the models they name.
 * Keys are model ids as sent (matched like the table: case, provider prefix and dated snapshot ignored).
 */
export interface PriceOverride {
  prices: Readonly<Record<string, ModelPrice>>;
  /** When the workspace set them (ISO date or timestamp), shown instead of the table's date. */
  set_at: string;
}

/** Where an estimate's prices came from: the built-in table (with its date) or the workspace's own. */
export type PriceSource = { source: 'table'; date: string } | { source: 'workspace'; date: string };

export type CostEstimate =
  | { usd: number; price_table_date: string; prices: PriceSource }
  | { usd: null; reason: 'unknown model' | 'no token counts' | 'only total tokens' };

/** Options for estimateCost: the workspace's price override, if it has one. */
export interface CostOptions {
  override?: PriceOverride;
}

/**
 * Estimated cost of a run in USD from its model and token counts. Never guesses: an unknown model
 * answers `unknown model`, and a total without the input/output split answers `only total tokens`
 * (input and output are priced differently, up to 8x). If one side is missing but the total is
 * known, the other side is total minus the known side.
 *
 * @example estimateCost('gpt-4o-2024-08-06', { input: 1000, output: 500 }) // { usd: 0.0075, price_table_date: '2025-12-01', prices: { source: 'table', date: '2025-12-01' } }
 */
export function estimateCost(
  model: string | undefined,
  tokens: { input?: number; output?: number; total?: number } | undefined,
  options: CostOptions = {},
): CostEstimate {
  const overridden = model === undefined || !options.override ? undefined : overridePriceOf(options.override, model);
  const price = overridden ?? (model === undefined ? undefined : priceOf(model));
  if (!price) return { usd: null, reason: 'unknown model' };
  const prices: PriceSource =
    overridden && options.override ? { source: 'workspace', date: options.override.set_at } : { source: 'table', date: PRICE_TABLE_DATE };
  let { input, output } = tokens ?? {};
  const total = tokens?.total;
  if (input === undefined && output !== undefined && total !== undefined && total >= output) input = total - output;
  if (output === undefined && input !== undefined && total !== undefined && total >= input) output = total - input;
  if (input === undefined || output === undefined) {
    return {
      usd: null,
      reason: total !== undefined && input === undefined && output === undefined ? 'only total tokens' : 'no token counts',
    };
  }
  const usd = (input * price.input + output * price.output) / 1_000_000;
  // Round to a millionth of a dollar so sums of floats print cleanly.
  return { usd: Math.round(usd * 1e6) / 1e6, price_table_date: PRICE_TABLE_DATE, prices };
}

/** The workspace's price for a model: by its id as given, then by its canonical id (snapshots and prefixes dropped). */
export function overridePriceOf(override: PriceOverride, model: string): ModelPrice | undefined {
  const byKey = new Map<string, ModelPrice>();
  for (const [key, price] of Object.entries(override.prices)) byKey.set(key.trim().toLowerCase(), price);
  return byKey.get(model.trim().toLowerCase()) ?? byKey.get(canonicalModelId(model));
}

/**
 * The words an estimate's label uses for its prices: `2025-12-01 prices` for the table,
 * `workspace prices, set 2026-03-01` for an override.
 *
 * @example priceSourceLabel({ source: 'workspace', date: '2026-03-01T10:00:00Z' }) // 'workspace prices, set 2026-03-01'
 */
export function priceSourceLabel(prices: PriceSource): string {
  return prices.source === 'workspace' ? `workspace prices, set ${prices.date.slice(0, 10)}` : `${prices.date} prices`;
}

/** The price entry for a model id, resolving provider prefixes, dated snapshots and aliases. */
export function priceOf(model: string): ModelPrice | undefined {
  const exact = own(
    PRICE_TABLE,
    model
      .trim()
      .toLowerCase()
      .replace(/^(?:openai|anthropic|google)\//, ''),
  );
  if (exact) return exact;
  const id = canonicalModelId(model);
  const alias = own(ALIASES, id);
  return own(PRICE_TABLE, id) ?? (alias === undefined ? undefined : own(PRICE_TABLE, alias));
}

// Plain lookups would find `constructor` and friends on the prototype.
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/**
 * `openai/gpt-4o-2024-08-06` → `gpt-4o`; `anthropic.claude-3-5-sonnet-20241022-v2:0` →
 * `claude-3-5-sonnet`; `models/gemini-1.5-pro-002` → `gemini-1.5-pro`.
 */
export function canonicalModelId(model: string): string {
  let id = model.trim().toLowerCase();
  id = id.replace(/^(?:models\/|[a-z0-9_-]+\/)+/, '');
  id = id.replace(/^(?:anthropic|openai|google|us|eu|apac|global)\./, '').replace(/^(?:anthropic|openai|google)\./, '');
  id = id.replace(/-v\d+(?::\d+)?$/, '');
  id = id.replace(/@\d{8}$/, '');
  // Preview and experimental releases are priced on their own, so they stay unknown.
  id = id.replace(/-(?:latest|\d{4}-\d{2}-\d{2}|\d{8}|\d{3})$/, '');
  return id;
}
