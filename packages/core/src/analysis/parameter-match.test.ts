import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { matchParameters } from './parameter-match.js';

const jsonObject = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }));

describe('matchParameters', () => {
  it('accepts any object as a subset and exact match of itself', () => {
    fc.assert(
      fc.property(jsonObject, (value) => {
        const copy = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
        expect(matchParameters(copy, value as Record<string, unknown>, 'subset')).toEqual([]);
        expect(matchParameters(copy, value as Record<string, unknown>, 'exact')).toEqual([]);
      }),
    );
  });

  it('reports nested paths for missing and different values', () => {
    const mismatches = matchParameters(
      { filters: { status: 'open', tags: ['a', 'b'] }, limit: 5 },
      { filters: { tags: ['a', 'c'] }, limit: 5.0 },
    );
    expect(mismatches).toEqual([
      { path: 'filters.status', reason: 'missing', expected: 'open' },
      { path: 'filters.tags[1]', reason: 'different', expected: 'b', actual: 'c' },
    ]);
  });

  it('ignores listed keys at any depth', () => {
    const expected = { query: 'x', meta: { request_id: 'a', at: '2026-01-01' } };
    const actual = { query: 'x', meta: { request_id: 'b', at: '2027-01-01' } };
    expect(matchParameters(expected, actual, 'exact', ['request_id', 'at'])).toEqual([]);
  });

  it('treats null and a missing key differently', () => {
    expect(matchParameters({ a: null }, {})).toEqual([{ path: 'a', reason: 'missing', expected: null }]);
    expect(matchParameters({ a: null }, { a: null })).toEqual([]);
  });
});

describe('canonicalJson', () => {
  it('does not depend on key order', () => {
    fc.assert(
      fc.property(jsonObject, (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(value));
      }),
    );
  });

  it('writes numbers by value', () => {
    expect(canonicalJson({ n: 5.0 })).toBe(canonicalJson({ n: 5 }));
    expect(canonicalJson({ n: 5 })).not.toBe(canonicalJson({ n: '5' }));
  });
});
