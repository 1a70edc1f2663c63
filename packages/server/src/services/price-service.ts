import { StepwiseError, validate, WorkspacePrices, type PriceOverride } from '@stepwise/core';
import { z } from 'zod';
import type { AccessStore } from '../store/access-store.js';

/** What `GET|PUT /api/v1/settings/prices` answers: the workspace's prices and when they were set (null: none). */
export interface PriceSettings {
  prices: Record<string, { input: number; output: number }>;
  set_at: string | null;
}

const PricesBody = z.strictObject({ prices: WorkspacePrices });

/**
 * A workspace's own model prices (USD per 1M input and output tokens), which override the built-in
 * table when costs are estimated at ingest and re-analysis. Read from the workspace row on each use,
 * so every process sharing the database applies a change at once.
 */
export class PriceService {
  constructor(
    private readonly store: AccessStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The override to pass to estimateCost, or undefined when the workspace uses the table. */
  async overrideFor(workspaceId: string): Promise<PriceOverride | undefined> {
    const json = (await this.store.getWorkspace(workspaceId))?.prices_json ?? null;
    if (json === null) return undefined;
    // Stored prices were validated when saved; the table is the safe fallback regardless.
    try {
      const parsed = JSON.parse(json) as PriceOverride;
      return Object.keys(parsed.prices).length > 0 ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  async settings(workspaceId: string): Promise<PriceSettings> {
    const override = await this.overrideFor(workspaceId);
    return override ? { prices: { ...override.prices }, set_at: override.set_at } : { prices: {}, set_at: null };
  }

  /** Validates and saves a workspace's prices (an empty map goes back to the table); a bad price is refused with its path. */
  async update(workspaceId: string, input: unknown): Promise<PriceSettings> {
    // Services sit below the doors: validate here with core, as the REST body parser does.
    const checked = validate(PricesBody, input, '$');
    if (!checked.ok) throw new StepwiseError('invalid_request', 'the request body is invalid', { issues: checked.errors });
    const { prices } = checked.value;
    if (Object.keys(prices).length === 0) {
      await this.store.updateWorkspace(workspaceId, { prices_json: null });
      return { prices: {}, set_at: null };
    }
    const override: PriceOverride = { prices, set_at: this.now().toISOString() };
    await this.store.updateWorkspace(workspaceId, { prices_json: JSON.stringify(override) });
    return { prices, set_at: override.set_at };
  }
}
