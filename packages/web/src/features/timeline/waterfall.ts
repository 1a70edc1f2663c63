/** The fields of an event that the waterfall reads: its place in the tree and its timing. */
export interface WaterfallEvent {
  id?: string;
  parent_id?: string;
  /** When the event started (ms since epoch); NaN when unknown. */
  startMs: number;
  /** How long it took; null when it carries no duration (an instant). */
  durationMs: number | null;
}

/** A time range in ms since epoch. */
export interface Extent {
  start: number;
  end: number;
}

/** Where a bar sits on the waterfall, as fractions of the trace's span (0 = trace start, 1 = its end). */
export interface WaterfallBar {
  left: number;
  width: number;
}

const MAX_DEPTH = 16;
/** The narrowest bar drawn, so a 0 ms call stays visible. */
const MIN_WIDTH = 0.004;

/**
 * The time each event with an id covers: its own start to its own end, widened to cover every
 * descendant (by the `parent_id` chain), so a parent spans its children. Events without a known
 * start are left out; a cycle or an overlong chain stops at MAX_DEPTH.
 *
 * @example spanningExtents([{ id: 'a', startMs: 0, durationMs: null }, { parent_id: 'a', startMs: 5, durationMs: 10 }]).get('a') // { start: 0, end: 15 }
 */
export function spanningExtents(events: Iterable<WaterfallEvent>): Map<string, Extent> {
  const list = [...events].filter((e) => Number.isFinite(e.startMs));
  const parentOf = new Map<string, string>();
  const extents = new Map<string, Extent>();
  for (const event of list) {
    if (event.id === undefined) continue;
    if (event.parent_id !== undefined) parentOf.set(event.id, event.parent_id);
    extents.set(event.id, ownExtent(event));
  }
  for (const event of list) {
    const own = ownExtent(event);
    const seen = new Set<string>();
    let parent = event.parent_id;
    for (let depth = 0; parent !== undefined && depth < MAX_DEPTH && !seen.has(parent); depth++) {
      seen.add(parent);
      const extent = extents.get(parent);
      if (extent) {
        extent.start = Math.min(extent.start, own.start);
        extent.end = Math.max(extent.end, own.end);
      }
      parent = parentOf.get(parent);
    }
  }
  return extents;
}

/** The event's own time range: a duration-less event is an instant. */
export function ownExtent(event: WaterfallEvent): Extent {
  const duration = event.durationMs !== null && event.durationMs > 0 ? event.durationMs : 0;
  return { start: event.startMs, end: event.startMs + duration };
}

/**
 * The bar for a time range within a trace that starts at `traceStartMs` and lasts `spanMs`, clamped to
 * the trace; null when the timings are unknown (no span, or no start).
 *
 * @example waterfallBar({ start: 250, end: 500 }, 0, 1000) // { left: 0.25, width: 0.25 }
 */
export function waterfallBar(extent: Extent, traceStartMs: number, spanMs: number | null): WaterfallBar | null {
  if (spanMs === null || !(spanMs > 0) || !Number.isFinite(extent.start) || !Number.isFinite(traceStartMs)) return null;
  const left = clamp((extent.start - traceStartMs) / spanMs);
  const right = clamp((extent.end - traceStartMs) / spanMs);
  const width = Math.max(MIN_WIDTH, right - left);
  return { left: Math.min(left, 1 - width), width };
}

function clamp(x: number): number {
  return Math.max(0, Math.min(1, x));
}
