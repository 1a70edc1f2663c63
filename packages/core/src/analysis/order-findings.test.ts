import { describe, expect, it } from 'vitest';
import { orderFindings } from './order-findings.js';

describe('orderFindings', () => {
  it('leads with what the verdict rests on: expectation, then evidence, then heuristic', () => {
    const found = orderFindings([
      { pattern: 'a', severity: 'high', basis: 'heuristic' },
      { pattern: 'b', severity: 'low', basis: 'evidence' },
      { pattern: 'c', severity: 'medium', basis: 'expectation' },
    ]);
    expect(found.map((f) => f.pattern)).toEqual(['c', 'b', 'a']);
  });

  it('falls back to severity when findings carry no basis, keeping ties in analyzer order', () => {
    const found = orderFindings([
      { pattern: 'a', severity: 'low' },
      { pattern: 'b', severity: 'high' },
      { pattern: 'c', severity: 'low' },
      { pattern: 'd', severity: 'medium' },
    ]);
    expect(found.map((f) => f.pattern)).toEqual(['b', 'd', 'a', 'c']);
  });
});
