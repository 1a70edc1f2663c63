import type { RunSummary } from '../../api/types';
import { formatDate, formatPercent, humanize } from '../../ui/format';

const SERIES_COLORS = ['var(--series-1)', 'var(--series-2)', 'var(--series-3)', 'var(--series-4)', 'var(--series-5)', 'var(--series-6)'];

/** Pass rate of each agent's runs over time, one line per agent (SVG, no library). */
export function PassRateChart({ runs }: { runs: RunSummary[] }) {
  const rated = runs.filter((run) => run.pass_rate !== null).sort((x, y) => Date.parse(x.created_at) - Date.parse(y.created_at));
  const agents = [...new Set(rated.map((run) => run.agent_name))];
  const width = 560;
  const height = 180;
  const pad = { left: 40, right: 12, top: 12, bottom: 24 };
  // Runs are spaced evenly in time order: what matters is the sequence of runs, not the gaps between them.
  const order = new Map(rated.map((run, i) => [run.id, i]));
  const steps = Math.max(1, rated.length - 1);
  const x = (run: RunSummary) =>
    rated.length === 1
      ? (pad.left + width - pad.right) / 2
      : pad.left + ((order.get(run.id) ?? 0) / steps) * (width - pad.left - pad.right);
  const firstRun = rated[0];
  const lastRun = rated[rated.length - 1];
  const y = (rate: number) => pad.top + (1 - rate) * (height - pad.top - pad.bottom);

  return (
    <figure className="chart">
      <figcaption>Pass rate per agent</figcaption>
      {rated.length === 0 ? (
        <p className="muted chart-empty">No runs with verdicts in this view.</p>
      ) : (
        <>
          <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Pass rate per agent across runs" className="chart-svg">
            {[0, 0.5, 1].map((tick) => (
              <g key={tick}>
                <line x1={pad.left} x2={width - pad.right} y1={y(tick)} y2={y(tick)} className="chart-grid" />
                <text x={pad.left - 6} y={y(tick) + 4} textAnchor="end" className="chart-tick">
                  {formatPercent(tick)}
                </text>
              </g>
            ))}
            {firstRun && (
              <text x={pad.left} y={height - 6} className="chart-tick">
                {formatDate(firstRun.created_at)}
              </text>
            )}
            {lastRun && lastRun !== firstRun && (
              <text x={width - pad.right} y={height - 6} textAnchor="end" className="chart-tick">
                {formatDate(lastRun.created_at)}
              </text>
            )}
            {agents.map((agent, i) => {
              const points = rated.filter((run) => run.agent_name === agent);
              const color = SERIES_COLORS[i % SERIES_COLORS.length];
              const d = points.map((run, j) => `${j === 0 ? 'M' : 'L'}${x(run).toFixed(1)},${y(run.pass_rate ?? 0).toFixed(1)}`).join(' ');
              return (
                <g key={agent} style={{ color }}>
                  <path d={d} className="chart-line" />
                  {points.map((run) => (
                    <circle key={run.id} cx={x(run)} cy={y(run.pass_rate ?? 0)} r={4} className="chart-point">
                      <title>{`${agent} · ${run.name ?? run.id} · ${formatPercent(run.pass_rate)} (${run.passed}/${run.total}) · ${formatDate(run.created_at)}`}</title>
                    </circle>
                  ))}
                </g>
              );
            })}
          </svg>
          <ul className="chart-legend">
            {agents.map((agent, i) => (
              <li key={agent}>
                <span className="legend-swatch" style={{ background: SERIES_COLORS[i % SERIES_COLORS.length] }} />
                {agent}
              </li>
            ))}
          </ul>
        </>
      )}
    </figure>
  );
}

/** Findings per failure pattern across the listed runs, as horizontal bars. */
export function FindingsChart({ runs }: { runs: RunSummary[] }) {
  const totals = new Map<string, number>();
  for (const run of runs) {
    for (const [pattern, count] of Object.entries(run.findings_by_pattern)) totals.set(pattern, (totals.get(pattern) ?? 0) + count);
  }
  const rows = [...totals.entries()].filter(([, n]) => n > 0).sort((p, q) => q[1] - p[1] || p[0].localeCompare(q[0]));
  const max = Math.max(1, ...rows.map(([, n]) => n));
  const barHeight = 22;
  const labelWidth = 190;
  const width = 460;
  const height = Math.max(1, rows.length) * barHeight + 4;
  return (
    <figure className="chart">
      <figcaption>Findings by pattern</figcaption>
      {rows.length === 0 ? (
        <p className="muted chart-empty">No findings in this view.</p>
      ) : (
        <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Findings by pattern" className="chart-svg">
          {rows.map(([pattern, count], i) => {
            const w = (count / max) * (width - labelWidth - 40);
            return (
              <g key={pattern} transform={`translate(0 ${i * barHeight})`}>
                <text x={labelWidth - 8} y={15} textAnchor="end" className="chart-label">
                  {humanize(pattern)}
                </text>
                <rect x={labelWidth} y={4} width={Math.max(2, w)} height={barHeight - 8} rx={3} className={`chart-bar pattern-${pattern}`}>
                  <title>{`${humanize(pattern)}: ${count}`}</title>
                </rect>
                <text x={labelWidth + w + 6} y={15} className="chart-tick">
                  {count}
                </text>
              </g>
            );
          })}
        </svg>
      )}
    </figure>
  );
}
