/**
 * Longest-common-subsequence matching of two integer sequences, bounded in cost.
 *
 * `myersMatches` is Myers' O((N+M)·D) greedy diff; it gives up (returns `null`) once the edit
 * distance passes `maxD`, so unrelated inputs cost at most about maxD² steps instead of N·M.
 * `anchorMatches` is the coarse fallback: symbols that occur exactly once on each side become
 * anchors, and the longest increasing run of anchors is kept (patience-style).
 */

/**
 * Work allowed across several diffs of one alignment, in frontier steps (diagonals visited plus
 * snake moves). Shared so that many capped diffs over many gaps stay bounded as a whole.
 */
export interface WorkBudget {
  left: number;
}

/** Matched index pairs, ascending on both sides: `a[k]` matches `b[k]`. */
export interface Matches {
  a: number[];
  b: number[];
}

/**
 * Matches `x[xs..xe)` against `y[ys..ye)` with Myers' algorithm. Returns absolute indexes, or `null`
 * when more than `maxD` insertions and deletions would be needed or the budget runs out.
 */
export function myersMatches(
  x: Int32Array,
  xs: number,
  xe: number,
  y: Int32Array,
  ys: number,
  ye: number,
  maxD: number,
  budget: WorkBudget = { left: Number.POSITIVE_INFINITY },
): Matches | null {
  const n = xe - xs;
  const m = ye - ys;
  const limit = Math.min(maxD, n + m);
  const offset = limit + 1;
  const v = new Int32Array(2 * limit + 3);
  // history[d] is the frontier before step d; backtracking walks it in reverse.
  const history: Int32Array[] = [];
  let work = 0;
  for (let d = 0; d <= limit; d++) {
    if (work > budget.left) {
      budget.left = -1;
      return null;
    }
    history.push(v.slice(offset - d - 1, offset + d + 2));
    work += d + 1;
    for (let k = -d; k <= d; k += 2) {
      let xPos: number;
      if (k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)) xPos = v[offset + k + 1]!;
      else xPos = v[offset + k - 1]! + 1;
      let yPos = xPos - k;
      const from = xPos;
      while (xPos < n && yPos < m && x[xs + xPos] === y[ys + yPos]) {
        xPos++;
        yPos++;
      }
      work += xPos - from;
      v[offset + k] = xPos;
      if (xPos >= n && yPos >= m) {
        budget.left -= work;
        return backtrack(history, d, n, m, xs, ys);
      }
    }
  }
  budget.left -= work;
  return null;
}

function backtrack(history: Int32Array[], dEnd: number, n: number, m: number, xs: number, ys: number): Matches {
  const ra: number[] = [];
  const rb: number[] = [];
  let xPos = n;
  let yPos = m;
  for (let d = dEnd; d >= 0; d--) {
    const frontier = history[d]!;
    // frontier[j] holds diagonal j - d - 1.
    const at = (k: number): number => frontier[k + d + 1]!;
    const k = xPos - yPos;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : at(prevK);
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (xPos > prevX && yPos > prevY) {
      xPos--;
      yPos--;
      ra.push(xs + xPos);
      rb.push(ys + yPos);
    }
    xPos = prevX;
    yPos = prevY;
  }
  ra.reverse();
  rb.reverse();
  return { a: ra, b: rb };
}

/**
 * Anchors on symbols that occur exactly once in each range, keeping the longest run of anchors
 * that is in the same order on both sides. `symbolCount` bounds the symbol values.
 */
export function anchorMatches(x: Int32Array, xs: number, xe: number, y: Int32Array, ys: number, ye: number, symbolCount: number): Matches {
  // count > 0: seen once at position count-1; -1: seen more than once.
  const inX = new Int32Array(symbolCount);
  const inY = new Int32Array(symbolCount);
  for (let i = xs; i < xe; i++) {
    const s = x[i]!;
    inX[s] = inX[s] === 0 ? i + 1 : -1;
  }
  for (let j = ys; j < ye; j++) {
    const s = y[j]!;
    inY[s] = inY[s] === 0 ? j + 1 : -1;
  }
  const candA: number[] = [];
  const candB: number[] = [];
  for (let i = xs; i < xe; i++) {
    const s = x[i]!;
    if (inX[s]! > 0 && inY[s]! > 0) {
      candA.push(i);
      candB.push(inY[s]! - 1);
    }
  }
  const keep = longestIncreasing(candB);
  return { a: keep.map((k) => candA[k]!), b: keep.map((k) => candB[k]!) };
}

/** Indexes of a longest strictly increasing subsequence of `values` (O(k log k)). */
export function longestIncreasing(values: readonly number[]): number[] {
  const tails: number[] = []; // tails[l]: index of the smallest tail of an increasing run of length l+1
  const previous = new Int32Array(values.length).fill(-1);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (values[tails[mid]!]! < value) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) previous[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const out: number[] = [];
  let at = tails.length > 0 ? tails[tails.length - 1]! : -1;
  while (at >= 0) {
    out.push(at);
    at = previous[at]!;
  }
  return out.reverse();
}

/** Pairs positions one to one from the start of each range, where the symbols are equal. */
export function positionalMatches(x: Int32Array, xs: number, xe: number, y: Int32Array, ys: number, ye: number): Matches {
  const a: number[] = [];
  const b: number[] = [];
  const len = Math.min(xe - xs, ye - ys);
  for (let k = 0; k < len; k++) {
    if (x[xs + k] === y[ys + k]) {
      a.push(xs + k);
      b.push(ys + k);
    }
  }
  return { a, b };
}
