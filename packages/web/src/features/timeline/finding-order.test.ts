import { describe, expect, it } from 'vitest';
import type { Finding } from '../../api/types';
import { byBasis } from './finding-order';

const finding = (pattern: string, basis?: Finding['basis']): Finding => ({
  pattern,
  category: 'reasoning_failure',
  severity: 'high',
  event_indexes: [],
  summary: pattern,
  ...(basis ? { basis } : {}),
});

describe('byBasis', () => {
  it('lists failed expectations first, then evidence, then hints, keeping order within each', () => {
    const ordered = byBasis([
      finding('hint-a', 'heuristic'),
      finding('loop', 'evidence'),
      finding('tool_misuse', 'expectation'),
      finding('claim', 'evidence'),
      finding('old'),
    ]);
    expect(ordered.map((f) => f.pattern)).toEqual(['tool_misuse', 'loop', 'claim', 'old', 'hint-a']);
  });
});
