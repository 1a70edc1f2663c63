import { collapseToolPath } from '@stepwise/core';

/**
 * A tool path folded for reading: consecutive repeats become one step with a count
 * (`get_reservation_details ×7`), and the whole path is clamped to two lines with the full path as
 * its title.
 */
export function ToolPath({ path }: { path: readonly string[] }) {
  if (path.length === 0) return <span className="muted">no tools</span>;
  const steps = collapseToolPath(path);
  return (
    <span className="tool-path" title={path.join(' → ')} data-calls={path.length}>
      {steps.map((step, i) => (
        <span key={i} className="tool-step">
          {i > 0 && <span className="tool-arrow"> → </span>}
          <span className="mono">{step.tool}</span>
          {step.count > 1 && <span className="tool-count"> ×{step.count}</span>}
        </span>
      ))}
    </span>
  );
}
