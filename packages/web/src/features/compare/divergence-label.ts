/**
 * Where two traces diverge, in the one numbering the dashboard uses everywhere: event indexes as
 * the timeline shows them (not the position of the row in the side-by-side view).
 */
export function divergenceLabel(divergence: { a: number | null; b: number | null }): string {
  const { a, b } = divergence;
  if (a !== null && b !== null) return a === b ? `event ${a}` : `event ${a} of A, event ${b} of B`;
  if (a !== null) return `event ${a} of A (B has no matching event)`;
  if (b !== null) return `event ${b} of B (A has no matching event)`;
  return 'the end';
}
