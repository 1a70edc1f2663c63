import { PRICE_TABLE_DATE } from '@stepwise/core';
import { useEffect, useState } from 'react';
import { api } from '../../api/endpoints';
import { ErrorBox, Loading } from '../../ui/feedback';
import { useAsync } from '../../ui/use-async';

interface Row {
  model: string;
  input: string;
  output: string;
}

const EMPTY: Row = { model: '', input: '', output: '' };

/** The workspace's own model prices, which override the built-in table when costs are estimated. */
export function PriceSettings() {
  const loaded = useAsync(() => api.getPrices(), []);
  const [rows, setRows] = useState<Row[]>([EMPTY]);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!loaded.data) return;
    const saved = Object.entries(loaded.data.prices).map(([model, p]) => ({ model, input: String(p.input), output: String(p.output) }));
    setRows(saved.length > 0 ? saved : [EMPTY]);
  }, [loaded.data]);
  if (loaded.status === 'error') return <ErrorBox error={loaded.error} onRetry={loaded.reload} />;
  if (loaded.status === 'loading') return <Loading />;

  const update = (i: number, patch: Partial<Row>) => setRows((all) => all.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const save = async () => {
    setError(null);
    setMessage(null);
    const prices: Record<string, { input: number; output: number }> = {};
    for (const [i, row] of rows.entries()) {
      const model = row.model.trim();
      if (model === '' && row.input.trim() === '' && row.output.trim() === '') continue;
      const input = Number(row.input);
      const output = Number(row.output);
      if (model === '') return setError(`Row ${i + 1}: enter a model id.`);
      if (row.input.trim() === '' || !Number.isFinite(input) || input < 0)
        return setError(`Row ${i + 1} (${model}): enter the input price, 0 or more.`);
      if (row.output.trim() === '' || !Number.isFinite(output) || output < 0)
        return setError(`Row ${i + 1} (${model}): enter the output price, 0 or more.`);
      prices[model] = { input, output };
    }
    try {
      const result = await api.putPrices(prices);
      setMessage(
        result.set_at === null
          ? `No workspace prices: estimates use the built-in table (${PRICE_TABLE_DATE} prices).`
          : `Saved. Traces ingested or re-analyzed from now on are estimated with these prices (set ${result.set_at.slice(0, 10)}).`,
      );
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <form
      className="settings-form"
      aria-label="Model prices"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2>Model prices</h2>
      <p className="muted small">
        When a test reports tokens but no cost, Stepwise estimates the cost with list prices as of {PRICE_TABLE_DATE}. Prices you enter here
        (USD per 1M tokens) replace them for the models you name — snapshots like <code>gpt-4o-2024-08-06</code> match <code>gpt-4o</code> —
        and such estimates are labeled “workspace prices”. They apply at ingest and when a trace is re-analyzed.{' '}
        {loaded.data.set_at === null ? 'Now: the built-in table only.' : `Now: set ${loaded.data.set_at.slice(0, 10)}.`}
      </p>
      <table className="table prices-table">
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Input $/1M</th>
            <th scope="col">Output $/1M</th>
            <th scope="col">
              <span className="sr-only">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              <td>
                <input
                  aria-label={`Model ${i + 1}`}
                  value={row.model}
                  onChange={(e) => update(i, { model: e.target.value })}
                  placeholder="e.g. gpt-4o"
                />
              </td>
              <td>
                <input
                  aria-label={`Input price ${i + 1}`}
                  type="number"
                  min={0}
                  step="any"
                  value={row.input}
                  onChange={(e) => update(i, { input: e.target.value })}
                />
              </td>
              <td>
                <input
                  aria-label={`Output price ${i + 1}`}
                  type="number"
                  min={0}
                  step="any"
                  value={row.output}
                  onChange={(e) => update(i, { output: e.target.value })}
                />
              </td>
              <td>
                <button
                  type="button"
                  className="btn btn-link"
                  onClick={() => setRows((all) => (all.length > 1 ? all.filter((_, j) => j !== i) : [EMPTY]))}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <button type="button" className="btn" onClick={() => setRows((all) => [...all, EMPTY])}>
          Add a model
        </button>
      </p>
      {message && <p className="ok-text">{message}</p>}
      {error && <p className="error-text">{error}</p>}
      <button type="submit" className="btn btn-primary">
        Save prices
      </button>
    </form>
  );
}
