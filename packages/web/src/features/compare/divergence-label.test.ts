import { describe, expect, it } from 'vitest';
import { divergenceLabel } from './divergence-label';

describe('divergenceLabel', () => {
  it('numbers the divergence by event, as the timeline and the sentence do, never by row', () => {
    expect(divergenceLabel({ a: 1, b: 1 })).toBe('event 1');
    expect(divergenceLabel({ a: 3, b: 5 })).toBe('event 3 of A, event 5 of B');
    expect(divergenceLabel({ a: 2, b: null })).toBe('event 2 of A (B has no matching event)');
    expect(divergenceLabel({ a: null, b: 4 })).toBe('event 4 of B (A has no matching event)');
  });
});
