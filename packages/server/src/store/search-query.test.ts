import { describe, expect, it } from 'vitest';
import { ftsMatchQuery, PG_SEARCH_MAX_BYTES, pgSearchText, searchWords, tsQuery } from './search-query.js';

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
});
