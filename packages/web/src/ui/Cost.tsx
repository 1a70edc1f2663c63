import { PRICE_TABLE_DATE, priceSourceLabel } from '@stepwise/core';
import { formatCost } from './format';

/**
 * A cost, marked as an estimate when Stepwise estimated it: with the price table's date, or with
 * "workspace prices" and the day they were set when the workspace's own prices were used.
 */
export function Cost({
  usd,
  estimated,
  pricesSetAt,
}: {
  usd: number | null;
  estimated: boolean | undefined;
  pricesSetAt?: string | undefined;
}) {
  if (usd === null || !estimated) return <>{formatCost(usd)}</>;
  const label = priceSourceLabel(
    pricesSetAt === undefined ? { source: 'table', date: PRICE_TABLE_DATE } : { source: 'workspace', date: pricesSetAt },
  );
  const title =
    pricesSetAt === undefined
      ? `Estimated from token counts with list prices as of ${PRICE_TABLE_DATE}; not reported by the test`
      : `Estimated from token counts with this workspace's prices (set ${pricesSetAt.slice(0, 10)}); not reported by the test`;
  return (
    <span className="cost-estimate" title={title}>
      ≈{formatCost(usd)} <span className="muted small">est. ({label})</span>
    </span>
  );
}
