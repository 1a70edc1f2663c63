import { describe, expect, it } from 'vitest';
import { abbreviateValue, diffFields } from './field-diff.js';
import { ignoreSets, normalizePlaceholders, SignatureTable, StructuralHasher } from './event-signature.js';
import { textSimilarity } from './text-similarity.js';

describe('diffFields', () => {
  it('lists nested paths that differ, with absent sides as null', () => {
    const a = { parameters: { query: 'refund', limit: 5 }, result: { articles: [{ title: 'A' }] } };
    const b = { parameters: { query: 'refunds' }, result: { articles: [{ title: 'B' }] }, extra: true };
    expect(diffFields(a, b)).toEqual([
      { path: 'extra', a: null, b: 'true' },
      { path: 'parameters.limit', a: '5', b: null },
      { path: 'parameters.query', a: '"refund"', b: '"refunds"' },
      { path: 'result.articles[0].title', a: '"A"', b: '"B"' },
    ]);
  });

  it('reports arrays of different lengths as one change and stops at the limit', () => {
    expect(diffFields({ xs: [1, 2] }, { xs: [] })).toEqual([{ path: 'xs', a: '[1,2]', b: '[]' }]);
    expect(diffFields({ a: 1, b: 2, c: 3 }, { a: 0, b: 0, c: 0 }, 2)).toHaveLength(2);
    expect(diffFields({ a: [1] }, { a: [1] })).toEqual([]);
  });
});

describe('abbreviateValue', () => {
  it('cuts long values with an ellipsis and keeps short ones whole', () => {
    expect(abbreviateValue('x'.repeat(100), 10)).toBe('"xxxxxxxx…');
    expect(abbreviateValue({ a: 1 })).toBe('{"a":1}');
    expect(abbreviateValue(undefined)).toBeNull();
  });
});

describe('StructuralHasher', () => {
  const hash = (value: unknown, ignore: ReadonlySet<string>): string => {
    const h = new StructuralHasher();
    h.value(value, ignore);
    return `${h.lo}:${h.hi}`;
  };

  it('hashes equal regardless of key order, ignored keys and placeholder numbers', () => {
    const ignore = ignoreSets();
    const a = hash({ b: 1, a: { email: '<EMAIL_1>', timestamp: 'x' }, request_id: 'r1', gone: undefined }, ignore.parameters);
    const b = hash({ a: { email: '<EMAIL_7>' }, b: 1 }, ignore.parameters);
    expect(a).toBe(b);
  });

  it('tells apart values that differ in content, type, order of array items or nesting', () => {
    const ignore = ignoreSets().parameters;
    const values: unknown[] = [
      { q: 'refund' },
      { q: 'refunds' },
      { q: 1 },
      { q: '1' },
      { q: true },
      { q: null },
      { q: [] },
      { q: {} },
      { q: [1, 2] },
      { q: [2, 1] },
      { q: [[1], 2] },
      { q: [1, [2]] },
      { a: 1, b: 2 },
      { a: 2, b: 1 },
      { a: { b: 1 } },
      { 'a.b': 1 },
      { q: 1.5 },
      { q: -1 },
      {},
      [],
      '',
      0,
      false,
    ];
    const hashes = new Set(values.map((v) => hash(v, ignore)));
    expect(hashes.size).toBe(values.length);
  });

  it('keeps a bare id in parameters but drops it elsewhere', () => {
    const ignore = ignoreSets();
    expect(hash({ id: 'A-17' }, ignore.parameters)).not.toBe(hash({}, ignore.parameters));
    expect(hash({ id: 'A-17' }, ignore.other)).toBe(hash({}, ignore.other));
    expect(hash({ session: 's1' }, ignoreSets(['session']).parameters)).toBe(hash({}, ignore.parameters));
  });
});

describe('SignatureTable', () => {
  it('gives equal hashes one id and hashes sharing only the low lane different ids', () => {
    const table = new SignatureTable();
    const first = table.internHash(7, 1);
    expect(table.internHash(7, 1)).toBe(first);
    const clash = table.internHash(7, 2);
    expect(clash).not.toBe(first);
    expect(table.internHash(7, 2)).toBe(clash);
    expect(table.internText('tool:search')).not.toBe(first);
    expect(table.size).toBe(3);
  });
});

describe('normalizePlaceholders', () => {
  it('drops the number of any upper-case placeholder label', () => {
    expect(normalizePlaceholders('mail <EMAIL_12> or call <PHONE_NUMBER_3>, not <b>')).toBe('mail <EMAIL> or call <PHONE_NUMBER>, not <b>');
  });
});

describe('textSimilarity', () => {
  it('is high for a rewording and low for a different answer', () => {
    expect(textSimilarity('Refunds within 14 days.', 'Refunds are possible within 14 days.')).toBeCloseTo(4 / 6);
    expect(textSimilarity('Refunds within 14 days.', 'I cannot help with that.')).toBe(0);
    expect(textSimilarity('', '')).toBe(1);
  });
});
