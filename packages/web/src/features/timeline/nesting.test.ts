import { describe, expect, it } from 'vitest';
import { nestingDepth, type Nestable } from './nesting';

const events: Nestable[] = [
  { id: 'root' },
  { id: 'step', parent_id: 'root' },
  { id: 'call', parent_id: 'step' },
  { id: 'loose', parent_id: 'gone' },
];
const byId = (id: string) => events.find((e) => e.id === id);

describe('nestingDepth', () => {
  it('nests events under their parent_id chain', () => {
    expect(events.map((e) => nestingDepth(e, byId))).toEqual([0, 1, 2, 1]);
  });

  it('stops on a cycle instead of looping', () => {
    const cyclic: Nestable[] = [
      { id: 'a', parent_id: 'b' },
      { id: 'b', parent_id: 'a' },
    ];
    expect(nestingDepth(cyclic[0]!, (id) => cyclic.find((e) => e.id === id))).toBe(2);
  });
});
