// Geometry of a list whose rows all have one height except a few expanded ones. Offsets are
// computed from the short list of expanded rows, so 100,000 rows cost nothing until they are drawn.

export interface RowLayout {
  count: number;
  rowHeight: number;
  /** Indexes of expanded rows, ascending. */
  expanded: readonly number[];
  /** Measured heights of expanded rows; an unmeasured one counts as `rowHeight`. */
  heights: ReadonlyMap<number, number>;
}

function extraOf(layout: RowLayout, index: number): number {
  return (layout.heights.get(index) ?? layout.rowHeight) - layout.rowHeight;
}

/** Distance from the top of the list to row `index`. */
export function rowTop(layout: RowLayout, index: number): number {
  let top = index * layout.rowHeight;
  for (const j of layout.expanded) {
    if (j >= index) break;
    top += extraOf(layout, j);
  }
  return top;
}

export function rowHeightOf(layout: RowLayout, index: number): number {
  return layout.heights.get(index) ?? layout.rowHeight;
}

export function totalHeight(layout: RowLayout): number {
  let total = layout.count * layout.rowHeight;
  for (const j of layout.expanded) if (j < layout.count) total += extraOf(layout, j);
  return total;
}

/** The row under offset `y` (clamped to the list). */
export function rowAt(layout: RowLayout, y: number): number {
  if (layout.count === 0) return 0;
  let extra = 0;
  for (const j of layout.expanded) {
    const top = j * layout.rowHeight + extra;
    if (y < top) break;
    const height = rowHeightOf(layout, j);
    if (y < top + height) return j;
    extra += height - layout.rowHeight;
  }
  const index = Math.floor((y - extra) / layout.rowHeight);
  return Math.max(0, Math.min(layout.count - 1, index));
}
