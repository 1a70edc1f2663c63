import { describe, expect, it } from 'vitest';
import { anchorMatches, longestIncreasing, myersMatches, positionalMatches } from './sequence-diff.js';

/** Deterministic pseudo-random integers (a linear congruential generator), so failures reproduce. */
function sequence(seed: number, length: number, alphabet: number): Int32Array {
  let state = seed >>> 0;
  const out = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state % alphabet;
  }
  return out;
}

function lcsLength(x: Int32Array, y: Int32Array): number {
  const row = new Array<number>(y.length + 1).fill(0);
  for (let i = 1; i <= x.length; i++) {
    let diagonal = 0;
    for (let j = 1; j <= y.length; j++) {
      const above = row[j]!;
      row[j] = x[i - 1] === y[j - 1] ? diagonal + 1 : Math.max(above, row[j - 1]!);
      diagonal = above;
    }
  }
  return row[y.length]!;
}

function expectValidMatches(x: Int32Array, y: Int32Array, m: { a: number[]; b: number[] }): void {
  expect(m.a).toHaveLength(m.b.length);
  for (let k = 0; k < m.a.length; k++) {
    expect(x[m.a[k]!]).toBe(y[m.b[k]!]);
    if (k > 0) {
      expect(m.a[k]!).toBeGreaterThan(m.a[k - 1]!);
      expect(m.b[k]!).toBeGreaterThan(m.b[k - 1]!);
    }
  }
}

describe('myersMatches', () => {
  it('finds a longest common subsequence of random sequences', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const x = sequence(seed, 5 + (seed % 17), 4);
      const y = sequence(seed * 7919, 3 + (seed % 13), 4);
      const m = myersMatches(x, 0, x.length, y, 0, y.length, 1000);
      expect(m).not.toBeNull();
      expectValidMatches(x, y, m!);
      expect(m!.a.length).toBe(lcsLength(x, y));
    }
  });

  it('works on sub-ranges and returns absolute indexes', () => {
    const x = Int32Array.from([9, 1, 2, 3, 9]);
    const y = Int32Array.from([8, 8, 1, 3, 8]);
    expect(myersMatches(x, 1, 4, y, 2, 4, 10)).toEqual({ a: [1, 3], b: [2, 3] });
  });

  it('handles empty ranges', () => {
    const x = Int32Array.from([1, 2]);
    expect(myersMatches(x, 0, 0, x, 0, 0, 5)).toEqual({ a: [], b: [] });
    expect(myersMatches(x, 0, 2, x, 0, 0, 5)).toEqual({ a: [], b: [] });
  });

  it('gives up once the edit distance passes the cap', () => {
    const x = Int32Array.from([1, 2, 3, 4]);
    const y = Int32Array.from([5, 6, 7, 8]);
    expect(myersMatches(x, 0, 4, y, 0, 4, 7)).toBeNull();
    expect(myersMatches(x, 0, 4, y, 0, 4, 8)).toEqual({ a: [], b: [] });
  });
});

describe('anchorMatches', () => {
  it('anchors on symbols unique to both sides, in order', () => {
    const x = Int32Array.from([1, 2, 2, 3, 4, 5]);
    const y = Int32Array.from([4, 1, 2, 3, 5]);
    // 2 repeats in x, so it is no anchor; 4 is out of order against 1, 3, 5.
    expect(anchorMatches(x, 0, x.length, y, 0, y.length, 6)).toEqual({ a: [0, 3, 5], b: [1, 3, 4] });
  });
});

describe('longestIncreasing', () => {
  it('returns the indexes of a longest strictly increasing run', () => {
    const values = [3, 1, 4, 1, 5, 9, 2, 6];
    const picked = longestIncreasing(values).map((i) => values[i]);
    expect(picked).toHaveLength(4);
    expect([...picked].sort((p, q) => p! - q!)).toEqual(picked);
    expect(longestIncreasing([])).toEqual([]);
  });
});

describe('positionalMatches', () => {
  it('pairs equal symbols at the same offset only', () => {
    const x = Int32Array.from([1, 2, 3]);
    const y = Int32Array.from([1, 3, 3, 4]);
    expect(positionalMatches(x, 0, 3, y, 0, 4)).toEqual({ a: [0, 2], b: [0, 2] });
  });
});
