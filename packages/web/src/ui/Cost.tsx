import { PRICE_TABLE_DATE } from '@stepwise/core';
import { formatCost } from './format';

/** A cost, marked as an estimate (with the price table's date) when Stepwise estimated it. */
export function Cost({ usd, estimated }: { usd: number | null; estimated: boolean | undefined }) {
  if (usd === null || !estimated) return <>{formatCost(usd)}</>;
  return (
    <span
      className="cost-estimate"
      title={`Estimated from token counts with list prices as of ${PRICE_TABLE_DATE}; not reported by the test`}
    >
      ≈{formatCost(usd)} <span className="muted small">est. ({PRICE_TABLE_DATE} prices)</span>
    </span>
  );
}
