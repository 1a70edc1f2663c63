import { describe, expect, it } from 'vitest';
import { spanningExtents, waterfallBar, type WaterfallEvent } from './waterfall';

describe('spanningExtents', () => {
  it('widens a parent to span its children and grandchildren', () => {
    const events: WaterfallEvent[] = [
      { id: 'root', startMs: 1000, durationMs: null },
      { id: 'step', parent_id: 'root', startMs: 1100, durationMs: 50 },
      { id: 'call', parent_id: 'step', startMs: 1120, durationMs: 400 },
      { id: 'other', startMs: 1600, durationMs: 20 },
    ];
    const extents = spanningExtents(events);
    expect(extents.get('call')).toEqual({ start: 1120, end: 1520 });
    expect(extents.get('step')).toEqual({ start: 1100, end: 1520 });
    expect(extents.get('root')).toEqual({ start: 1000, end: 1520 });
    expect(extents.get('other')).toEqual({ start: 1600, end: 1620 });
  });

  it('leaves out events without a known start and stops on a cycle', () => {
    const extents = spanningExtents([
      { id: 'a', parent_id: 'b', startMs: 0, durationMs: 10 },
      { id: 'b', parent_id: 'a', startMs: 5, durationMs: 30 },
      { id: 'c', parent_id: 'a', startMs: Number.NaN, durationMs: 999 },
    ]);
    expect(extents.get('a')).toEqual({ start: 0, end: 35 });
    expect(extents.get('b')).toEqual({ start: 0, end: 35 });
    expect(extents.has('c')).toBe(false);
  });
});

describe('waterfallBar', () => {
  it('places a bar by start offset and sizes it by duration relative to the span', () => {
    expect(waterfallBar({ start: 1250, end: 1500 }, 1000, 1000)).toEqual({ left: 0.25, width: 0.25 });
  });

  it('keeps a child bar inside its parent bar', () => {
    const extents = spanningExtents([
      { id: 'p', startMs: 0, durationMs: null },
      { id: 'c', parent_id: 'p', startMs: 300, durationMs: 200 },
    ]);
    const parent = waterfallBar(extents.get('p')!, 0, 1000)!;
    const child = waterfallBar(extents.get('c')!, 0, 1000)!;
    expect(child.left).toBeGreaterThanOrEqual(parent.left);
    expect(child.left + child.width).toBeLessThanOrEqual(parent.left + parent.width);
    expect(parent).toEqual({ left: 0, width: 0.5 });
  });

  it('clamps to the trace and keeps an instant visible', () => {
    const late = waterfallBar({ start: 900, end: 2000 }, 0, 1000)!;
    expect(late.left).toBe(0.9);
    expect(late.width).toBeCloseTo(0.1, 9);
    const instant = waterfallBar({ start: 1000, end: 1000 }, 0, 1000)!;
    expect(instant.width).toBeGreaterThan(0);
    expect(instant.left + instant.width).toBeLessThanOrEqual(1);
  });

  it('is null when timings are unknown', () => {
    expect(waterfallBar({ start: 0, end: 10 }, 0, null)).toBeNull();
    expect(waterfallBar({ start: 0, end: 10 }, 0, 0)).toBeNull();
    expect(waterfallBar({ start: Number.NaN, end: 10 }, 0, 100)).toBeNull();
  });
});
