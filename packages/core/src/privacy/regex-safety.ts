// A conservative static check for user-supplied patterns. JavaScript regexes backtrack, and a
// pattern such as `(a+)+$` takes exponential time on `aaaa…b`; one such custom rule would stall
// ingestion for every trace of a workspace. We cannot time a regex in core (no clocks), so we reject
// the shapes that cause exponential backtracking: a repeated group that contains an unbounded
// quantifier (`(a+)+`, `(.*)*`, `(\w+\s?)*`) or alternatives that can match the same text
// (`(a|a)*`, `(a|ab)+`, `(\d|\w)*`, `(|a)*`). Some safe patterns are rejected too; that is the price
// of a check that needs no clock.

interface Node {
  kind: 'atom' | 'group';
  /** For atoms: a key for what the atom can match: a literal char, or `*` for "a class of chars". */
  first: string;
  /** Alternatives, for groups. */
  alternatives: Node[][];
  /** Quantifier: unbounded (`*`, `+`, `{n,}`) or repeating more than once (`{2,5}`). */
  unbounded: boolean;
  repeats: boolean;
}

export class RegexShapeError extends Error {}

/** Returns a description of why `source` may backtrack catastrophically, or null when it looks safe. */
export function catastrophicBacktrackingReason(source: string, ignoreCase = false): string | null {
  let tree: Node[][];
  try {
    tree = parse(source);
  } catch (err) {
    return err instanceof RegexShapeError ? err.message : 'could not be analyzed';
  }
  return checkAlternatives(tree, ignoreCase, false);
}

function parse(source: string): Node[][] {
  let i = 0;
  const parseAlternatives = (depth: number): Node[][] => {
    const alternatives: Node[][] = [[]];
    while (i < source.length) {
      const c = source[i] ?? '';
      if (c === ')') {
        if (depth === 0) throw new RegexShapeError('has an unmatched ")"');
        return alternatives;
      }
      if (c === '|') {
        alternatives.push([]);
        i++;
        continue;
      }
      let node: Node;
      if (c === '(') {
        i++;
        if (source[i] === '?') {
          // (?: (?= (?! (?<= (?<! (?<name>
          i++;
          if (source[i] === '<' && source[i + 1] !== '=' && source[i + 1] !== '!') {
            const close = source.indexOf('>', i);
            if (close < 0) throw new RegexShapeError('has an unterminated group name');
            i = close + 1;
          } else {
            i += source[i] === '<' ? 2 : 1;
          }
        }
        const inner = parseAlternatives(depth + 1);
        if (source[i] !== ')') throw new RegexShapeError('has an unmatched "("');
        i++;
        node = { kind: 'group', first: '', alternatives: inner, unbounded: false, repeats: false };
      } else if (c === '[') {
        let j = i + 1;
        if (source[j] === '^') j++;
        if (source[j] === ']') j++;
        while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
        if (j >= source.length) throw new RegexShapeError('has an unterminated character class');
        i = j + 1;
        node = { kind: 'atom', first: '*', alternatives: [], unbounded: false, repeats: false };
      } else if (c === '\\') {
        const e = source[i + 1] ?? '';
        i += 2;
        if (/[dDwWsSpPbB.]/.test(e)) {
          if (e === 'p' || e === 'P') i = source.indexOf('}', i) + 1 || source.length;
          node = { kind: 'atom', first: e === 'b' || e === 'B' ? '' : '*', alternatives: [], unbounded: false, repeats: false };
        } else if (e === 'u' || e === 'x') {
          i += source[i] === '{' ? source.indexOf('}', i) - i + 1 : e === 'u' ? 4 : 2;
          node = { kind: 'atom', first: '*', alternatives: [], unbounded: false, repeats: false };
        } else {
          node = { kind: 'atom', first: e, alternatives: [], unbounded: false, repeats: false };
        }
      } else if (c === '^' || c === '$') {
        i++;
        node = { kind: 'atom', first: '', alternatives: [], unbounded: false, repeats: false };
      } else {
        i++;
        node = { kind: 'atom', first: c === '.' ? '*' : c, alternatives: [], unbounded: false, repeats: false };
      }
      // quantifier
      const q = source[i];
      if (q === '*' || q === '+') {
        node.unbounded = true;
        node.repeats = true;
        i++;
      } else if (q === '?') {
        i++;
      } else if (q === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
        if (m) {
          const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
          node.unbounded = max === Infinity;
          node.repeats = max > 1;
          i += m[0].length;
        }
      }
      if (source[i] === '?') i++; // lazy
      (alternatives[alternatives.length - 1] ?? []).push(node);
    }
    if (depth > 0) throw new RegexShapeError('has an unmatched "("');
    return alternatives;
  };
  return parseAlternatives(0);
}

function containsUnbounded(seq: Node[]): boolean {
  return seq.some((n) => n.unbounded || (n.kind === 'group' && n.alternatives.some(containsUnbounded)));
}

function firstKeys(seq: Node[]): string[] {
  for (const n of seq) {
    if (n.kind === 'atom') {
      if (n.first !== '') return [n.first];
      continue;
    }
    const keys = n.alternatives.flatMap(firstKeys);
    return keys.length === 0 ? [''] : keys;
  }
  return [''];
}

function checkAlternatives(alternatives: Node[][], ignoreCase: boolean, repeated: boolean): string | null {
  if (repeated && alternatives.length > 1) {
    const seen: string[] = [];
    for (const alt of alternatives) {
      for (let key of firstKeys(alt)) {
        if (ignoreCase) key = key.toLowerCase();
        if (key === '' || key === '*' || seen.includes(key) || seen.includes('*')) {
          return 'repeats a group whose alternatives can match the same text (like (a|a)* or (\\d|\\w)+)';
        }
        seen.push(key);
      }
    }
  }
  for (const alt of alternatives) {
    for (const n of alt) {
      if (n.kind !== 'group') continue;
      const isRepeated = n.repeats || repeated;
      if (n.repeats && n.alternatives.some(containsUnbounded)) {
        return 'nests a quantifier inside a repeated group (like (a+)+ or (.*)*)';
      }
      const reason = checkAlternatives(n.alternatives, ignoreCase, isRepeated);
      if (reason) return reason;
    }
  }
  return null;
}
