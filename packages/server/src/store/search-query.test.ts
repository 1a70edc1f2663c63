import { describe, expect, it } from 'vitest';
import { ftsMatchQuery, PG_SEARCH_MAX_BYTES, pgSearchText, pgSearchVector, searchWords, tsQuery } from './search-query.js';

describe('search queries', () => {
  it('splits text into lowercased letter-and-digit words without accents, as unicode61 does', () => {
    expect(searchWords('Écran 3-year_plan, e-mail: ALICE@example.com')).toEqual([
      'ecran',
      '3',
      'year',
      'plan',
      'e',
      'mail',
      'alice',
      'example',
      'com',
    ]);
  });

  it('builds a tsquery where every term must match, phrases keep order and the last word is a prefix', () => {
    expect(tsQuery('refund "3-year warranty" exp')).toBe("'refund' & ('3' <-> 'year' <-> 'warranty') & 'exp':*");
    expect(tsQuery('"3-year warranty"')).toBe("('3' <-> 'year' <-> 'warranty')");
    expect(tsQuery('search_kb')).toBe("('search' <-> 'kb':*)");
  });

  it('reads operators in user text as words and gives null when no word is left', () => {
    expect(tsQuery("warranty & !x | 'y':*")).toBe("'warranty' & 'x' & 'y':*");
    expect(tsQuery('  "" * ')).toBeNull();
    expect(ftsMatchQuery('3-year warran')).toBe('"3-year" "warran"*');
  });

  it('keeps whole words of an event for PostgreSQL up to the byte bound', () => {
    expect(pgSearchText('Écran, 3-year')).toBe('ecran 3 year');
    const long = pgSearchText('abcdefghi '.repeat(100_000));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(PG_SEARCH_MAX_BYTES);
    expect(long.split(' ').every((w) => w === 'abcdefghi')).toBe(true);
  });

  it('writes the PostgreSQL tsvector of an event: each word once, with its positions, within PostgreSQL limits', () => {
    expect(pgSearchVector('Refund the refund, 3-year')).toBe("'refund':1,3 'the':2 '3':4 'year':5");
    expect(pgSearchVector('   ')).toBe('');
    // At most 255 positions per lexeme, none above 16383 (the last ones collapse onto 16383).
    const many = pgSearchVector('ok '.repeat(300)).split(':')[1]!.split(',');
    expect(many).toHaveLength(255);
    const far = pgSearchVector(`${'w '.repeat(16_400)}end`);
    expect(far).toContain("'end':16383");
    // A word over 2047 bytes is not indexed and takes no position.
    expect(pgSearchVector(`a ${'x'.repeat(2048)} b`)).toBe("'a':1 'b':2");
  });
});
